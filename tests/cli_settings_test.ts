import assert from "node:assert/strict";
import type { ModelFile } from "../cli/model_file.ts";
import { inTempDir, lines, runCli } from "./_cli.ts";

function readRun(dir: string): ModelFile {
  return JSON.parse(Deno.readTextFileSync(`${dir}/model.json`));
}

function historyRows(dir: string): string[][] {
  return lines(Deno.readTextFileSync(`${dir}/history.csv`)).map((l) => l.split(","));
}

Deno.test("regression datasets train with MSE and report MSE and R^2", async () => {
  await inTempDir(async (cwd) => {
    for (const dataset of ["reg-plane", "reg-gauss", "sine"]) {
      const r = await runCli(["train", "--dataset", dataset, "--steps", "60", "--out", dataset], {
        cwd,
      });
      assert.equal(r.code, 0, r.stderr);
      const run = readRun(`${cwd}/${dataset}`);
      assert.equal(run.config.problem, "regression");
      assert.deepEqual([run.config.loss, run.config.optimizer], ["mse", "adam"]);
      assert.deepEqual(run.classNames, []);
      assert.equal(run.model!.nouts.at(-1), 1);
      assert.ok(run.final!.trainR2! > -1 && run.final!.trainMse! >= 0, JSON.stringify(run.final));
      const [head, ...rows] = historyRows(`${cwd}/${dataset}`);
      assert.deepEqual(head, ["step", "loss", "data_loss", "mse", "r2", "lr"]);
      assert.equal(rows.length, 60);
      assert.match(lines(r.stdout).at(-3)!, /train MSE [\d.]+, R\^2 -?[\d.]+/);
    }
  });
});

Deno.test("predict writes a prediction column for a regression model", async () => {
  await inTempDir(async (cwd) => {
    const r = await runCli(["train", "--dataset", "sine", "--samples", "200", "--out", "s"], {
      cwd,
    });
    assert.equal(r.code, 0, r.stderr);
    const p = await runCli(["predict", "--model", "s/model.json"], {
      cwd,
      stdin: "-1.5\n0\n1.5\n",
    });
    assert.equal(p.code, 0, p.stderr);
    const [head, ...rows] = lines(p.stdout);
    assert.equal(head, "prediction");
    rows.map(Number).forEach((y, i) => {
      const x = [-1.5, 0, 1.5][i];
      assert.ok(Math.abs(y - Math.sin(x)) < 0.2, `sin(${x}) ~ ${y}`);
    });
  });
});

Deno.test("a CSV whose labels are not all integers is a regression, and the run says so", async () => {
  await inTempDir(async (cwd) => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `${i / 10},${(i % 7) / 3},${(i % 4) * 0.5}`,
    );
    await Deno.writeTextFile(`${cwd}/t.csv`, `a,b,target\n${rows.join("\n")}\n`);
    const r = await runCli(["train", "--dataset", "t.csv", "--steps", "20", "--out", "r"], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^The labels of t\.csv are numbers that are not all integers, so this is a regression \(use --problem classification/,
    );
    assert.equal(readRun(`${cwd}/r`).config.problem, "regression");
    const c = await runCli(
      ["train", "--dataset", "t.csv", "--problem", "classification", "--steps", "5", "--out", "c"],
      { cwd },
    );
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stderr, "");
    const run = readRun(`${cwd}/c`);
    assert.equal(run.config.problem, "classification");
    assert.equal(run.classNames.length, run.model!.nouts.at(-1));
  });
});

