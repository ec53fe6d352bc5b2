/**
 * The one table of training settings. Each row is one setting: its key, its
 * `--flag`, the values it takes, its default, its help line, and how the
 * "Reproduce" command shows it. The CLI's flags, `--help`, config-file
 * checking, `model.json`, the worker protocol and {@linkcode TrainSettings}
 * all come from this table, so a new setting is one row plus its use.
 *
 * The table is plain data (no dependency), so that the library can share it;
 * the CLI turns each row's {@linkcode SettingKind} into a zod schema.
 *
 * @example Defaults that depend on other settings
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSettings } from "./settings.ts";
 * const demo = resolveSettings({});
 * assert.deepEqual([demo.loss, demo.optimizer, demo.lr, demo.steps], ["svm", "sgd", 1, 100]);
 * const fit = resolveSettings({ problem: "regression" });
 * assert.deepEqual([fit.loss, fit.optimizer, fit.activation], ["mse", "adam", "tanh"]);
 * ```
 *
 * @module
 */
import { type Activation, ACTIVATIONS } from "../model/activations.ts";
import {
  LOSS_FUNCTIONS,
  LOSS_NAMES,
  type LossName,
  type Problem,
  PROBLEMS,
} from "../model/losses.ts";
import { SCHEDULE_NAMES, type ScheduleName } from "../model/schedule.ts";
import { defaultLr } from "./default_lr.ts";

/** The losses that fit each problem. */
export const LOSSES_FOR: Readonly<Record<Problem, readonly LossName[]>> = {
  classification: LOSS_NAMES.filter((n) => LOSS_FUNCTIONS[n].problems.includes("classification")),
  regression: LOSS_NAMES.filter((n) => LOSS_FUNCTIONS[n].problems.includes("regression")),
};

/** The optimizers the loop knows by name; `momentum` is SGD with momentum 0.9. */
export type OptimizerName = "sgd" | "momentum" | "adam" | "adamw";

/** Every {@linkcode OptimizerName}. */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ["sgd", "momentum", "adam", "adamw"];

/** How a training step is computed: flat typed arrays, or micrograd's `Value` graph. */
export type EngineName = "compiled" | "value";

/** Every {@linkcode EngineName}. */
export const ENGINE_NAMES: readonly EngineName[] = ["compiled", "value"];

/** The datasets the CLI can generate, classification first. */
export const BUILTIN_DATASETS = [
  "moons",
  "circles",
  "xor",
  "spiral",
  "blobs",
  "reg-plane",
  "reg-gauss",
  "sine",
] as const;

/** A dataset the CLI can generate. */
export type BuiltinDataset = typeof BUILTIN_DATASETS[number];

/** The built-in datasets whose labels are real targets. */
export const REGRESSION_DATASETS: readonly BuiltinDataset[] = ["reg-plane", "reg-gauss", "sine"];

/** Whether `name` names a built-in dataset. */
export function isBuiltinDataset(name: string): name is BuiltinDataset {
  return (BUILTIN_DATASETS as readonly string[]).includes(name);
}

/** The values a setting takes, as plain data (the CLI makes a zod schema of it). */
export type SettingKind =
  | { readonly type: "text" }
  | { readonly type: "int"; readonly min: number; readonly max: number }
  | {
    readonly type: "number";
    readonly min: number;
    readonly max: number;
    /** Whether `min` itself is refused. */
    readonly aboveMin?: boolean;
  }
  | { readonly type: "choice"; readonly values: readonly string[] }
  | {
    readonly type: "ints";
    readonly min: number;
    readonly max: number;
    readonly maxLength: number;
    /** The word that stands for an empty list on the command line. */
    readonly empty: string;
  }
  | { readonly type: "texts"; readonly maxLength: number };

/** What a computed default or a "Reproduce" rule may read of the other settings. */
export type SettingsContext = Partial<TrainSettings>;

/**
 * Every training setting with its value's type: what `model.json` records as
 * `config`. The table {@linkcode SETTINGS} has one row for each.
 */
