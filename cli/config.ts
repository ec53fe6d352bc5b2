/**
 * The `train` settings: their flags, their zod schemas, their defaults, and
 * how flags, a `--config` file and the defaults merge into one checked
 * {@linkcode TrainConfig}.
 *
 * @module
 */
import { z } from "zod";
import { show, UsageError } from "./_errors.ts";
import { parseDecimal } from "../nn/csv.ts";

/** The datasets `train` can generate. */
export const BUILTIN_DATASETS = ["moons", "circles", "xor", "spiral", "blobs"] as const;

/** A dataset `train` can generate. */
export type BuiltinDataset = typeof BUILTIN_DATASETS[number];

/** Every `train` setting, resolved: what `model.json` records as `config`. */
export interface TrainConfig {
  /** A built-in dataset's name or a CSV file's path. */
  dataset: string;
  /** Points to generate (built-in datasets). */
  samples: number;
  /** Noise of the generated points (built-in datasets). */
  noise: number;
  /** Classes of the data. */
  classes: number;
  /** Share of the data held out for testing. */
  testFraction: number;
  /** Hidden layer sizes. */
  layers: number[];
  /** Hidden activation. */
  activation: "relu" | "tanh" | "sigmoid" | "linear";
  /** The loss. */
  loss: "svm" | "mse" | "bce" | "ce";
  /** The optimizer. */
  optimizer: "sgd" | "momentum" | "adam" | "adamw";
  /** First learning rate. */
  lr: number;
  /** Learning-rate schedule. */
  lrSchedule: "constant" | "linear" | "cosine";
  /** Training steps. */
  steps: number;
  /** Samples per step; 0 for all. */
  batchSize: number;
  /** L2 penalty weight. */
  l2: number;
  /** The one seed of data, split, weights and batches. */
  seed: number;
  /** Which training path runs the steps. */
  engine: "compiled" | "value";
}

interface Field {
  flag: string;
  expect: string;
  schema: z.ZodType;
  fromFlag: (text: string) => unknown;
  help: string;
}

/** The range of the settings whose limits also bind a CSV file's data. */
export const FIELD_LIMITS = {
  samples: [2, 100_000],
  classes: [2, 10],
} as const satisfies Record<string, readonly [number, number]>;

// The one number grammar of flags, config files, CSV cells and points lives in nn/csv.ts.
export { parseDecimal };

const number = parseDecimal;
const ident = (text: string) => text;
const oneOf = (names: readonly string[]) => {
  const list = names.slice(0, -1).join(", ") + " or " + names.at(-1);
  return { schema: z.enum(names as [string, ...string[]]), expect: `one of ${list}` };
};

const FIELDS: Record<keyof TrainConfig, Field> = {
  dataset: {
    flag: "dataset",
    schema: z.string().min(1),
    expect: `${BUILTIN_DATASETS.join(", ")} or a CSV file's path`,
    fromFlag: ident,
    help: "moons, circles, xor, spiral, blobs, or a CSV path (default moons)",
  },
  samples: {
    flag: "samples",
    schema: z.int().min(FIELD_LIMITS.samples[0]).max(FIELD_LIMITS.samples[1]),
    expect: `an integer from ${FIELD_LIMITS.samples[0]} to ${FIELD_LIMITS.samples[1]}`,
    fromFlag: number,
    help: "points to generate (default 100)",
  },
  noise: {
    flag: "noise",
    schema: z.number().min(0).max(10),
    expect: "a number from 0 to 10",
    fromFlag: number,
    help: "noise of the generated points (default 0.1)",
  },
  classes: {
    flag: "classes",
    schema: z.int().min(FIELD_LIMITS.classes[0]).max(FIELD_LIMITS.classes[1]),
    expect: `an integer from ${FIELD_LIMITS.classes[0]} to ${FIELD_LIMITS.classes[1]}`,
    fromFlag: number,
    help: "classes for spiral and blobs (default 3)",
  },
  testFraction: {
    flag: "test-fraction",
    schema: z.number().min(0).max(0.9),
    expect: "a number from 0 to 0.9",
    fromFlag: number,
    help: "share held out for testing (default 0)",
  },
  layers: {
    flag: "layers",
    schema: z.array(z.int().min(1).max(1024)).min(1).max(16),
    expect: "1 to 16 hidden layer sizes, each an integer from 1 to 1024, e.g. 16,16",
    fromFlag: (text) => text.trim() === "" ? [] : text.split(",").map(number),
    help: "hidden layer sizes (default 16,16)",
  },
  activation: {
    flag: "activation",
    ...oneOf(["relu", "tanh", "sigmoid", "linear"]),
    fromFlag: ident,
    help: "relu, tanh, sigmoid or linear (default relu)",
  },
  loss: {
    flag: "loss",
    ...oneOf(["svm", "mse", "bce", "ce"]),
    fromFlag: ident,
    help: "svm, mse, bce or ce (default svm for 2 classes, ce for more)",
  },
  optimizer: {
    flag: "optimizer",
    ...oneOf(["sgd", "momentum", "adam", "adamw"]),
    fromFlag: ident,
    help: "sgd, momentum, adam or adamw (default sgd)",
  },
  lr: {
    flag: "lr",
    schema: z.number().positive().max(1e12),
    expect: "a positive number up to 1e12",
    fromFlag: number,
    help: "first learning rate (default: by optimizer, loss and activation, below)",
  },
  lrSchedule: {
    flag: "lr-schedule",
    ...oneOf(["constant", "linear", "cosine"]),
    fromFlag: ident,
    help: "constant, linear or cosine (default linear: micrograd's decay)",
  },
  steps: {
    flag: "steps",
    schema: z.int().min(1).max(1_000_000),
    expect: "an integer from 1 to 1000000",
    fromFlag: number,
    help: "training steps (default 100)",
  },
  batchSize: {
    flag: "batch-size",
    schema: z.int().min(0).max(1_000_000),
    expect: "an integer >= 0 (0 for the whole set)",
    fromFlag: number,
    help: "samples per step, 0 for all (default 0)",
  },
  l2: {
    flag: "l2",
    schema: z.number().min(0).max(1e6),
    expect: "a number from 0 to 1000000",
    fromFlag: number,
    help: "L2 penalty weight (default 0.0001)",
  },
  seed: {
    flag: "seed",
    schema: z.int().min(0).max(2 ** 32 - 1),
    expect: "an integer from 0 to 4294967295",
    fromFlag: number,
    help: "seed of data, split, weights and batches (default 1337)",
  },
  engine: {
    flag: "engine",
    ...oneOf(["compiled", "value"]),
    fromFlag: ident,
    help: "compiled (fast) or value (micrograd's Value graph) (default compiled)",
  },
};

