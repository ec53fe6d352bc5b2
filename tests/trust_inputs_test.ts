import assert from "node:assert/strict";
import { CsvError, parseCsv, parseCsvPoints, parseDecimal } from "../mod.ts";
import { parseFlags } from "../cli/_flags.ts";
import { escapeControls, show, suggest, UsageError } from "../cli/_errors.ts";
import { csvCell, parsePoints } from "../cli/predict.ts";
import { modelShapeProblem } from "../cli/model_file.ts";
import { readJsonFile, readStreamCapped, readTextCapped } from "../cli/_fs.ts";

const OPTIONS = {
  steps: { type: "string" },
  lr: { type: "string" },
  out: { type: "string" },
  input: { type: "string" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function flagError(args: string[]): string {
  try {
    parseFlags("train", args, OPTIONS);
  } catch (error) {
    assert.ok(error instanceof UsageError, `a UsageError, not ${error}`);
    assert.ok(!error.message.includes("\n"), "one line");
    return error.message;
  }
  assert.fail(`${JSON.stringify(args)} was accepted`);
}

Deno.test("flags are classified from parseArgs tokens, each problem in one line", async (t) => {
  const cases: [string, string[], RegExp][] = [
    ["a near miss", ["--setps", "5"], /'--setps' is not a known flag; did you mean --steps\?$/],
    ["another case", ["--Quiet"], /did you mean --quiet\?$/],
    ["a far miss", ["--banana"], /'--banana' is not a known flag: see 'denograd train --help'$/],
    ["a short flag", ["-x"], /'-x' is not a known flag/],
    ["a prototype key", ["--__proto__", "1"], /'--__proto__' is not a known flag/],
    ["constructor", ["--constructor"], /'--constructor' is not a known flag/],
    ["toString", ["--toString=1"], /'--toString' is not a known flag/],
    ["a missing value", ["--steps"], /'--steps' needs a value/],
    ["a flag as a value", ["--out", "--quiet"], /'--out' needs a value: .*--out=VALUE/],
    ["a value for a switch", ["--quiet=yes"], /'--quiet' takes no value: current value is "yes"/],
    ["twice", ["--steps", "1", "--steps", "2"], /'--steps' is given more than once/],
    ["a stray argument", ["5"], /takes no plain arguments: current value is "5"/],
    ["after --", ["--", "x"], /takes no plain arguments: current value is "x"/],
    ["escape bytes in a flag", ["--\x1b[31mred"], /'--\\u001b\[31mred' is not a known flag/],
  ];
  for (const [name, args, pattern] of cases) {
    await t.step(name, () => assert.match(flagError(args), pattern));
  }
  await t.step("values that start with '-' are values when they are numbers or stdin", () => {
    const { values } = parseFlags("train", ["--lr", "-0.5", "--input", "-", "-h"], OPTIONS);
    assert.equal(values.lr, "-0.5");
    assert.equal(values.input, "-");
    assert.equal(values.help, true);
    assert.equal(Object.getPrototypeOf(values), null);
  });
});

Deno.test("echoed values have their control bytes escaped", () => {
  for (const raw of ["\x1b]0;pwned\x07", "a\x9b31mb", "\u202eevil", "x\ry", "\x7f"]) {
    const shown = show(raw);
    // deno-lint-ignore no-control-regex
    assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202e]/.test(shown), `${JSON.stringify(shown)}`);
  }
  assert.equal(escapeControls("ok\x1bz"), "ok\\u001bz");
  assert.equal(show("plain"), '"plain"');
});

Deno.test("suggest() finds near misses case-insensitively and nothing for far ones", () => {
  assert.equal(suggest("Spiral", ["moons", "circles", "xor", "spiral", "blobs"]), "spiral");
  assert.equal(suggest("cirlces", ["moons", "circles"]), "circles");
  assert.equal(suggest("optimiser", ["optimizer", "out"]), "optimizer");
  assert.equal(suggest("xro", ["xor", "moons"]), "xor");
  assert.equal(suggest("zzz", ["xor", "moons"]), undefined);
  assert.equal(suggest("", ["xor"]), undefined);
});

Deno.test("one decimal grammar for flags, CSV cells and points", () => {
  for (const ok of ["1", "-2.5", "+.5", "1e-4", " 3 ", "1E3", "0.", "007"]) {
    assert.ok(Number.isFinite(parseDecimal(ok)), ok);
  }
  for (
    const bad of [
      "0x10",
      "0b11",
      "0o7",
      "Infinity",
      "-Infinity",
      "NaN",
      "",
      " ",
      "1_000",
      "1e",
      ".",
      "1,5",
    ]
  ) {
    assert.ok(Number.isNaN(parseDecimal(bad)), bad);
  }
  assert.equal(parseDecimal("1e309"), Infinity);
  for (const cell of ["0x10", "0b11", "0o7", "Infinity", "NaN", "1e309"]) {
    assert.throws(() => parseCsv(`x,y,label\n1,${cell},0\n2,3,1\n`), /line 2, column 2/, cell);
    assert.throws(() => parseCsvPoints(`1,${cell}\n`, { features: 2 }), /line 1, column 2/, cell);
  }
});

Deno.test("the classes of a CSV are the distinct labels found", () => {
  const twelve = parseCsv("x,label\n0,1\n1,2\n2,1\n");
  assert.equal(twelve.classes, 2);
  assert.deepEqual(twelve.y, [0, 1, 0]);
  assert.deepEqual(twelve.classNames, ["1", "2"]);
  const nine = parseCsv("x,label\n0,0\n1,9\n");
  assert.equal(nine.classes, 2);
  assert.deepEqual(nine.classNames, ["0", "9"]);
  // Numeric labels sort by value, not as text.
  assert.deepEqual(parseCsv("x,label\n0,10\n1,9\n2,-1\n").classNames, ["-1", "9", "10"]);
  // 0..k-1 are class indices as they are.
  const plain = parseCsv("x,label\n0,0\n1,1\n2,2\n");
  assert.deepEqual([plain.classes, plain.classNames], [3, undefined]);
});