export interface TrainSettings {
  /** A built-in dataset's name or a CSV file's path. */
  dataset: string;
  /** Classification (class labels) or regression (real targets). */
  problem: Problem;
  /** Points to generate (built-in datasets). */
  samples: number;
  /** Noise of the generated points (built-in datasets). */
  noise: number;
  /** Classes of the data; 0 for regression. */
  classes: number;
  /** Share of the data held out for testing. */
  testFraction: number;
  /** The model's inputs as expressions over the data's inputs; none for the raw inputs. */
  features: string[];
  /** Hidden layer sizes; none for a linear model. */
  layers: number[];
  /** Hidden activation. */
  activation: Activation;
  /** The loss. */
  loss: LossName;
  /** The optimizer. */
  optimizer: OptimizerName;
  /** First learning rate. */
  lr: number;
  /** Learning-rate schedule. */
  lrSchedule: ScheduleName;
  /** Training steps (with a resumed run: the steps to add). */
  steps: number;
  /** Samples per step; 0 for all. */
  batchSize: number;
  /** L2 penalty weight. */
  l2: number;
  /** L1 penalty weight. */
  l1: number;
  /** The one seed of data, split, weights and batches. */
  seed: number;
  /** Which training path runs the steps. */
  engine: EngineName;
}

/** One row of the table: a setting whose values are of type `T`. */
export interface Setting<T> {
  /** The command-line flag, without `--`. */
  readonly flag: string;
  /** What it takes. */
  readonly kind: SettingKind;
  /** What it is made of, for an error message: "an integer from 1 to 1000000". */
  readonly expect: string;
  /** Its default: a value, or a function of the settings before it in the table. */
  readonly default: T | ((s: Readonly<SettingsContext>) => T);
  /** The default as `--help` shows it, when it is computed. */
  readonly defaultText?: string;
  /** The help line. */
  readonly help: string;
  /** The part of a run it configures: the data, the model, or the training loop. */
  readonly scope: "data" | "model" | "train";
  /**
   * Whether `--resume` may change it (`"change"`: it applies to the new
   * steps) or the resumed run keeps the run's value (`"keep"`: it fixes the
   * data, the model's shape or the optimizer's state).
   */
  readonly resume: "keep" | "change";
  /**
   * How the "Reproduce" command writes it: the flag's value, or `undefined`
   * when the command leaves it out. By default every value, as text.
   */
  readonly reproduce?: (value: T, s: Readonly<SettingsContext>) => string | undefined;
}

function choice<T extends string>(
  values: readonly T[],
): { kind: { type: "choice"; values: readonly T[] }; expect: string } {
  return { kind: { type: "choice", values }, expect: `one of ${orList(values)}` };
}