Deno.test("feature crosses feed the model and are recorded; --layers none is a linear model", async () => {
  await inTempDir(async (cwd) => {
    const features = "x1,x2,x1^2,x2^2,x1*x2";
    const r = await runCli(
      ["train", "--dataset", "circles", "--features", features, "--layers", "none", "--out", "f"],
      { cwd },
    );
    assert.equal(r.code, 0, r.stderr);
    const run = readRun(`${cwd}/f`);
    assert.deepEqual(run.config.features, features.split(","));
    assert.deepEqual(run.featureNames, features.split(","));
    assert.deepEqual(run.inputNames, ["x1", "x2"]);
    assert.deepEqual(run.config.layers, []);
    assert.equal(run.model!.nin, 5);
    assert.deepEqual(run.model!.nouts, [1]);
    // A circle is x1^2 + x2^2 = r^2: a linear model over the squares separates it.
    assert.ok(run.final!.trainAccuracy! >= 0.95, JSON.stringify(run.final));
    assert.match(run.command, /--features 'x1,x2,x1\^2,x2\^2,x1\*x2' --layers none/);
    // predict takes the data's own inputs and applies the crosses, as training did.
    const p = await runCli(["predict", "--model", "f/model.json"], {
      cwd,
      stdin: "x1,x2\n0,0\n1.4,0\n0,-1.4\n",
    });
    assert.equal(p.code, 0, p.stderr);
    assert.deepEqual(lines(p.stdout).map((l) => l.split(",")[0]), ["class", "1", "0", "0"]);
    // So does graph: its point is in the data's own inputs, the crosses drawn as the inputs.
    const g = await runCli(["graph", "--model", "f/model.json", "--point", "0.5,-1"], { cwd });
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stdout, /<title>x1\^2: data 0\.25, grad /);
    const wrong = await runCli(["predict", "--model", "f/model.json"], {
      cwd,
      stdin: "1,2,3,4,5\n",
    });
    assert.equal(wrong.code, 2);
    // The raw inputs alone cannot: a linear model on x1, x2 stays near chance.
    const raw = await runCli(["train", "--dataset", "circles", "--layers", "none", "--out", "g"], {
      cwd,
    });
    assert.equal(raw.code, 0, raw.stderr);
    assert.ok(readRun(`${cwd}/g`).final!.trainAccuracy! < 0.8);
  });
});

Deno.test("--l1 adds its penalty: the loss with it is above the data loss, and the weights differ", async () => {
  await inTempDir(async (cwd) => {
    const base = ["train", "--l2", "0", "--steps", "20"];
    const a0 = await runCli([...base, "--out", "a"], { cwd });
    assert.equal(a0.code, 0, a0.stderr);
    assert.equal((await runCli([...base, "--l1", "0.01", "--out", "b"], { cwd })).code, 0);
    const [a, b] = [readRun(`${cwd}/a`), readRun(`${cwd}/b`)];
    assert.equal(b.config.l1, 0.01);
    assert.match(b.command, /--l1 0\.01/);
    assert.notDeepEqual(a.model, b.model);
    const [, first] = historyRows(`${cwd}/b`);
    const [, firstA] = historyRows(`${cwd}/a`);
    assert.equal(first[2], firstA[2], "the same data loss at step 1");
    assert.ok(Number(first[1]) > Number(first[2]), "the loss includes the L1 penalty");
  });
});

Deno.test("--resume goes on from a run: 50 + 50 Adam steps end where 100 steps end", async () => {
  await inTempDir(async (cwd) => {
    const adam = ["--optimizer", "adam", "--lr-schedule", "constant"];
    assert.equal(
      (await runCli(["train", ...adam, "--steps", "50", "--out", "a"], { cwd })).code,
      0,
    );
    const r = await runCli(["train", "--resume", "a/model.json", "--steps", "50", "--out", "b"], {
      cwd,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      (await runCli(["train", ...adam, "--steps", "100", "--out", "c"], { cwd })).code,
      0,
    );
    const [b, c] = [readRun(`${cwd}/b`), readRun(`${cwd}/c`)];
    assert.deepEqual(b.model, c.model);
    assert.deepEqual(b.optimizer, c.optimizer);
    assert.equal(b.stepsDone, 100);
    assert.equal(b.resumedFrom, "a/model.json");
    assert.match(b.command, /--steps 50 .*--resume a\/model\.json$/);
    const history = historyRows(`${cwd}/b`);
    assert.deepEqual(
      history.slice(1).map((row) => Number(row[0])),
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    assert.deepEqual(history, historyRows(`${cwd}/c`));
    // What fixes the data and the model cannot change on resume.
    const bad = await runCli(["train", "--resume", "a/model.json", "--layers", "8"], { cwd });
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /^Cannot train as '--layers' cannot change when resuming: the run has \[16,16\], current value is \[8\]\n$/,
    );
  });
});

Deno.test("a run's model.json reruns it with --config, crosses and all", async () => {
  await inTempDir(async (cwd) => {
    const args = ["train", "--features", "x1,x2,x1*x2", "--steps", "30", "--out", "a"];
    assert.equal((await runCli(args, { cwd })).code, 0);
    const r = await runCli(["train", "--config", "a/model.json", "--out", "b"], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readRun(`${cwd}/b`).model, readRun(`${cwd}/a`).model);
  });
});
