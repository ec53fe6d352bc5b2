import assert from "node:assert/strict";
import {
  defaultOf,
  loopSettings,
  makeSine,
  Mlp,
  resolveSettings,
  resolveTrainOptions,
  SETTING_KEYS,
  SETTINGS,
  type TrainSettings,
  trainSteps,
} from "../mod.ts";
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
    assert.ok(row.help.length > 5 && row.expect.length > 5, key);
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

Deno.test("the README's flag table has every setting's row, as the table says it", () => {
  const readme = Deno.readTextFileSync(new URL("../docs/cli.md", import.meta.url));
  for (const key of SETTING_KEYS) {
    const row = SETTINGS[key];
    const line = readme.split("\n").find((l) => l.startsWith(`| \`--${row.flag}\``));
    assert.ok(line !== undefined, `README has a row for --${row.flag}`);
    assert.ok(line.includes(row.help), `README's --${row.flag} row has its help: ${row.help}`);
  }
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
