/**
 * The one table of training settings. Each row is one setting: its key (as
 * `model.json`'s `config` names it), its `--flag`, the values it takes, its
 * default, its help line, whether `--resume` may change it, how the report's
 * summary and the "Reproduce" command show it. The types
 * ({@linkcode TrainSettings}, {@linkcode LoopSettings}, the library's
 * `TrainOptions`), the one check of a value ({@linkcode checkSetting}), the
 * one rule for defaults ({@linkcode resolveSettings}), the CLI's flags and
 * `--help`, config-file and `model.json` checking, the worker protocol, the
 * resume rules, the report's summary and the flag table of `docs/flags.md`
 * all come from this table: a new setting is one row plus its use.
 *
 * The table is plain data (no dependency), so that the library, the CLI and
 * the pages share it: iterate {@linkcode SETTING_KEYS} over
 * {@linkcode SETTINGS}, and check a whole config with
 * {@linkcode checkSettings} or fill it in with {@linkcode resolveSettings}.
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
  defaultLoss,
  LOSS_FUNCTIONS,
  LOSS_NAMES,
  type LossName,
  type Problem,
  PROBLEMS,
} from "../model/losses.ts";
import { SCHEDULE_NAMES, type ScheduleName } from "../model/schedule.ts";
import { defaultLr } from "./default_lr.ts";
import { orList } from "./or_list.ts";

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

/** The values a setting takes, as plain data (the CLI makes its flags and schemas of it). */
export type SettingKind =
  | {
    readonly type: "text";
    /** The longest text taken. */
    readonly maxChars: number;
  }
  | {
    readonly type: "int";
    readonly min: number;
    readonly max: number;
    /** A word also taken, for a value computed at run time (`auto`). */
    readonly word?: string;
  }
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
  | {
    readonly type: "texts";
    readonly maxLength: number;
    /** The longest entry taken. */
    readonly maxChars: number;
  };

/** The type of the values of a {@linkcode SettingKind}: what a row's setting holds. */
export type KindValue<K> = K extends { type: "text" } ? string
  : K extends { type: "int"; word: infer W } ? number | W
  : K extends { type: "int" | "number" } ? number
  : K extends { type: "choice"; values: readonly (infer V)[] } ? V
  : K extends { type: "ints" } ? number[]
  : K extends { type: "texts" } ? string[]
  : never;

/**
 * What a computed default or a "Reproduce" rule may read: the settings above
 * it in the table, and, when a model is given (the library's
 * `trainSteps`), its output count.
 */
export interface SettingsContext extends Partial<TrainSettings> {
  /** The model's outputs, when a model is given: the default loss follows them. */
  outputs?: number;
}

/** Where a setting shows in the report's summary table. */
export interface SummaryPart<T> {
  /** The row's label; settings with the same label share a row, in table order. */
  readonly label: string;
  /** How the value reads there; by default as text. */
  readonly text?: (value: T) => string;
}

/** One row of the table: a setting whose values are of type `T`. */
export interface Setting<T> {
  /** The command-line flag, without `--`. */
  readonly flag: string;
  /** What it takes. */
  readonly kind: SettingKind;
  /**
   * What it is made of, for an error message ("an integer from 1 to
   * 1000000"), when the kind does not say it well: see {@linkcode expectOf}.
   */
  readonly expect?: string;
  /** Its default: a value, or a function of the settings before it in the table. */
  readonly default: T | ((s: SettingsContext) => T);
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
  /** Where the report's summary shows it; absent when a row of the run's own shows it. */
  readonly summary?: SummaryPart<T>;
  /**
   * How the "Reproduce" command writes it: the flag's value, or `undefined`
   * when the command leaves it out. By default every value, as text.
   */
  readonly reproduce?: (value: T, s: SettingsContext) => string | undefined;
}

const generated = (s: SettingsContext): boolean => isBuiltinDataset(s.dataset ?? "moons");
const byDefaultRegression = (s: SettingsContext): boolean => s.problem === "regression";
const multiClass = (s: SettingsContext): boolean => s.dataset === "spiral" || s.dataset === "blobs";

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
export function defaultLrOf(s: SettingsContext): number {
  const optimizer = s.optimizer ?? "sgd";
  if (s.problem === "regression") return REGRESSION_LR[optimizer];
  return defaultLr({ optimizer, loss: s.loss ?? "svm", activation: s.activation ?? "relu" });
}

