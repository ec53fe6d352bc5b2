/**
 * Labels under hostile and careless input: a non-finite or overflowing label
 * is refused with its line and column; one label with a fraction makes a
 * regression however few there are; labels of a scale no loss can hold are
 * named as such; a divergence names its likely cause once. Feature
 * expressions read names in any script, or quoted, as CSV headers are.
 */
import assert from "node:assert/strict";
import { compileFeatures, CsvError, parseCsv } from "../mod.ts";
import { listFiles, runCli } from "./_cli.ts";
import { assertRefused, exists } from "./_trust.ts";

async function inTempDir(fn: (cwd: string) => Promise<void>): Promise<void> {
  const cwd = await Deno.makeTempDir({ prefix: "denograd_trust_labels_" });
  try {
    await fn(cwd);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

/** A CSV `x,y` with the given labels, one row each (x counts from 1). */
function csv(labels: string[]): string {
  return "x,y\n" + labels.map((y, i) => `${i + 1},${y}`).join("\n") + "\n";
}

const REALS = ["0.5", "1.5", "2.25", "3.5", "4.75", "5.5", "6.5", "7.5"];

Deno.test("a non-finite or overflowing label is refused with its line and column", async (t) => {
  for (const bad of ["Infinity", "-Infinity", "inf", "NaN", "nan", "1e309", "-1e400"]) {
    for (const [kind, before] of [["reals", REALS], ["classes", ["0", "1", "0", "1"]]] as const) {
      await t.step(`${bad} among ${kind}`, () => {
        const text = csv([...before, bad]);
        const line = before.length + 2;
        assert.throws(() => parseCsv(text), (error: unknown) => {
          assert.ok(error instanceof CsvError, String(error));
          assert.equal(error.line, line);
          assert.equal(error.column, 2);
          assert.match(error.message, new RegExp(`line ${line}, column 2 must be a finite number`));
          return true;
        });
      });
    }
  }
  await t.step("the CLI: exit 2, one line with the line and column, nothing written", async () => {
    await inTempDir(async (cwd) => {
      await Deno.writeTextFile(`${cwd}/inf.csv`, csv([...REALS, "Infinity"]));
      const r = await runCli(["train", "--dataset", "inf.csv", "--steps", "5"], { cwd });
      assertRefused(
        r,
        /line 10, column 2 must be a finite number \(a label\): current value is "Infinity"/,
      );
      assert.ok(!exists(`${cwd}/runs`) || listFiles(`${cwd}/runs`).length === 0);
    });
  });
});

Deno.test("one label with a fraction makes a regression, however few there are", () => {
  const one = parseCsv(csv(["0", "1", "2", "0", "1", "2", "0", "1", "2.5"]));
  assert.equal(one.classes, 0, "regression");
  assert.deepEqual(one.y.at(-1), 2.5);
  // A text label among real ones is then a bad target, named with its place.
  assert.throws(() => parseCsv(csv([...REALS, "cat"])), /line 10, column 2 must be a number/);
  // Whole numbers too large to number classes are targets too.
  assert.equal(parseCsv(csv(["1e16", "2e16", "3e16"])).classes, 0);
  // Whole numbers stay classes.
  assert.equal(parseCsv(csv(["0", "1", "2", "1"])).classes, 3);
});

Deno.test("labels of a scale no loss can hold are refused, naming the scale", async (t) => {
  const cases: [string, string[]][] = [
    ["near 1e200", Array.from({ length: 20 }, (_, i) => `${i + 1}e200`)],
    ["+-1e308", ["1e308", "-1e308", "1e308", "-1e308"]],
    ["1e308 among reals", [...REALS, "1e308"]],
  ];
  for (const [name, labels] of cases) {
    await t.step(name, async () => {
      await inTempDir(async (cwd) => {
        await Deno.writeTextFile(`${cwd}/big.csv`, csv(labels));
        for (const extra of [[], ["--problem", "regression"]]) {
          const r = await runCli(["train", "--dataset", "big.csv", "--steps", "5", ...extra], {
            cwd,
          });
          assertRefused(
            r,
            /line \d+, column 2 must be a regression target from -1e150 to 1e150.*divide the labels by a power of ten/,
          );
        }
      });
    });
  }
  await t.step("many large whole numbers as classes name their range", async () => {
    await inTempDir(async (cwd) => {
      const labels = Array.from({ length: 20 }, (_, i) => String((i + 1) * 1e9));
      await Deno.writeTextFile(`${cwd}/ids.csv`, csv(labels));
      const r = await runCli(["train", "--dataset", "ids.csv", "--steps", "5"], { cwd });
      assertRefused(
        r,
        /at most 10 classes: current count is 20 \(its labels are whole numbers from 1000000000 to 20000000000: if they are targets, add --problem regression, and divide them by a power of ten, as their scale is large\)$/,
      );
    });
  });
});

Deno.test("a divergence names its likely cause once: the labels' scale, or the lr", async () => {
  await inTempDir(async (cwd) => {
    const labels = Array.from({ length: 40 }, (_, i) => `${(i + 1) * 1000}.5`);
    await Deno.writeTextFile(`${cwd}/k.csv`, csv(labels));
    const r = await runCli(
      ["train", "--dataset", "k.csv", "--steps", "50", "--lr", "1", "--optimizer", "sgd"],
      { cwd },
    );
    assert.equal(r.code, 1, r.stderr);
    const line = r.stderr.split("\n").find((l) => l.startsWith("Training diverged"));
    assert.ok(line, r.stderr);
    assert.match(line, /the labels reach 4\.00e\+4 in size: divide them by a power of ten/);
    assert.equal(line.match(/smaller/g)?.length, 1, "the lr hint once");
    // Classification: the lr alone.
    const c = await runCli(["train", "--steps", "30", "--lr", "1e6", "--optimizer", "sgd"], {
      cwd,
    });
    assert.equal(c.code, 1, c.stderr);
    const cline = c.stderr.split("\n").find((l) => l.startsWith("Training diverged"))!;
    assert.match(cline, /try a smaller --lr than 1000000 \(the report is marked failed\)$/);
    assert.equal(cline.match(/smaller/g)?.length, 1);
  });
});

Deno.test("feature expressions read names in any script, and quoted names", async (t) => {
  const inputs = ["größe", "petal width", 'a"b', "x_1.5", "数"];
  const f = compileFeatures(
    ["größe*2", '"petal width"^2', '"a""b"+1', "x_1.5*2", "sin(größe)", "数-1", "petal width"],
    inputs,
  );
  assert.deepEqual(f.apply([3, 2, 1, 4, 10]), [6, 4, 2, 8, Math.sin(3), 9, 2]);
  for (
    const [expr, pattern] of [
      ["gr", /'gr' is not an input/],
      ['"petal', /the quoted name "petal has no closing '"'/],
      ['"nope"*2', /"nope" is not an input/],
    ] as const
  ) {
    await t.step(expr, () => assert.throws(() => compileFeatures([expr], inputs), pattern));
  }
  await t.step("the CLI trains on größe*2", async () => {
    await inTempDir(async (cwd) => {
      await Deno.writeTextFile(
        `${cwd}/g.csv`,
        "größe,label\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n",
      );
      const r = await runCli(
        [
          "train",
          "--dataset",
          "g.csv",
          "--features",
          "größe*2,größe",
          "--steps",
          "3",
          "--out",
          "o",
        ],
        { cwd },
      );
      assert.equal(r.code, 0, r.stderr);
      const model = JSON.parse(await Deno.readTextFile(`${cwd}/o/model.json`));
      assert.deepEqual(model.featureNames, ["größe*2", "größe"]);
    });
  });
});