/** "a, b or c". */
export function orList(words: readonly string[]): string {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

const generated = (s: Readonly<SettingsContext>): boolean => isBuiltinDataset(s.dataset ?? "moons");
const byDefaultRegression = (s: Readonly<SettingsContext>): boolean => s.problem === "regression";

/** The default learning rate of each optimizer for regression (classification's is in {@linkcode DEFAULT_LR_TABLE}). */
export const REGRESSION_LR: Readonly<Record<OptimizerName, number>> = {
  sgd: 0.1,
  momentum: 0.01,
  adam: 0.01,
  adamw: 0.01,
};

/**
 * The default learning rate for the settings so far: for classification
 * {@linkcode defaultLr}'s table by optimizer, loss and activation (found by a
 * sweep: every combination trains with it), for regression
 * {@linkcode REGRESSION_LR}.
 */
export function defaultLrOf(s: Readonly<SettingsContext>): number {
  const optimizer = s.optimizer ?? "sgd";
  if (s.problem === "regression") return REGRESSION_LR[optimizer];
  return defaultLr({ optimizer, loss: s.loss ?? "svm", activation: s.activation ?? "relu" });
}

/**
 * The table. Rows are in the order `--help`, `model.json` and the "Reproduce"
 * command show them; a computed default may use the rows above it.
 */
export const SETTINGS: { readonly [K in keyof TrainSettings]: Setting<TrainSettings[K]> } = {
  dataset: {
    flag: "dataset",
    kind: { type: "text" },
    expect: `${orList(BUILTIN_DATASETS)}, or a CSV file's path`,
    default: "moons",
    help: `${BUILTIN_DATASETS.join(", ")}, or a CSV file's path`,
    scope: "data",
    resume: "keep",
  },
  problem: {
    flag: "problem",
    ...choice(PROBLEMS),
    default: (s) =>
      REGRESSION_DATASETS.includes(s.dataset as BuiltinDataset) ? "regression" : "classification",
    defaultText: "regression for reg-plane, reg-gauss, sine and CSV files with non-integer labels",
    help: "classification or regression",
    scope: "data",
    resume: "keep",
  },
  samples: {
    flag: "samples",
    kind: { type: "int", min: 2, max: 100_000 },
    expect: "an integer from 2 to 100000",
    default: 100,
    help: "points to generate",
    scope: "data",
    resume: "keep",
    reproduce: (v, s) => generated(s) ? String(v) : undefined,
  },
  noise: {
    flag: "noise",
    kind: { type: "number", min: 0, max: 10 },
    expect: "a number from 0 to 10",
    default: 0.1,
    help: "noise of the generated points",
    scope: "data",
    resume: "keep",
    reproduce: (v, s) => generated(s) ? String(v) : undefined,
  },
  classes: {
    flag: "classes",
    kind: { type: "int", min: 0, max: 10 },
    expect: "an integer from 2 to 10",
    default: (s) =>
      s.problem === "regression" ? 0 : s.dataset === "spiral" || s.dataset === "blobs" ? 3 : 2,
    defaultText: "3 for spiral and blobs; the data's own otherwise",
    help: "classes (arms, clusters) for spiral and blobs",
    scope: "data",
    resume: "keep",
    reproduce: (v, s) => s.dataset === "spiral" || s.dataset === "blobs" ? String(v) : undefined,
  },
  testFraction: {
    flag: "test-fraction",
    kind: { type: "number", min: 0, max: 0.9 },
    expect: "a number from 0 to 0.9",
    default: 0,
    help: "share of the data held out for testing",
    scope: "data",
    resume: "keep",
  },
  features: {
    flag: "features",
    kind: { type: "texts", maxLength: 64 },
    expect: "a comma list of expressions over the inputs, e.g. x1,x2,x1*x2,sin(x1)",
    default: [],
    defaultText: "the raw inputs",
    help: "the model's inputs: x1,x2,x1^2,x2^2,x1*x2,sin(x1),sin(x2) or CSV header names",
    scope: "data",
    resume: "keep",
    reproduce: (v) => v.length === 0 ? undefined : v.join(","),
  },
  layers: {
    flag: "layers",
    kind: { type: "ints", min: 1, max: 1024, maxLength: 16, empty: "none" },
    expect: "0 to 16 hidden layer sizes, each an integer from 1 to 1024 (e.g. 16,16), or none",
    default: [16, 16],
    help: "hidden layer sizes, or none for a linear model",
    scope: "model",
    resume: "keep",
    reproduce: (v) => v.length === 0 ? "none" : v.join(","),
  },
  activation: {
    flag: "activation",
    ...choice(ACTIVATIONS),
    default: (s) => byDefaultRegression(s) ? "tanh" : "relu",
    defaultText: "relu; tanh for regression",
    help: "hidden activation: relu, tanh, sigmoid or linear",
    scope: "model",
    resume: "keep",
  },
  loss: {
    flag: "loss",
    ...choice(LOSS_NAMES),
    default: (s) => byDefaultRegression(s) ? "mse" : (s.classes ?? 2) === 2 ? "svm" : "ce",
    defaultText: "svm for 2 classes, ce for more, mse for regression",
    help: "svm, mse, bce or ce (classification); mse or huber (regression)",
    scope: "train",
    resume: "keep",
  },
  optimizer: {
    flag: "optimizer",
    ...choice(OPTIMIZER_NAMES),
    default: (s) => byDefaultRegression(s) ? "adam" : "sgd",
    defaultText: "sgd; adam for regression",
    help: "sgd, momentum (SGD with momentum 0.9), adam or adamw",
    scope: "train",
    resume: "keep",
  },
  lr: {
    flag: "lr",
    kind: { type: "number", min: 0, max: 1e12, aboveMin: true },
    expect: "a positive number up to 1e12",
    default: defaultLrOf,
    defaultText: "by optimizer, loss and activation (see below)",
    help: "first learning rate (with --resume: by default the run's last)",
    scope: "train",
    resume: "change",
  },
  lrSchedule: {
    flag: "lr-schedule",
    ...choice(SCHEDULE_NAMES),
    default: (s) => byDefaultRegression(s) ? "constant" : "linear",
    defaultText: "linear; constant for regression",
    help: "constant, linear (micrograd's 1 - 0.9 k/steps) or cosine; " +
      "with --resume it goes on from the lr over the new steps",
    scope: "train",
    resume: "change",
  },
  steps: {
    flag: "steps",
    kind: { type: "int", min: 1, max: 1_000_000 },
    expect: "an integer from 1 to 1000000",
    default: (s) => byDefaultRegression(s) ? 500 : 100,
    defaultText: "100; 500 for regression",
    help: "training steps (with --resume: steps to add)",
    scope: "train",
    resume: "change",
  },
  batchSize: {
    flag: "batch-size",
    kind: { type: "int", min: 0, max: 100_000 },
    expect: "an integer from 0 to 100000 (0 for the whole set)",
    default: 0,
    help: "samples per step, 0 for all",
    scope: "train",
    resume: "change",
  },
  l2: {
    flag: "l2",
    kind: { type: "number", min: 0, max: 1e6 },
    expect: "a number from 0 to 1000000",
    default: (s) => byDefaultRegression(s) ? 0 : 1e-4,
    defaultText: "0.0001 (micrograd's); 0 for regression",
    help: "L2 penalty weight: adds l2 * sum(p^2) to the loss",
    scope: "train",
    resume: "change",
  },
  l1: {
    flag: "l1",
    kind: { type: "number", min: 0, max: 1e6 },
    expect: "a number from 0 to 1000000",
    default: 0,
    help: "L1 penalty weight: adds l1 * sum(abs(p)) to the loss",
    scope: "train",
    resume: "change",
  },
  seed: {
    flag: "seed",
    kind: { type: "int", min: 0, max: 2 ** 32 - 1 },
    expect: "an integer from 0 to 4294967295",
    default: 1337,
    help: "the one seed of data, split, weights and batches",
    scope: "train",
    resume: "keep",
  },
  engine: {
    flag: "engine",
    ...choice(ENGINE_NAMES),
    default: "compiled",
    help: "compiled (flat typed arrays) or value (micrograd's Value graph): same numbers",
    scope: "train",
    resume: "change",
  },
};

/** The name of a setting. */
export type SettingKey = keyof TrainSettings;

/**
 * The default of one setting, given the settings it may depend on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultOf } from "./settings.ts";
 * assert.equal(defaultOf("dataset"), "moons");
 * assert.equal(defaultOf("steps", { problem: "regression" }), 500);
 * ```
 */
export function defaultOf<K extends SettingKey>(
  key: K,
  context: Readonly<SettingsContext> = {},
): TrainSettings[K] {
  const d: unknown = SETTINGS[key].default;
  return (typeof d === "function" ? d(context) : structuredClone(d)) as TrainSettings[K];
}

/** The largest value a numeric setting (or a list's entries) may take. */
export function maxOf(key: SettingKey): number {
  const kind = SETTINGS[key].kind;
  return "max" in kind ? kind.max : Infinity;
}

/** The setting names, in table order. */
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** Whether `key` names a setting (an own key of the table: `__proto__` is not one). */
export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTINGS, key);
}