/**
 * The table. Rows are in the order `--help`, `model.json` and the "Reproduce"
 * command show them; a computed default may use the rows above it. Each row
 * is a {@linkcode Setting} of its value's type.
 */
export const SETTINGS = {
  dataset: {
    flag: "dataset",
    kind: { type: "text", maxChars: 4096 },
    expect: `${orList(BUILTIN_DATASETS)}, or a CSV file's path` as string,
    default: "moons",
    help: `${BUILTIN_DATASETS.join(", ")}, or a CSV file's path` as string,
    scope: "data",
    resume: "keep",
  },
  problem: {
    flag: "problem",
    kind: { type: "choice", values: PROBLEMS as readonly Problem[] },
    default: (s: SettingsContext): Problem =>
      REGRESSION_DATASETS.includes(s.dataset as BuiltinDataset) ? "regression" : "classification",
    defaultText: "regression for reg-plane, reg-gauss, sine and CSV files with non-integer labels",
    help: orList(PROBLEMS) as string,
    scope: "data",
    resume: "keep",
    summary: { label: "Problem" },
  },
  samples: {
    flag: "samples",
    kind: { type: "int", min: 2, max: 100_000 },
    default: 100,
    help: "points to generate",
    scope: "data",
    resume: "keep",
    reproduce: (v: number, s: SettingsContext): string | undefined =>
      generated(s) ? String(v) : undefined,
  },
  noise: {
    flag: "noise",
    kind: { type: "number", min: 0, max: 10 },
    default: 0.1,
    help: "noise of the generated points",
    scope: "data",
    resume: "keep",
    reproduce: (v: number, s: SettingsContext): string | undefined =>
      generated(s) ? String(v) : undefined,
  },
  classes: {
    flag: "classes",
    kind: { type: "int", min: 0, max: 10 },
    expect: "an integer from 2 to 10",
    default: (s: SettingsContext): number => s.problem === "regression" ? 0 : multiClass(s) ? 3 : 2,
    defaultText: "3 for spiral and blobs; the data's own otherwise",
    help: "classes (arms, clusters) for spiral and blobs",
    scope: "data",
    resume: "keep",
    reproduce: (v: number, s: SettingsContext): string | undefined =>
      multiClass(s) ? String(v) : undefined,
  },
  testFraction: {
    flag: "test-fraction",
    kind: { type: "number", min: 0, max: 0.9 },
    default: 0,
    help: "share of the data held out for testing",
    scope: "data",
    resume: "keep",
    summary: {
      label: "Test share",
      text: (v: number): string => v > 0 ? `${v}` : "none (all data trains)",
    },
  },
  features: {
    flag: "features",
    kind: { type: "texts", maxLength: 64, maxChars: 200 },
    expect: "a comma list of expressions over the inputs, e.g. x1,x2,x1*x2,sin(x1)",
    default: [] as string[],
    defaultText: "the raw inputs",
    help: "the model's inputs: x1,x2,x1^2,x2^2,x1*x2,sin(x1),sin(x2) or CSV header names",
    scope: "data",
    resume: "keep",
    reproduce: (v: string[]): string | undefined => v.length === 0 ? undefined : v.join(","),
  },
  layers: {
    flag: "layers",
    kind: { type: "ints", min: 1, max: 1024, maxLength: 16, empty: "none" },
    expect: "0 to 16 hidden layer sizes, each an integer from 1 to 1024 (e.g. 16,16), or none",
    default: [16, 16] as number[],
    help: "hidden layer sizes, or none for a linear model",
    scope: "model",
    resume: "keep",
    reproduce: (v: number[]): string => v.length === 0 ? "none" : v.join(","),
  },
  activation: {
    flag: "activation",
    kind: { type: "choice", values: ACTIVATIONS as readonly Activation[] },
    default: (s: SettingsContext): Activation => byDefaultRegression(s) ? "tanh" : "relu",
    defaultText: "relu; tanh for regression",
    help: `hidden activation: ${orList(ACTIVATIONS)}` as string,
    scope: "model",
    resume: "keep",
  },
  loss: {
    flag: "loss",
    kind: { type: "choice", values: LOSS_NAMES as readonly LossName[] },
    // The model's outputs decide (svm for one, ce for several); without a model, the classes.
    default: (s: SettingsContext): LossName =>
      defaultLoss(s.outputs ?? ((s.classes ?? 2) === 2 ? 1 : s.classes ?? 2), s.problem),
    defaultText: "svm for 2 classes, ce for more, mse for regression",
    help: `${orList(LOSSES_FOR.classification)} (classification); ${
      orList(LOSSES_FOR.regression)
    } (regression)` as string,
    scope: "train",
    resume: "keep",
    summary: { label: "Loss" },
  },
  optimizer: {
    flag: "optimizer",
    kind: { type: "choice", values: OPTIMIZER_NAMES as readonly OptimizerName[] },
    default: (s: SettingsContext): OptimizerName => byDefaultRegression(s) ? "adam" : "sgd",
    defaultText: "sgd; adam for regression",
    help: "sgd, momentum (SGD with momentum 0.9), adam or adamw",
    scope: "train",
    resume: "keep",
    summary: { label: "Optimizer" },
  },
  lr: {
    flag: "lr",
    kind: { type: "number", min: 0, max: 1e12, aboveMin: true },
    default: defaultLrOf as (s: SettingsContext) => number,
    defaultText: "by optimizer, loss and activation; see the table below",
    help: "first learning rate (with --resume: by default the run's last)",
    scope: "train",
    resume: "change",
    summary: { label: "Optimizer", text: (v: number): string => `lr ${v}` },
  },
  lrSchedule: {
    flag: "lr-schedule",
    kind: { type: "choice", values: SCHEDULE_NAMES as readonly ScheduleName[] },
    default: (s: SettingsContext): ScheduleName => byDefaultRegression(s) ? "constant" : "linear",
    defaultText: "linear; constant for regression",
    help: "constant, linear (micrograd's 1 - 0.9 k/steps) or cosine (resumed: over the new steps)",
    scope: "train",
    resume: "change",
    summary: { label: "Optimizer", text: (v: string): string => `${v} schedule` },
  },
  steps: {
    flag: "steps",
    kind: { type: "int", min: 1, max: 1_000_000 },
    default: (s: SettingsContext): number => byDefaultRegression(s) ? 500 : 100,
    defaultText: "100; 500 for regression",
    help: "training steps (with --resume: steps to add)",
    scope: "train",
    resume: "change",
    summary: { label: "Steps", text: (v: number): string => `${v.toLocaleString("en-US")} asked` },
  },
  batchSize: {
    flag: "batch-size",
    kind: { type: "int", min: 0, max: 100_000 },
    expect: "an integer from 0 to 100000 (0 for the whole set)",
    default: 0,
    help: "samples per step, 0 for all",
    scope: "train",
    resume: "change",
    summary: {
      label: "Steps",
      text: (v: number): string => `batch ${v === 0 ? "all" : v.toLocaleString("en-US")}`,
    },
  },
  l2: {
    flag: "l2",
    kind: { type: "number", min: 0, max: 1e6 },
    default: (s: SettingsContext): number => byDefaultRegression(s) ? 0 : 1e-4,
    defaultText: "0.0001 (micrograd's); 0 for regression",
    help: "L2 penalty weight: adds l2 * sum(p^2) to the loss",
    scope: "train",
    resume: "change",
    summary: { label: "Loss", text: (v: number): string => `L2 ${v}` },
  },
  l1: {
    flag: "l1",
    kind: { type: "number", min: 0, max: 1e6 },
    default: 0,
    help: "L1 penalty weight: adds l1 * sum(abs(p)) to the loss",
    scope: "train",
    resume: "change",
    summary: { label: "Loss", text: (v: number): string => `L1 ${v}` },
  },
  seed: {
    flag: "seed",
    kind: { type: "int", min: 0, max: 4_294_967_295 },
    default: 1337,
    help: "the one seed of data, split, weights and batches",
    scope: "train",
    resume: "keep",
    summary: { label: "Seed" },
  },
  engine: {
    flag: "engine",
    kind: { type: "choice", values: ENGINE_NAMES as readonly EngineName[] },
    default: "compiled",
    help: "compiled (flat typed arrays) or value (micrograd's Value graph): same numbers",
    scope: "train",
    resume: "change",
    summary: { label: "Engine" },
  },
  threads: {
    flag: "threads",
    kind: { type: "int", min: 1, max: 32, word: "auto" },
    default: 1 as number | "auto",
    help: "threads a step runs on, same numbers (auto: the cores for big layers)",
    scope: "train",
    resume: "change",
    summary: { label: "Engine", text: (v: number | "auto"): string => `threads ${v}` },
    reproduce: (v: number | "auto"): string | undefined => v === 1 ? undefined : String(v),
  },
} as const;