/** The setting names, in the order the help and the report show them. */
export const CONFIG_KEYS = Object.keys(FIELDS) as (keyof TrainConfig)[];

/** The `--flag` of each setting. */
export function flagOf(key: keyof TrainConfig): string {
  return FIELDS[key].flag;
}

/** One help line per setting: `--flag VALUE  what it sets`. */
export function configHelp(): string[] {
  return CONFIG_KEYS.map((k) => {
    const f = FIELDS[k];
    return `  --${f.flag.padEnd(14)} ${f.help}`;
  });
}

/** The parseArgs option table of the settings (all strings). */
export function configFlagOptions(): Record<string, { type: "string" }> {
  return Object.fromEntries(CONFIG_KEYS.map((k) => [FIELDS[k].flag, { type: "string" as const }]));
}

/** A partial config: what flags or a file set. */
export type PartialConfig = Partial<TrainConfig>;

/**
 * Reads the settings from parsed flags, checking each with its schema.
 *
 * @throws {UsageError} naming the first bad flag, its value and what it expects.
 */
export function configFromFlags(
  values: Record<string, string | boolean | undefined>,
): PartialConfig {
  const out: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const f = FIELDS[key];
    const raw = values[f.flag];
    if (typeof raw !== "string") continue;
    const parsed = f.schema.safeParse(f.fromFlag(raw));
    if (!parsed.success) {
      throw new UsageError(
        `Cannot train as '--${f.flag}' must be ${f.expect}: current value is ${show(raw)}`,
      );
    }
    out[key] = parsed.data;
  }
  return out as PartialConfig;
}

/**
 * Checks the JSON of a `--config` file: an object whose keys are setting
 * names (`testFraction`, `lrSchedule`...), as `model.json` records them.
 *
 * @throws {UsageError} naming the first bad key, its value and what it expects.
 */
export function configFromJson(doc: unknown, file: string): PartialConfig {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new UsageError(
      `Cannot train as the config file '${file}' must hold a JSON object: current value is ${
        show(doc)
      }`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!(key in FIELDS)) {
      throw new UsageError(
        `Cannot train as the config file '${file}' has an unknown setting ${
          show(key)
        }: expected one of ${CONFIG_KEYS.join(", ")}`,
      );
    }
    const f = FIELDS[key as keyof TrainConfig];
    const parsed = f.schema.safeParse(value);
    if (!parsed.success) {
      throw new UsageError(
        `Cannot train as '${key}' in the config file '${file}' must be ${f.expect}: current value is ${
          show(value)
        }`,
      );
    }
    out[key] = parsed.data;
  }
  return out as PartialConfig;
}

/** The schema of a full config, as `model.json` stores it. */
export const TrainConfigSchema: z.ZodType<TrainConfig> = z.strictObject(
  Object.fromEntries(CONFIG_KEYS.map((k) => [k, FIELDS[k].schema])) as Record<
    keyof TrainConfig,
    z.ZodType
  >,
) as unknown as z.ZodType<TrainConfig>;
