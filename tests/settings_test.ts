import assert from "node:assert/strict";
import {
  checkSetting,
  checkSettings,
  defaultOf,
  expectOf,
  loopSettings,
  makeSine,
  Mlp,
  resolveSettings,
  resolveTrainOptions,
  type Setting,
  SETTING_KEYS,
  settingProblem,
  SETTINGS,
  summaryParts,
  type TrainSettings,
  trainSteps,
} from "../mod.ts";
import { FLAGS_DOC, withFlagTable } from "../cli/flags_doc.ts";
import { configFromFlags, configFromJson } from "../cli/config.ts";
import { parseFlags } from "../cli/_flags.ts";
import { configFlagOptions } from "../cli/config.ts";
import { reproduceCommand } from "../cli/setup.ts";
import { TRAIN_HELP } from "../cli/train.ts";
import { settingSchema, TrainSettingsSchema } from "../workers/protocol.ts";

const CONTEXTS: Partial<TrainSettings>[] = [
  {},
  { problem: "regression", dataset: "sine" },
  { dataset: "spiral", optimizer: "adam" },
  { optimizer: "momentum", activation: "tanh", loss: "mse" },
];

Deno.test("every row of the settings table has its own flag, help line and a valid default", () => {
  const flags = SETTING_KEYS.map((k) => SETTINGS[k].flag);
  assert.equal(new Set(flags).size, flags.length, "flags are unique");
  for (const key of SETTING_KEYS) {
    const row = SETTINGS[key];
    assert.match(row.flag, /^[a-z][a-z0-9-]*$/, key);
    assert.ok(row.help.length > 5 && expectOf(key).length > 5, key);
    assert.ok(TRAIN_HELP.includes(`--${row.flag} `), `--help names --${row.flag}`);
    for (const context of CONTEXTS) {
      const value = defaultOf(key, context);
      assert.ok(settingSchema(key).safeParse(value).success, `${key}: ${JSON.stringify(value)}`);
    }
  }
});

Deno.test("resolved settings pass the model.json schema, whatever the context", () => {
  for (const context of CONTEXTS) {
    const s = resolveSettings(context);
    assert.deepEqual(TrainSettingsSchema.parse(s), s);
  }
});

Deno.test("computed defaults follow the settings above them", () => {
  assert.deepEqual(
    [resolveSettings({}).loss, resolveSettings({ dataset: "spiral" }).loss],
    ["svm", "ce"],
  );
  const fit = resolveSettings({ problem: "regression" });
  assert.deepEqual([fit.loss, fit.optimizer, fit.l2, fit.steps], ["mse", "adam", 0, 500]);
  assert.equal(resolveSettings({ optimizer: "momentum" }).lr, 0.1);
  assert.equal(resolveSettings({ optimizer: "momentum", lr: 0.3 }).lr, 0.3);
});

/** Splits a command as a POSIX shell would, for words that are plain or single-quoted. */
function shellWords(command: string): string[] {
  return [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replaceAll("'\\''", "'") : m[2]
  );
}

Deno.test("the Reproduce command, parsed as flags, gives back the same settings", () => {
  const configs: Partial<TrainSettings>[] = [
    {},
    { dataset: "spiral", classes: 4, layers: [32, 32], optimizer: "adam", steps: 300 },
    { dataset: "sine", problem: "regression", layers: [], l1: 0.001, testFraction: 0.2 },
    { features: ["x1", "x2", "x1*x2", "sin(x1)"], noise: 0.25, batchSize: 10, engine: "value" },
  ];
  for (const given of configs) {
    const config = resolveSettings(given);
    const command = reproduceCommand(config);
    assert.match(command, /^deno task train /);
    const args = shellWords(command).slice(3);
    const { values } = parseFlags("train", args, configFlagOptions());
    const back = resolveSettings({ ...configFromFlags(values), problem: config.problem });
    assert.deepEqual(back, config, command);
  }
});

Deno.test("config files are checked against the table, own keys only", () => {
  assert.deepEqual(configFromJson({ steps: 5, lrSchedule: "cosine" }, "c.json"), {
    steps: 5,
    lrSchedule: "cosine",
  });
  for (const key of ["__proto__", "constructor", "toString", "valueOf"]) {
    const doc = JSON.parse(`{"${key}": 1}`);
    assert.throws(() => configFromJson(doc, "c.json"), /unknown setting/);
  }
  assert.throws(() => configFromJson({ steps: 0 }, "c.json"), /'steps' .*integer from 1/);
});

