import assert from "node:assert/strict";
import { BUILTIN_DATASETS, Mlp } from "../mod.ts";
import { ModelFileSchema } from "../cli/model_file.ts";
import { cliArgs, cliEnv, FIXTURES, lines, listFiles, ROOT, runCli, signalRun } from "./_cli.ts";

const MOONS_CSV = `${ROOT}/tests/reference/moons_micrograd_demo.csv`;

/** Runs `fn` in a fresh temporary folder and removes the folder afterwards. */
async function inTempDir(fn: (cwd: string) => Promise<void>): Promise<void> {
  const cwd = await tempDir();
  try {
    await fn(cwd);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "denograd_cli_" });
}

/** Starts the CLI in `cwd` with piped output, as a user's shell would. */
function spawnCli(cwd: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: cliArgs(cwd, args),
    cwd,
    env: cliEnv(),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

function readRun(dir: string) {
  return ModelFileSchema.parse(JSON.parse(Deno.readTextFileSync(`${dir}/model.json`)));
}

/** The run data embedded in a report page. */
function reportJson(html: string) {
  const json = /<script type="application\/json" id="run-data">(.*?)<\/script>/s.exec(html)![1];
  return JSON.parse(json) as { end: { statusText: string; command: string; confusion?: unknown } };
}

Deno.test("train with no flags runs micrograd's demo and writes the three outputs", async () => {
  await inTempDir(async (cwd) => {
    const r = await runCli(["train"], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const last = lines(r.stdout).at(-1)!;
    const match = /^Report: (runs\/[^/]+)\/report\.html$/.exec(last);
    assert.ok(match, `last line names the report: ${last}`);
    const dir = `${cwd}/${match[1]}`;
    assert.deepEqual(listFiles(dir), ["history.csv", "model.json", "report.html"]);
    const run = readRun(dir);
    assert.equal(run.status, "completed");
    assert.deepEqual(run.config.layers, [16, 16]);
    assert.deepEqual(run.model?.nouts, [16, 16, 1]);
    assert.equal(run.config.loss, "svm");
    assert.equal(run.config.optimizer, "sgd");
    assert.equal(run.config.lr, 1);
    assert.equal(run.config.lrSchedule, "linear");
    assert.equal(run.config.l2, 1e-4);
    assert.equal(run.config.steps, 100);
    assert.deepEqual(run.dataset, {
      kind: "generated",
      name: "moons",
      samples: 100,
      noise: 0.1,
      classes: 2,
      seed: 1337,
    });
    assert.equal(run.parameterCount, 337);
    assert.equal(run.final?.trainAccuracy, 1);
    const history = lines(Deno.readTextFileSync(`${dir}/history.csv`));
    assert.equal(history.length, 101);
    assert.match(history[0], /^step,loss,data_loss,accuracy,lr/);
    const html = Deno.readTextFileSync(`${dir}/report.html`);
    // The page draws itself from the run's JSON (tests/report_browser_test.ts looks at it drawn).
    const page = reportJson(html);
    assert.equal(page.end.statusText, "Completed 100 steps");
    assert.equal(page.end.command, run.command, "the report shows the command");
    // No file is left under a temporary name.
    assert.ok(listFiles(cwd).every((f) => !f.endsWith(".tmp")));
  });
});

Deno.test("train puts each run in a fresh folder under runs/", async () => {
  await inTempDir(async (cwd) => {
    for (let i = 0; i < 2; i++) {
      const r = await runCli(["train", "--steps", "3", "--quiet"], { cwd });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(lines(r.stdout).length, 1);
    }
    const runs = [...Deno.readDirSync(`${cwd}/runs`)].map((e) => e.name);
    assert.equal(runs.length, 2);
  });
});

Deno.test("train reproduces a run exactly from the same seed", async () => {
  await inTempDir(async (cwd) => {
    for (const out of ["a", "b"]) {
      const r = await runCli(["train", "--steps", "20", "--out", out, "--quiet"], { cwd });
      assert.equal(r.code, 0, r.stderr);
    }
    assert.deepEqual(readRun(`${cwd}/a`).model, readRun(`${cwd}/b`).model);
    assert.equal(
      Deno.readTextFileSync(`${cwd}/a/history.csv`),
      Deno.readTextFileSync(`${cwd}/b/history.csv`),
    );
  });
});

Deno.test("the command a run records reruns it with the same numbers", async () => {
  await inTempDir(async (cwd) => {
    const first = await runCli([
      "train",
      ...["--dataset", "xor", "--samples", "60", "--test-fraction", "0.25", "--layers", "8"],
      ...["--optimizer", "adam", "--lr", "0.05", "--lr-schedule", "cosine", "--batch-size", "16"],
      ...["--steps", "12", "--l2", "0.001", "--seed", "7", "--out", "a", "--quiet"],
    ], { cwd });
    assert.equal(first.code, 0, first.stderr);
    const a = readRun(`${cwd}/a`);
    const words = a.command.split(" ");
    assert.deepEqual(words.slice(0, 3), ["deno", "task", "train"]);
    assert.ok(words.every((w) => !/['"\\]/.test(w)), a.command);
    const again = await runCli(["train", ...words.slice(3), "--out", "b", "--quiet"], { cwd });
    assert.equal(again.code, 0, again.stderr);
    const b = readRun(`${cwd}/b`);
    assert.deepEqual(b.config, a.config);
    assert.deepEqual(b.model, a.model);
    assert.deepEqual(b.final, a.final);
  });
});

Deno.test("train reads settings from --config and lets flags override them", async () => {
  await inTempDir(async (cwd) => {
    const r = await runCli(
      ["train", "--config", `${FIXTURES}/config_xor.json`, "--steps", "5", "--out", "x", "--quiet"],
      { cwd },
    );
    assert.equal(r.code, 0, r.stderr);
    const run = readRun(`${cwd}/x`);
    assert.equal(run.config.dataset, "xor");
    assert.equal(run.config.optimizer, "adam");
    assert.equal(run.config.lr, 0.1, "the default for adam, svm and relu (nn/train/default_lr.ts)");
    assert.equal(run.config.seed, 7);
    assert.equal(run.config.steps, 5);
    assert.deepEqual(run.config.layers, [8, 8]);
  });
});

Deno.test("train --config model.json reruns a run with the same settings", async () => {
  await inTempDir(async (cwd) => {
    const first = await runCli(
      ["train", "--dataset", "circles", "--noise", "0.05", "--steps", "15", "--out", "a"],
      { cwd },
    );
    assert.equal(first.code, 0, first.stderr);
    const again = await runCli(["train", "--config", "a/model.json", "--out", "b", "--quiet"], {
      cwd,
    });
    assert.equal(again.code, 0, again.stderr);
    const [a, b] = [readRun(`${cwd}/a`), readRun(`${cwd}/b`)];
    assert.deepEqual(b.config, a.config);
    assert.deepEqual(b.model, a.model);
  });
});

Deno.test("train --config model.json takes the data's size from the data, not the old run", async () => {
  await inTempDir(async (cwd) => {
    const spiral = await runCli(
      ["train", "--dataset", "spiral", "--samples", "90", "--steps", "2", "--out", "s", "--quiet"],
      { cwd },
    );
    assert.equal(spiral.code, 0, spiral.stderr);
    // 3 classes and 90 samples belong to the spiral, not to moons or to a CSV.
    for (const [out, dataset] of [["m", "moons"], ["c", `${FIXTURES}/script_header.csv`]]) {
      const r = await runCli(
        ["train", "--config", "s/model.json", "--dataset", dataset, "--out", out, "--quiet"],
        { cwd },
      );
      assert.equal(r.code, 0, r.stderr);
      const run = readRun(`${cwd}/${out}`);
      assert.equal(run.config.dataset, dataset);
      assert.equal(run.config.steps, 2, "the other settings carry over");
    }
    // A CSV file that has grown since its run is read as it is now.
    const csv = `${cwd}/grown.csv`;
    await Deno.copyFile(`${FIXTURES}/script_header.csv`, csv);
    const first = await runCli(["train", "--dataset", csv, "--steps", "2", "--out", "g1"], { cwd });
    assert.equal(first.code, 0, first.stderr);
    await Deno.writeTextFile(csv, "0.25,0.75,plain & simple\n", { append: true });
    const grown = await runCli(["train", "--config", "g1/model.json", "--out", "g2"], { cwd });
    assert.equal(grown.code, 0, grown.stderr);
    assert.equal(readRun(`${cwd}/g2`).config.samples, readRun(`${cwd}/g1`).config.samples + 1);
    assert.deepEqual(readRun(`${cwd}/m`).dataset, {
      kind: "generated",
      name: "moons",
      samples: 100,
      noise: 0.1,
      classes: 2,
      seed: 1337,
    });
  });
});

Deno.test("train --format ndjson prints one JSON object per line, the end naming the report", async () => {
  await inTempDir(async (cwd) => {
    const r = await runCli(
      ["train", "--dataset", "blobs", "--steps", "30", "--format", "ndjson", "--out", "o"],
      { cwd },
    );
    assert.equal(r.code, 0, r.stderr);
    const objects = lines(r.stdout).map((l) => JSON.parse(l));
    assert.ok(objects.length >= 2);
    for (const o of objects.slice(0, -1)) {
      assert.equal(o.type, "progress");
      assert.equal(o.steps, 30);
      assert.ok(Number.isFinite(o.loss) && Number.isFinite(o.accuracy) && Number.isFinite(o.lr));
    }
    const end = objects.at(-1);
    assert.equal(end.type, "end");
    assert.equal(end.status, "completed");
    assert.equal(end.report, "o/report.html");
  });
});

Deno.test("predict gives the classes and scores the model had at the end of training", async () => {
  await inTempDir(async (cwd) => {
    const t = await runCli(["train", "--dataset", MOONS_CSV, "--out", "m", "--quiet"], { cwd });
    assert.equal(t.code, 0, t.stderr);
    const run = readRun(`${cwd}/m`);
    const fromFile = await runCli(["predict", "--model", "m/model.json", "--input", MOONS_CSV], {
      cwd,
    });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const csv = Deno.readTextFileSync(MOONS_CSV);
    const fromStdin = await runCli(["predict", "--model", "m/model.json"], { cwd, stdin: csv });
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout, fromFile.stdout);

    const [header, ...rows] = lines(fromFile.stdout);
    assert.equal(header, "class,score");
    const points = lines(csv).slice(1).map((l) => l.split(",").map(Number));
    assert.equal(rows.length, points.length);
    const model = Mlp.fromJSON(run.model);
    let right = 0;
    rows.forEach((row, i) => {
      const [cls, score] = row.split(",");
      assert.equal(Number(score), model.predict(points[i].slice(0, 2))[0]);
      assert.equal(cls, Number(score) > 0 ? "1" : "0");
      if (Number(cls) === points[i][2]) right++;
    });
    assert.equal(right / rows.length, run.final?.trainAccuracy);
  });
});

Deno.test("train reads a CSV file whose name has no extension", async () => {
  await inTempDir(async (cwd) => {
    await Deno.copyFile(`${FIXTURES}/script_header.csv`, `${cwd}/points`);
    const r = await runCli(["train", "--dataset", "points", "--steps", "2", "--out", "o"], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readRun(`${cwd}/o`).dataset.kind, "csv");
  });
});

Deno.test("predict writes the class names a CSV gave", async () => {
  await inTempDir(async (cwd) => {
    const t = await runCli(
      ["train", "--dataset", `${FIXTURES}/script_header.csv`, "--steps", "5", "--out", "m"],
      { cwd },
    );
    assert.equal(t.code, 0, t.stderr);
    const p = await runCli(["predict", "--model", "m/model.json"], { cwd, stdin: "0.5,0.5\n" });
    assert.equal(p.code, 0, p.stderr);
    const [header, row] = lines(p.stdout);
    assert.equal(header, "class,score");
    assert.match(row, /^(<img src=x onerror=window\.pwned=2>|plain & simple),-?\d/);
  });
});

// The graph command is tested in tests/graph_cli_test.ts.

Deno.test("datasets lists each built-in dataset on one line", async () => {
  await inTempDir(async (cwd) => {
    const r = await runCli(["datasets"], { cwd });
    assert.equal(r.code, 0);
    assert.deepEqual(
      lines(r.stdout).map((l) => l.split(" ")[0]),
      [...BUILTIN_DATASETS],
    );
  });
});

Deno.test("every command has --help", async () => {
  await inTempDir(async (cwd) => {
    for (const command of ["train", "predict", "graph", "datasets"]) {
      const r = await runCli([command, "--help"], { cwd });
      assert.equal(r.code, 0, command);
      assert.match(r.stdout, new RegExp(`Usage: denograd ${command}`));
    }
    const top = await runCli(["--help"], { cwd });
    assert.equal(top.code, 0);
    assert.match(top.stdout, /train .*\n.*predict/);
    assert.deepEqual(listFiles(cwd), []);
  });
});

/**
 * Bad input: the args and a pattern the one stderr line must match. `scratch`
 * holds inputs that cannot be fixtures (`deno fmt` rejects malformed JSON).
 */
const badInputs = (scratch: string): [string, string[], RegExp][] => [
  ["a learning rate that is not a number", ["train", "--lr", "abc"], /'--lr' .*positive.*"abc"/],
  ["a negative learning rate", ["train", "--lr=-1"], /'--lr' must be a positive number.*"-1"/],
  [
    "a value that starts with '-' without '='",
    ["train", "--out", "-o"],
    /'--out' needs a value.*--out=VALUE/,
  ],
  [
    "a negative number is a value",
    ["train", "--lr", "-1"],
    /'--lr' must be a positive number.*"-1"/,
  ],
  ["zero steps", ["train", "--steps", "0"], /'--steps' must be an integer.*"0"/],
  ["fractional steps", ["train", "--steps", "2.5"], /'--steps' .*"2\.5"/],
  ["too many samples", ["train", "--samples", "1e9"], /'--samples' .*"1e9"/],
  ["negative noise", ["train", "--noise=-0.5"], /'--noise' .*"-0\.5"/],
  ["a test share of 1", ["train", "--test-fraction", "1"], /'--test-fraction' .*"1"/],
  ["zero layers", ["train", "--layers", "0"], /'--layers' .*integer from 1 .*"0"/],
  ["no layers", ["train", "--layers", ""], /'--layers' .*""/],
  ["a layer that is not a number", ["train", "--layers", "16,abc"], /'--layers' .*"16,abc"/],
  [
    "an unknown activation",
    ["train", "--activation", "softmax"],
    /'--activation' .*relu.*"softmax"/,
  ],
  ["an unknown dataset", ["train", "--dataset", "mnist"], /'--dataset' must be moons.*"mnist"/],
  [
    "a missing CSV",
    ["train", "--dataset", "nope/missing.csv"],
    /no file is at "nope\/missing\.csv"/,
  ],
  [
    "a malformed CSV",
    ["train", "--dataset", `${FIXTURES}/malformed.csv`],
    /malformed\.csv" is malformed: line 3, column 2 .*"oops"/,
  ],
  [
    "a config that is not JSON",
    ["train", "--config", `${scratch}/malformed_config.json`],
    /'--config' .*is not valid JSON/,
  ],
  [
    "a config with a bad value",
    ["train", "--config", `${FIXTURES}/config_bad_value.json`],
    /'lr' in the config file .*positive number.*"fast"/,
  ],
  [
    "a config with an unknown key",
    ["train", "--config", `${FIXTURES}/config_unknown_key.json`],
    /unknown setting "learningRate"/,
  ],
  [
    "a missing config",
    ["train", "--config", "nope.json"],
    /'--config' "nope\.json" cannot be read: no file/,
  ],
  [
    "bce on three classes",
    ["train", "--dataset", "spiral", "--loss", "bce"],
    /'--loss' .*3 classes.*"bce"/,
  ],
  ["classes for moons", ["train", "--classes", "4"], /'--classes' does not apply to moons/],
  [
    "noise for a CSV file",
    ["train", "--dataset", `${scratch}/good.csv`, "--noise", "0.3"],
    /'--noise' does not apply to a CSV file \(it has no noise\): current value is 0\.3/,
  ],
  [
    "samples for a CSV file",
    ["train", "--dataset", `${scratch}/good.csv`, "--samples", "50"],
    /'--samples' does not apply to a CSV file \(it has 24 rows\)/,
  ],
  [
    "classes for a regression dataset",
    ["train", "--dataset", "sine", "--classes", "3"],
    /'--classes' does not apply to sine/,
  ],
  [
    "a feature over an unknown input",
    ["train", "--features", "x1,x3*x1"],
    /'--features' is wrong: .*'x3' is not an input: expected one of x1, x2/,
  ],
  [
    "a feature with an unknown function",
    ["train", "--features", "log(x1)"],
    /'log' is not a function/,
  ],
  [
    "an empty feature",
    ["train", "--features", "x1,,x2"],
    /'--features' must be a comma list of expressions/,
  ],
  [
    "a feature that is not finite on the data",
    ["train", "--features", "sqrt(x1)"],
    /the feature "sqrt\(x1\)" must be a finite number for every point: it is NaN/,
  ],
  [
    "an empty layer size",
    ["train", "--layers", "16,,16"],
    /'--layers' must be 0 to 16 hidden layer sizes.*"16,,16"/,
  ],
  ["none with a size", ["train", "--layers", "none,4"], /'--layers' must be .*"none,4"/],
  [
    "a problem that does not fit the dataset",
    ["train", "--problem", "regression"],
    /'--problem' must be classification for moons: current value is "regression"/,
  ],
  [
    "a misspelt problem",
    ["train", "--problem", "regresion"],
    /'--problem' must be one of classification or regression: current value is "regresion"; did you mean regression\?/,
  ],
  [
    "a classification loss for regression",
    ["train", "--dataset", "reg-plane", "--loss", "svm"],
    /'--loss' must be mse or huber for regression: current value is "svm"/,
  ],
  [
    "a negative L1 weight",
    ["train", "--l1=-1"],
    /'--l1' must be a number from 0 to 1000000: current value is "-1"/,
  ],
  [
    "a misspelt dataset",
    ["train", "--dataset", "Spiral"],
    /current value is "Spiral"; did you mean spiral\?/,
  ],
  ...["__proto__", "constructor", "toString", "hasOwnProperty"].map((key) =>
    [
      `the config key ${key}`,
      ["train", "--config", `${scratch}/${key}.json`],
      new RegExp(`has an unknown setting "${key}"`),
    ] as [string, string[], RegExp]
  ),
  [
    "a misspelt config key",
    ["train", "--config", `${scratch}/stpes.json`],
    /has an unknown setting "stpes": did you mean steps\?/,
  ],
  [
    "resume from a missing file",
    ["train", "--resume", "nope.json"],
    /'--resume' "nope\.json" cannot be read: no file/,
  ],
  [
    "resume and config together",
    ["train", "--resume", "a.json", "--config", "b.json"],
    /'--resume' and '--config' do not go together/,
  ],
  [
    "an unknown output format",
    ["train", "--format", "xml"],
    /'--format' must be text or ndjson.*"xml"/,
  ],
  ["an unknown flag", ["train", "--learning-rate", "0.1"], /'--learning-rate' is not a known flag/],
  ["a value for a switch", ["train", "--quiet=yes"], /'--quiet' takes no value/],
  ["a stray argument", ["train", "moons"], /takes no plain arguments.*"moons"/],
  ["an unknown command", ["fly"], /"fly" is not a command/],
  ["predict without --model", ["predict"], /'--model' is missing/],
  ["a missing model file", ["predict", "--model", "nope.json"], /"nope\.json" cannot be read/],
  [
    "a model file of another shape",
    ["predict", "--model", `${FIXTURES}/other_shape_model.json`],
    /is not a denograd model file: 'format' is invalid/,
  ],
  ["graph without a point", ["graph", "--model", "nope.json"], /'--point' is missing/],
  ["graph in an unknown format", ["graph", "--format", "png"], /'--format' must be dot or svg/],
  ["a number in hex", ["train", "--samples", "0x10"], /'--samples' .*"0x10"/],
  ["a learning rate above the limit", ["train", "--lr", "1e13"], /'--lr' .*up to 1e12.*"1e13"/],
  [
    "a batch larger than the data",
    ["train", "--batch-size", "1000"],
    /'--batch-size' must be at most the 100 training samples .*1000/,
  ],
  [
    "a batch larger than the training split",
    ["train", "--test-fraction", "0.5", "--batch-size", "60"],
    /'--batch-size' must be at most the 50 training samples/,
  ],
  [
    "an --out that is a file",
    ["train", "--out", `${scratch}/a_file`],
    /'--out' must be a folder's path: ".*a_file" is a file/,
  ],
  [
    "a config whose JSON error quotes a line break",
    ["train", "--config", `${scratch}/junk_config.json`],
    /'--config' .*is not valid JSON/,
  ],
  [
    "an infinite number in a config",
    ["train", "--config", `${scratch}/huge_config.json`],
    /'steps' in the config file .*current value is Infinity$/m,
  ],
  ["a flag given twice", ["train", "--steps", "5", "--steps", "6"], /'--steps' is given more/],
  ["no command", [], /^Cannot run as no command is given: .*'denograd --help'/],
  [
    "an unknown flag of datasets",
    ["datasets", "--all"],
    /^Cannot list datasets as '--all' is not a known flag: see 'denograd datasets --help'$/m,
  ],
  [
    "a CSV with more than 10 classes",
    ["train", "--dataset", `${scratch}/twelve.csv`],
    /twelve\.csv" must have at most 10 classes: current count is 12/,
  ],
];

Deno.test("bad input gets exit code 2, one line on stderr and no files", async (t) => {
  const cwd = await tempDir();
  const scratch = await tempDir();
  try {
    await Deno.writeTextFile(`${scratch}/malformed_config.json`, '{"lr": 0.1, "steps": 10,\n');
    await Deno.writeTextFile(`${scratch}/junk_config.json`, "nope{\n");
    await Deno.writeTextFile(`${scratch}/huge_config.json`, '{"steps": 1e400}');
    await Deno.writeTextFile(`${scratch}/a_file`, "not a folder\n");
    const rows = Array.from({ length: 24 }, (_, i) => `${i % 5},${i % 7},${i % 12}`);
    await Deno.writeTextFile(`${scratch}/twelve.csv`, `a,b,label\n${rows.join("\n")}\n`);
    const rows24 = Array.from({ length: 24 }, (_, i) => `${i % 5},${i % 3},${i % 2}`);
    await Deno.writeTextFile(`${scratch}/good.csv`, `a,b,label\n${rows24.join("\n")}\n`);
    for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      await Deno.writeTextFile(`${scratch}/${key}.json`, `{"${key}": {}}`);
    }
    await Deno.writeTextFile(`${scratch}/stpes.json`, '{"stpes": 5}');
    const cases = badInputs(scratch);
    for (const [name, args, pattern] of cases) {
      await t.step(name, async () => {
        const r = await runCli(args, { cwd });
        assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
        assert.equal(lines(r.stderr).length, 1, r.stderr);
        assert.match(r.stderr, pattern);
        assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
        assert.equal(r.stdout, "");
        assert.deepEqual(listFiles(cwd), [], "nothing written");
      });
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
    await Deno.remove(scratch, { recursive: true });
  }
});

Deno.test("bad input in a run's model or points gets exit code 2", async (t) => {
  await inTempDir(async (cwd) => {
    const r = await runCli(["train", "--steps", "2", "--out", "m", "--quiet"], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const run = JSON.parse(Deno.readTextFileSync(`${cwd}/m/model.json`));
    const cases: [string, (doc: typeof run) => void, string[], RegExp][] = [
      [
        "points with four columns",
        () => {},
        ["predict", "--model", "bad.json", "--input", "p.csv"],
        /line 1 of "p\.csv" must have 2 numbers \(or 3 with a label\): current count is 4/,
      ],
      [
        "a point that is not a number",
        () => {},
        ["predict", "--model", "bad.json"],
        /line 2, column 2 of stdin must be a number: current value is "x"/,
      ],
      [
        "a model whose weights do not fit",
        (d) => d.model.layers[0].weights[0].push(1),
        ["predict", "--model", "bad.json"],
        /broken model: 'layers\[0\]\.weights\[0\]'/,
      ],
      [
        "a run file without its config",
        (d) => delete d.config,
        ["predict", "--model", "bad.json"],
        /'config' is invalid/,
      ],
      [
        "a graph point of the wrong size",
        () => {},
        ["graph", "--model", "bad.json", "--point", "1"],
        /'--point' must be 2 comma-separated numbers \(x1, x2\): current value is "1"/,
      ],
      [
        "a graph point in hex",
        () => {},
        ["graph", "--model", "bad.json", "--point", "0x1,2"],
        /'--point' must be 2 comma-separated numbers .*"0x1,2"/,
      ],
    ];
    Deno.writeTextFileSync(`${cwd}/p.csv`, "1,2,3,4\n");
    for (const [name, edit, args, pattern] of cases) {
      await t.step(name, async () => {
        const doc = structuredClone(run);
        edit(doc);
        Deno.writeTextFileSync(`${cwd}/bad.json`, JSON.stringify(doc));
        const p = await runCli(args, { cwd, stdin: "0,0\n1,x\n" });
        assert.equal(p.code, 2, p.stderr);
        assert.equal(lines(p.stderr).length, 1, p.stderr);
        assert.match(p.stderr, pattern);
        assert.equal(p.stdout, "");
      });
    }
  });
});

/** Starts a long run, waits for its first progress, then sends `signals` SIGINTs 20 ms apart. */
async function interruptRun(signals: number): Promise<void> {
  await inTempDir(async (cwd) => {
    const r = await signalRun(cwd, "c", Array(signals).fill("SIGINT"));
    const text = r.stdout;
    const stderr = r.stderr;
    assert.equal(r.code, 130);
    const err = lines(stderr);
    assert.match(err.at(-1)!, /^Cancelled at step \d+ of 1000000$/);
    const end = JSON.parse(lines(text).at(-1)!);
    assert.equal(end.type, "end");
    assert.equal(end.status, "cancelled");
    const run = readRun(`${cwd}/c`);
    assert.equal(run.status, "cancelled");
    const n = run.stoppedAtStep!;
    assert.ok(n > 0 && n < 1_000_000);
    assert.equal(end.stepsDone, n);
    assert.equal(lines(Deno.readTextFileSync(`${cwd}/c/history.csv`)).length, n + 1);
    const html = Deno.readTextFileSync(`${cwd}/c/report.html`);
    assert.match(html, new RegExp(`Cancelled at step ${n.toLocaleString("en-US")} of 1,000,000`));
    assert.ok(Mlp.fromJSON(run.model).predict([0, 0]).every(Number.isFinite));
  });
}

Deno.test("Ctrl-C cancels training, writes a partial report and exits with 130", async () => {
  await interruptRun(1);
});

Deno.test("one Ctrl-C that arrives twice (as under deno task) still writes the report", async () => {
  // `deno task` forwards the terminal's SIGINT to a child that already got it,
  // a few milliseconds later.
  await interruptRun(2);
});

Deno.test("a reader that stops reading (| head -1) does not stop the run", async () => {
  await inTempDir(async (cwd) => {
    const child = spawnCli(cwd, ["train", "--steps", "500", "--engine", "value", "--out", "h"]);
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.getReader();
    assert.ok(!(await reader.read()).done, "the run printed its first line");
    await reader.cancel();
    const status = await child.status;
    assert.equal(await stderr, "");
    assert.equal(status.code, 0);
    assert.equal(readRun(`${cwd}/h`).status, "completed");
  });
});

Deno.test("a diverging run exits with 1 and writes a report marked failed", async () => {
  await inTempDir(async (cwd) => {
    const r = await runCli(["train", "--lr", "1e6", "--steps", "200", "--out", "d"], { cwd });
    assert.equal(r.code, 1);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^Training diverged: .*loss at step \d+ (is not finite|grew more than)/);
    assert.match(lines(r.stdout).at(-1)!, /^Report: d\/report\.html$/);
    const run = readRun(`${cwd}/d`);
    assert.equal(run.status, "failed");
    const n = run.stoppedAtStep!;
    assert.ok(n > 0 && n < 200);
    // Steps 1 to n - 1 went well; step n's loss was not finite.
    assert.equal(lines(Deno.readTextFileSync(`${cwd}/d/history.csv`)).length, n);
    const html = Deno.readTextFileSync(`${cwd}/d/report.html`);
    const page = reportJson(html);
    assert.match(
      page.end.statusText,
      new RegExp(`^Failed after ${n - 1} steps?: Cannot train`),
    );
    assert.equal(page.end.confusion, undefined, "no confusion matrix without a usable model");
    const nd = await runCli(["train", "--lr", "1e6", "--format", "ndjson", "--out", "e"], { cwd });
    assert.equal(nd.code, 1);
    const end = JSON.parse(lines(nd.stdout).at(-1)!);
    assert.equal(end.status, "failed");
    assert.match(end.error, /loss at step \d+ (is not finite|grew more than)/);
    // Its weights may still be finite (huge): predict and graph refuse them.
    for (const command of [["predict"], ["graph", "--point", "0,0"]]) {
      const p = await runCli([...command, "--model", "d/model.json"], { cwd, stdin: "0,0\n" });
      assert.equal(p.code, 2, p.stderr);
      assert.match(p.stderr, /^Cannot \w+ as '--model' "d\/model\.json" comes from a failed run/);
      assert.equal(p.stdout, "");
    }
  });
});

Deno.test("an --out folder without write access is refused with one line", async () => {
  const cwd = await tempDir();
  const elsewhere = await tempDir();
  try {
    const r = await runCli(["train", "--steps", "2", "--out", `${elsewhere}/x`], { cwd });
    assert.equal(r.code, 2);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /no write access/);
    assert.deepEqual(listFiles(elsewhere), []);
  } finally {
    await Deno.remove(cwd, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});