Deno.test("a first row is a header only if none of its cells is a number", () => {
  assert.throws(() => parseCsv("1,abc,0\n2,3,1\n"), (e: unknown) => {
    assert.ok(e instanceof CsvError);
    assert.deepEqual([e.line, e.column], [1, 2]);
    return true;
  });
  assert.deepEqual(parseCsv("\uFEFFa,b,label\n1,2,x\n3,4,y\n").featureNames, ["a", "b"]);
  assert.throws(() => parsePoints("1,abc\n2,3\n", 2, "stdin"), /line 1, column 2 of stdin/);
  assert.throws(() => parsePoints("0.5,NaN\n", 2, "stdin"), /line 1, column 2 of stdin .*"NaN"/);
  assert.throws(
    () => parsePoints("1e309,1\n", 2, "stdin"),
    /line 1, column 1 of stdin must be a finite/,
  );
  assert.throws(() => parsePoints("x1,x2\n", 2, "stdin"), /stdin has no points/);
  assert.deepEqual(parsePoints("x1,x2\n1,2\n", 2, "stdin"), [[1, 2]]);
});

Deno.test("cells that a spreadsheet would run as formulas are escaped", () => {
  for (const name of ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]) {
    const cell = csvCell(name);
    const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
    assert.ok(unquoted.startsWith("'"), `${JSON.stringify(name)} -> ${cell}`);
  }
  assert.equal(csvCell("-1"), "-1");
  assert.equal(csvCell("cat"), "cat");
  assert.equal(csvCell("a,b"), '"a,b"');
});

Deno.test("a model file's sizes and shapes are checked before anything is built", () => {
  type Layer = { weights: number[][]; biases: number[] };
  const model = (nin: number, nouts: number[], layers?: Layer[]) => ({
    format: "denograd.mlp/1" as const,
    nin,
    nouts,
    activation: "relu" as const,
    outputActivation: "linear" as const,
    layers: layers ?? nouts.map((): Layer => ({ weights: [], biases: [] })),
  });
  assert.match(
    modelShapeProblem(model(1e9, [1]))!,
    /'nin' is 1000000000, more than the 1000000 allowed/,
  );
  assert.match(
    modelShapeProblem(model(2, [4000, 4000, 4000, 1]))!,
    /parameters, more than/,
  );
  assert.match(modelShapeProblem(model(2, [20000, 20000, 1]))!, /'nouts\[0\]' is 20000/);
  assert.match(modelShapeProblem(model(2, [1]))!, /'layers\[0\]' must have 1 weight rows/);
  const ok = model(2, [1], [{ weights: [[0.5, 0.5]], biases: [0] }]);
  assert.equal(modelShapeProblem(ok, 3), undefined);
  assert.match(modelShapeProblem(ok, 4)!, /'parameterCount' is 4 but the layers hold 3/);
  const short = model(2, [1], [{ weights: [[0.5]], biases: [0] }]);
  assert.match(modelShapeProblem(short)!, /'layers\[0\]\.weights\[0\]' must have 2 weights/);
});

Deno.test("inputs are read with a size cap, endless ones included", async () => {
  const name = { verb: "train", what: "the input" };
  if (Deno.build.os === "linux") {
    await assert.rejects(
      () => readTextCapped("/dev/zero", 1024, name),
      /Cannot train as the input is not a UTF-8 text file: it holds a zero byte/,
    );
  }
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array(4096).fill(0x31));
    },
  });
  await assert.rejects(() => readStreamCapped(endless, 10_000, name), /larger than/);
  const dir = await Deno.makeTempDir({ prefix: "denograd_trust_" });
  try {
    await Deno.writeTextFile(`${dir}/c.json`, '\uFEFF{"steps": 5}');
    assert.deepEqual(await readJsonFile(`${dir}/c.json`, "train", "--config"), { steps: 5 });
    await assert.rejects(() => readTextCapped(dir, 1024, name), /the input is a folder/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("near misses of commands and dataset names get a suggestion", async () => {
  const { setUpRun } = await import("../cli/setup.ts");
  await assert.rejects(
    () => setUpRun({ dataset: "Spiral" }),
    /current value is "Spiral"; did you mean spiral\?$/,
  );
  const { main } = await import("../cli/main.ts");
  const err: string[] = [];
  const io = { stdout: () => {}, stderr: (t: string) => void err.push(t), tty: false };
  assert.equal(await main(["trian"], io), 2);
  assert.match(
    err.join(""),
    /^Cannot run as "trian" is not a command: .*; did you mean train\?\n$/,
  );
});

Deno.test("a CSV with labels 1 and 2 trains 2 classes named 1 and 2", async () => {
  const { setUpRun } = await import("../cli/setup.ts");
  const dir = await Deno.makeTempDir({ prefix: "denograd_labels_" });
  try {
    const rows = Array.from({ length: 20 }, (_, i) => `${i / 10},${(i % 3) / 3},${1 + (i % 2)}`);
    await Deno.writeTextFile(`${dir}/l.csv`, `a,b,label\n${rows.join("\n")}\n`);
    const setup = await setUpRun({ dataset: `${dir}/l.csv` });
    assert.equal(setup.train.classes, 2);
    assert.deepEqual(setup.classNames, ["1", "2"]);
    assert.deepEqual(setup.nouts.at(-1), 1, "two classes: one output with the svm loss");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