/**
 * Every training setting with its value's type, made from the table's rows:
 * what `model.json` records as `config`.
 */
export type TrainSettings = {
  -readonly [K in keyof typeof SETTINGS]: KindValue<typeof SETTINGS[K]["kind"]>;
};

/** The name of a setting: a key of {@linkcode SETTINGS} and of `model.json`'s `config`. */
export type SettingKey = keyof TrainSettings;

/** The settings of one scope of the table (the data, the model or the training loop). */
export type ScopeSettings<S extends Setting<unknown>["scope"]> = {
  [K in SettingKey as typeof SETTINGS[K]["scope"] extends S ? K : never]: TrainSettings[K];
};

// Each row is a setting of the type its kind gives (checked here, as the table's type is its rows').
const _rowsAreSettings: { readonly [K in SettingKey]: Setting<TrainSettings[K]> } = SETTINGS;

/** The setting names, in table order. */
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** Whether `key` names a setting (an own key of the table: `__proto__` is not one). */
export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTINGS, key);
}

/** Writes a bound: 1e12 as such, other numbers in full. */
function bound(n: number): string {
  return n >= 1e7 && Number.isInteger(Math.log10(n)) ? `1e${Math.log10(n)}` : String(n);
}

/**
 * What a setting takes, in words, for messages and docs: the row's own
 * `expect`, or what its kind says.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expectOf } from "./settings.ts";
 * assert.equal(expectOf("steps"), "an integer from 1 to 1000000");
 * assert.equal(expectOf("lr"), "a positive number up to 1e12");
 * assert.equal(expectOf("engine"), "one of compiled or value");
 * ```
 */