Deno.test("the loop's settings are picked from the table's train rows", () => {
  const loop = loopSettings(resolveSettings({ steps: 9 }));
  const trainKeys = SETTING_KEYS.filter((k) => SETTINGS[k].scope === "train");
  assert.deepEqual(Object.keys(loop).sort(), [...trainKeys, "problem"].sort());
  assert.equal(loop.steps, 9);
});

Deno.test("docs/flags.md's flag table is the one made from the settings table", () => {
  const doc = Deno.readTextFileSync(FLAGS_DOC);
  assert.equal(doc, withFlagTable(doc), "run deno task flags");
  for (const key of SETTING_KEYS) {
    const row = SETTINGS[key];
    const line = doc.split("\n").find((l) => l.startsWith(`| \`--${row.flag}\` | \`${key}\` |`));
    assert.ok(line !== undefined, `docs/flags.md has a row for --${row.flag}`);
    assert.ok(line.includes(row.resume === "keep" ? "| kept |" : "| may change |"), key);
  }
});

Deno.test("one check of a value: the library, the flags, config files and the worker's schemas agree", () => {
  const cases: [keyof TrainSettings, unknown][] = [
    ["lr", -1],
    ["lr", 0],
    ["steps", 1.5],
    ["activation", "swish"],
    ["dataset", "x".repeat(4097)],
    ["features", ["x".repeat(201)]],
    ["layers", [0]],
    ["testFraction", 0.95],
  ];
  for (const [key, value] of cases) {
    const problem = settingProblem(key, value);
    assert.ok(problem !== undefined, `${key}: ${JSON.stringify(value)}`);
    assert.throws(() => checkSetting(key, value), { message: `Cannot train as ${problem}` });
    const parsed = settingSchema(key).safeParse(value);
    assert.equal(parsed.error?.issues[0].message, problem);
    assert.throws(() => configFromJson({ [key]: value }, "c.json"), /must be/);
  }
  assert.deepEqual(settingSchema("features").parse([" x1 "]), ["x1"]);
  assert.deepEqual(checkSettings({ steps: 3 }), { steps: 3 });
  assert.throws(() => checkSettings({ step: 3 }), TypeError);
});

Deno.test("one rule for defaults: the library's default loss is the CLI's for the same outputs", () => {
  const data = makeSine({ samples: 20, seed: 1 });
  const classes = (k: number) => ({ x: data.x, y: data.x.map((_, i) => i % k), classes: k });
  const cases: [number, number, string][] = [[2, 1, "svm"], [3, 3, "ce"], [2, 2, "ce"]];
  for (const [k, outputs, want] of cases) {
    const model = new Mlp(1, [4, outputs]);
    assert.equal(resolveTrainOptions(model, classes(k)).loss, want, `${k} classes, ${outputs}`);
    assert.equal(resolveSettings({ classes: k }, { outputs }).loss, want);
  }
  assert.equal(resolveSettings({ classes: 3 }).loss, "ce");
  assert.equal(
    resolveTrainOptions(new Mlp(1, [4, 1]), data).loss,
    resolveSettings({ dataset: "sine" }).loss,
  );
});

Deno.test("the report's summary rows are made from the table's summary parts", () => {
  const parts = summaryParts(resolveSettings({ optimizer: "adam", lr: 0.05, batchSize: 8 }));
  assert.deepEqual(parts.find(([label]) => label === "Optimizer"), [
    "Optimizer",
    "adam, lr 0.05, linear schedule",
  ]);
  assert.deepEqual(parts.find(([label]) => label === "Steps"), ["Steps", "100 asked, batch 8"]);
  const labels = new Set(
    SETTING_KEYS.flatMap((k) => (SETTINGS[k] as Setting<unknown>).summary?.label ?? []),
  );
  assert.deepEqual(parts.map(([label]) => label), [...labels]);
});

Deno.test("the library reads data with no classes as a regression, with the table's regression defaults", () => {
  const data = makeSine({ samples: 40, seed: 1 });
  const model = new Mlp(1, [8, 1], { activation: "tanh" });
  const o = resolveTrainOptions(model, data);
  assert.deepEqual([o.problem, o.loss, o.optimizer, o.lrSchedule, o.l2], [
    "regression",
    "mse",
    "adam",
    "constant",
    0,
  ]);
  const first = trainSteps(model, data, { steps: 1 }).next().value!;
  assert.equal(first.accuracy, undefined);
  assert.ok(Number.isFinite(first.r2));
  assert.throws(() => resolveTrainOptions(model, data, { problem: "classification" }), /'model'/);
});