/**
 * Fills in every default, row by row, so that a computed default sees the
 * settings above it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSettings } from "./settings.ts";
 * assert.equal(resolveSettings({ optimizer: "adam", problem: "regression" }).lr, 0.01);
 * assert.equal(resolveSettings({ optimizer: "adam", lr: 0.5 }).lr, 0.5);
 * ```
 */
export function resolveSettings(given: Readonly<Partial<TrainSettings>>): TrainSettings {
  const out: Partial<TrainSettings> = {};
  const set = out as Record<SettingKey, unknown>;
  for (const key of SETTING_KEYS) set[key] = given[key] ?? defaultOf(key, out);
  return out as TrainSettings;
}

/** The settings of the training loop: the rows of scope "train", and the problem. */
export type LoopSettings = Pick<
  TrainSettings,
  | "problem"
  | "loss"
  | "optimizer"
  | "lr"
  | "lrSchedule"
  | "steps"
  | "batchSize"
  | "l2"
  | "l1"
  | "seed"
  | "engine"
>;

/** The keys of {@linkcode LoopSettings}, from the table. */
export const LOOP_KEYS: readonly (keyof LoopSettings)[] = SETTING_KEYS.filter((k) =>
  SETTINGS[k].scope === "train" || k === "problem"
) as (keyof LoopSettings)[];