export function expectOf(key: SettingKey): string {
  const row = SETTINGS[key] as Setting<unknown>;
  if (row.expect !== undefined) return row.expect;
  const k = row.kind;
  switch (k.type) {
    case "text":
      return `a text of 1 to ${k.maxChars} characters`;
    case "int":
      return `an integer from ${bound(k.min)} to ${bound(k.max)}${
        k.word === undefined ? "" : `, or ${k.word}`
      }`;
    case "number":
      return k.aboveMin && k.min === 0
        ? `a positive number up to ${bound(k.max)}`
        : `a number from ${bound(k.min)}${k.aboveMin ? " (not included)" : ""} to ${bound(k.max)}`;
    case "choice":
      return `one of ${orList(k.values)}`;
    case "ints":
      return `0 to ${k.maxLength} integers from ${bound(k.min)} to ${bound(k.max)}, or ${k.empty}`;
    case "texts":
      return `0 to ${k.maxLength} comma-separated texts of up to ${k.maxChars} characters`;
    default: {
      const never: never = k;
      return String(never);
    }
  }
}

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
  context: SettingsContext = {},
): TrainSettings[K] {
  const d: unknown = SETTINGS[key].default;
  return (typeof d === "function" ? d(context) : structuredClone(d)) as TrainSettings[K];
}

/** The largest value a numeric setting (or a list's entries) may take. */
export function maxOf(key: SettingKey): number {
  const kind: SettingKind = SETTINGS[key].kind;
  return "max" in kind ? kind.max : Infinity;
}

/**
 * What is wrong with one setting's value, against its row of the table: the
 * one check of a setting, which the library, the CLI's flags and files, and
 * the worker's schemas all use.
 *
 * @returns the message, or `undefined` when the value is fine.
 */
export function settingProblem(key: SettingKey, value: unknown): string | undefined {
  const k: SettingKind = SETTINGS[key].kind;
  const int = (v: unknown, min: number, max: number) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  let ok: boolean;
  switch (k.type) {
    case "text":
      ok = typeof value === "string" && value.length > 0 && value.length <= k.maxChars;
      break;
    case "int":
      ok = int(value, k.min, k.max) || (k.word !== undefined && value === k.word);
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
        value.every((v) => typeof v === "string" && v.trim() !== "" && v.length <= k.maxChars);
      break;
    default: {
      const never: never = k;
      ok = never;
    }
  }
  if (ok) return undefined;
  return `'${key}' must be ${expectOf(key)}: current value is ${
    JSON.stringify(value) ?? String(value)
  }`;
}