/**
 * The settings of the training loop out of a larger object (every setting, or
 * a worker's spec).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loopSettings, resolveSettings } from "./settings.ts";
 * const loop = loopSettings(resolveSettings({ steps: 7 }));
 * assert.equal(loop.steps, 7);
 * assert.equal("layers" in loop, false);
 * ```
 */
export function loopSettings(s: Readonly<LoopSettings>): LoopSettings {
  return Object.fromEntries(LOOP_KEYS.map((k) => [k, s[k]])) as LoopSettings;
}

/**
 * Checks one setting's value against its row of the table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSetting } from "./settings.ts";
 * assert.equal(checkSetting("lr", 0.5), 0.5);
 * assert.throws(() => checkSetting("lr", -1), /'lr' must be a positive number up to 1e12: current value is -1/);
 * ```
 *
 * @throws {RangeError} naming the setting, what it takes and the value.
 */
export function checkSetting<K extends SettingKey>(key: K, value: unknown): TrainSettings[K] {
  const row = SETTINGS[key];
  const k = row.kind;
  const int = (v: unknown, min: number, max: number) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  let ok: boolean;
  switch (k.type) {
    case "text":
      ok = typeof value === "string" && value.length > 0;
      break;
    case "int":
      ok = int(value, k.min, k.max);
      break;
    case "number":
      ok = typeof value === "number" && (k.aboveMin ? value > k.min : value >= k.min) &&
        value <= k.max;
      break;
    case "choice":
      ok = k.values.includes(value as string);
      break;
    case "ints":
      ok = Array.isArray(value) && value.length <= k.maxLength &&
        value.every((v) => int(v, k.min, k.max));
      break;
    case "texts":
      ok = Array.isArray(value) && value.length <= k.maxLength &&
        value.every((v) => typeof v === "string" && v.trim() !== "");
      break;
  }
  if (!ok) {
    throw new RangeError(
      `Cannot train as '${key}' must be ${row.expect}: current value is ${
        JSON.stringify(value) ?? String(value)
      }`,
    );
  }
  return value as TrainSettings[K];
}

/** The `--flag value` pairs of the "Reproduce" command of `s`, in table order. */
export function settingsArgs(s: Readonly<TrainSettings>): string[] {
  const args: string[] = [];
  for (const key of SETTING_KEYS) {
    const row = SETTINGS[key] as Setting<unknown>;
    const value = s[key];
    const text = row.reproduce ? row.reproduce(value, s) : String(value);
    if (text !== undefined) args.push(`--${row.flag}`, text);
  }
  return args;
}