/**
 * Checks one setting's value against its row of the table, and gives it
 * back as the run uses it (a list's texts trimmed).
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
  const problem = settingProblem(key, value);
  if (problem !== undefined) throw new RangeError(`Cannot train as ${problem}`);
  const kind = SETTINGS[key].kind;
  return (kind.type === "texts"
    ? (value as string[]).map((t) => t.trim())
    : value) as TrainSettings[
      K
    ];
}

/**
 * Checks every setting a config object holds (a `--config` file, a page's
 * controls, a sweep's point): each key must name a setting and each value
 * fit its row. Settings it lacks are left out: {@linkcode resolveSettings}
 * fills them in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSettings } from "./settings.ts";
 * assert.deepEqual(checkSettings({ lr: 0.5, features: [" x1 "] }), { lr: 0.5, features: ["x1"] });
 * assert.throws(() => checkSettings({ learningRate: 0.5 }), /'learningRate' is not a setting/);
 * ```
 *
 * @throws {TypeError} when `config` is not an object or a key is not a setting.
 * @throws {RangeError} naming the first bad value.
 */
export function checkSettings(config: unknown): Partial<TrainSettings> {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new TypeError(
      `Cannot train as the settings must be an object: current value is ${JSON.stringify(config)}`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!isSettingKey(key)) {
      throw new TypeError(
        `Cannot train as '${key}' is not a setting: expected one of ${orList(SETTING_KEYS)}`,
      );
    }
    if (value !== undefined) out[key] = checkSetting(key, value);
  }
  return out as Partial<TrainSettings>;
}

/**
 * The one rule for defaults: fills in every setting of `keys` (by default
 * all) that `given` lacks, row by row in table order, so that a computed
 * default sees the settings above it (and `context`, e.g. a model's
 * outputs); the given values are checked with {@linkcode checkSetting}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSettings } from "./settings.ts";
 * assert.equal(resolveSettings({ optimizer: "adam", problem: "regression" }).lr, 0.01);
 * assert.equal(resolveSettings({ optimizer: "adam", lr: 0.5 }).lr, 0.5);
 * assert.equal(resolveSettings({ dataset: "sine" }).problem, "regression");
 * ```
 *
 * @throws {RangeError} naming the first given value that does not fit its row.
 */
export function resolveSettings(
  given: Readonly<Partial<TrainSettings>>,
  context: SettingsContext = {},
): TrainSettings {
  return resolveSome(SETTING_KEYS, given, context) as TrainSettings;
}

/**
 * {@linkcode resolveSettings} for some settings only (the training loop's,
 * for the library): each missing one by its row's default, in table order.
 */
export function resolveSome<K extends SettingKey>(
  keys: readonly K[],
  given: Readonly<Partial<TrainSettings>>,
  context: SettingsContext = {},
): Pick<TrainSettings, K> {
  const seen: SettingsContext = { ...context };
  const set = seen as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const asked = given[key];
    const value = asked !== undefined
      ? checkSetting(key, asked)
      : (keys as readonly SettingKey[]).includes(key)
      ? defaultOf(key, seen)
      : seen[key];
    if (value === undefined) continue;
    set[key] = value;
    if ((keys as readonly SettingKey[]).includes(key)) out[key] = value;
  }
  return out as Pick<TrainSettings, K>;
}

/** The settings of the training loop: the rows of scope "train", and the problem. */
export type LoopSettings = ScopeSettings<"train"> & Pick<TrainSettings, "problem">;

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

/**
 * The report's summary rows made of the settings: label and text, rows
 * sharing a label joined in table order ("svm, L2 0.0001, L1 0").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSettings, summaryParts } from "./settings.ts";
 * const rows = summaryParts(resolveSettings({}));
 * assert.deepEqual(rows.find(([label]) => label === "Loss"), ["Loss", "svm, L2 0.0001, L1 0"]);
 * ```
 */
export function summaryParts(s: Readonly<TrainSettings>): [string, string][] {
  const rows = new Map<string, string[]>();
  for (const key of SETTING_KEYS) {
    const part = (SETTINGS[key] as Setting<unknown>).summary;
    if (part === undefined) continue;
    const text = part.text ? part.text(s[key]) : String(s[key]);
    rows.set(part.label, [...(rows.get(part.label) ?? []), text]);
  }
  return [...rows].map(([label, texts]) => [label, texts.join(", ")]);
}
