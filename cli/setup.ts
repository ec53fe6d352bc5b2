/**
 * Turns the merged settings into a checked run: the full config with every
 * default filled in, the data (generated or read from a CSV file), its split
 * and the model's sizes. Everything that can be wrong with the input is
 * found here, before anything is written.
 *
 * @module
 */
import {
  type Dataset,
  defaultLr,
  makeBlobs,
  makeCircles,
  makeMoons,
  makeSpiral,
  makeXor,
  Mlp,
  parseCsv,
  resolveTrainOptions,
  trainTestSplit,
} from "../mod.ts";
import { didYouMean, show, UsageError } from "./_errors.ts";
import { INPUT_LIMITS, readTextCapped } from "./_fs.ts";
import {
  BUILTIN_DATASETS,
  type BuiltinDataset,
  FIELD_LIMITS,
  type PartialConfig,
  type TrainConfig,
} from "./config.ts";

/** Where the data came from, as `model.json` records it. */
export type DataSource =
  | {
    kind: "generated";
    name: BuiltinDataset;
    samples: number;
    noise: number;
    classes: number;
    seed: number;
  }
  | {
    kind: "csv";
    file: string;
    rows: number;
    features: number;
    featureNames?: string[];
    classNames?: string[];
  };

/** A run ready to train. */
export interface RunSetup {
  /** Every setting, defaults filled in. */
  config: TrainConfig;
  /** Where the data came from. */
  source: DataSource;
  /** The training part of the data. */
  train: Dataset;
  /** The held-out part, when `testFraction > 0`. */
  test?: Dataset;
  /** Inputs of the model. */
  nin: number;
  /** Every layer's size, the outputs last. */
  nouts: number[];
  /** Feature names (x1, x2... unless the CSV named them). */
  featureNames: string[];
  /** Class names (0, 1... unless the CSV named them). */
  classNames: string[];
}

/** What the datasets are, one line each. */
export const DATASET_INFO: Record<BuiltinDataset, string> = {
  moons: "two interleaving half circles (scikit-learn's make_moons), 2 classes",
  circles: "a small circle inside a large one (scikit-learn's make_circles), 2 classes",
  xor: "points in [-1, 1]^2, class by the sign of x1*x2 (TensorFlow Playground), 2 classes",
  spiral: "interleaved spiral arms from the origin (CS231n), --classes arms (default 3)",
  blobs: "Gaussian clusters around random centers, --classes clusters (default 3)",
};

const isBuiltin = (name: string): name is BuiltinDataset =>
  (BUILTIN_DATASETS as readonly string[]).includes(name);

async function readCsv(file: string): Promise<Dataset> {
  let text: string;
  try {
    // Read up to a cap: `--dataset /dev/zero` ends with one line, not all the memory.
    text = await readTextCapped(file, INPUT_LIMITS.csv, {
      verb: "train",
      what: `the CSV file ${show(file)}`,
    });
  } catch (error) {
    if (!(error instanceof UsageError) || !/no file is there$/.test(error.message)) throw error;
    const looksLikeFile = /[./\\]/.test(file);
    throw new UsageError(
      `Cannot train as '--dataset' must be ${BUILTIN_DATASETS.join(", ")} or a CSV file's path: ${
        looksLikeFile ? "no file is at" : "current value is"
      } ${show(file)}${looksLikeFile ? "" : didYouMean(file, BUILTIN_DATASETS)}`,
    );
  }
  try {
    return parseCsv(text);
  } catch (error) {
    throw new UsageError(
      `Cannot train as the CSV file ${show(file)} is malformed: ${
        (error as Error).message.replace(/^Cannot parse the CSV as /, "")
      }`,
    );
  }
}

function generate(name: BuiltinDataset, c: PartialConfig, seed: number): Dataset {
  const samples = c.samples ?? 100;
  const noise = c.noise ?? 0.1;
  switch (name) {
    case "moons":
      return makeMoons({ samples, noise, seed });
    case "circles":
      return makeCircles({ samples, noise, seed, factor: 0.5 });
    case "xor":
      return makeXor({ samples, noise, seed });
    case "spiral":
      return makeSpiral({ samples, noise, seed, classes: c.classes ?? 3 });
    case "blobs":
      return makeBlobs({ samples, noise, seed, classes: c.classes ?? 3 });
    default: {
      const never: never = name;
      throw new UsageError(`Cannot train as the dataset is unknown: ${show(never)}`);
    }
  }
}

/**
 * Fills in the defaults, makes or reads the data and checks that the model,
 * the loss and the data fit together.
 *
 * @throws {UsageError} naming the first setting that is wrong.
 */
export async function setUpRun(settings: PartialConfig): Promise<RunSetup> {
  const dataset = settings.dataset ?? "moons";
  const seed = settings.seed ?? 1337;
  let data: Dataset;
  let source: DataSource;
  if (isBuiltin(dataset)) {
    const multi = dataset === "spiral" || dataset === "blobs";
    if (!multi && settings.classes !== undefined && settings.classes !== 2) {
      throw new UsageError(
        `Cannot train as '--classes' must be 2 for ${dataset} (only spiral and blobs take more): current value is ${settings.classes}`,
      );
    }
    const classes = multi ? settings.classes ?? 3 : 2;
    if (settings.samples !== undefined && settings.samples < classes) {
      throw new UsageError(
        `Cannot train as '--samples' must be at least the number of classes (${classes}): current value is ${settings.samples}`,
      );
    }
    data = generate(dataset, settings, seed);
    source = {
      kind: "generated",
      name: dataset,
      samples: data.x.length,
      noise: settings.noise ?? 0.1,
      classes: data.classes,
      seed,
    };
  } else {
    data = await readCsv(dataset);
    const limits = [
      ["classes", data.classes, FIELD_LIMITS.classes],
      ["rows", data.x.length, FIELD_LIMITS.samples],
    ] as const;
    for (const [what, count, [, max]] of limits) {
      if (count > max) {
        throw new UsageError(
          `Cannot train as the CSV file ${
            show(dataset)
          } must have at most ${max} ${what}: current count is ${count}`,
        );
      }
    }
    for (
      const [key, flag, want] of [
        ["samples", "samples", data.x.length],
        ["noise", "noise", 0],
        ["classes", "classes", data.classes],
      ] as const
    ) {
      const got = settings[key];
      if (got !== undefined && got !== want) {
        throw new UsageError(
          `Cannot train as '--${flag}' does not apply to a CSV file (it has ${
            key === "samples" ? `${want} rows` : key === "classes" ? `${want} classes` : "no noise"
          }): current value is ${got}`,
        );
      }
    }
    source = {
      kind: "csv",
      file: dataset,
      rows: data.x.length,
      features: data.x[0].length,
      ...(data.featureNames ? { featureNames: data.featureNames } : {}),
      ...(data.classNames ? { classNames: data.classNames } : {}),
    };
  }
  const classes = data.classes;
  const loss = settings.loss ?? (classes === 2 ? "svm" : "ce");
  if (loss === "bce" && classes !== 2) {
    throw new UsageError(
      `Cannot train as '--loss' must be ce, svm or mse for ${classes} classes (bce takes 2): current value is "bce"`,
    );
  }
  const optimizer = settings.optimizer ?? "sgd";
  const config: TrainConfig = {
    dataset,
    samples: data.x.length,
    noise: source.kind === "generated" ? source.noise : 0,
    classes,
    testFraction: settings.testFraction ?? 0,
    layers: settings.layers ?? [16, 16],
    activation: settings.activation ?? "relu",
    loss,
    optimizer,
    lr: settings.lr ??
      defaultLr({ optimizer, loss, activation: settings.activation ?? "relu" }),
    lrSchedule: settings.lrSchedule ?? "linear",
    steps: settings.steps ?? 100,
    batchSize: settings.batchSize ?? 0,
    l2: settings.l2 ?? 1e-4,
    seed,
    engine: settings.engine ?? "compiled",
  };
  let train = data;
  let test: Dataset | undefined;
  if (config.testFraction > 0) {
    const n = data.x.length;
    if (n - Math.ceil(n * config.testFraction) < 2) {
      throw new UsageError(
        `Cannot train as '--test-fraction' must leave at least 2 training samples of ${n}: current value is ${config.testFraction}`,
      );
    }
    ({ train, test } = trainTestSplit(data, { testFraction: config.testFraction, seed }));
  }
  if (config.batchSize > train.x.length) {
    throw new UsageError(
      `Cannot train as '--batch-size' must be at most the ${train.x.length} training samples (0 for all): current value is ${config.batchSize}`,
    );
  }
  const nin = data.x[0].length;
  const width = classes === 2 && loss !== "ce" ? 1 : classes;
  const nouts = [...config.layers, width];
  try {
    resolveTrainOptions(new Mlp(nin, nouts, { activation: config.activation }), train, {
      ...config,
      test,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    config,
    source,
    train,
    test,
    nin,
    nouts,
    featureNames: data.featureNames ?? Array.from({ length: nin }, (_, i) => `x${i + 1}`),
    classNames: data.classNames ?? Array.from({ length: classes }, (_, i) => String(i)),
  };
}

/** Quotes `arg` for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The `deno task train ...` command that reruns `config` exactly. */
export function reproduceCommand(config: TrainConfig, source: DataSource): string {
  const args = ["deno", "task", "train", "--dataset", config.dataset];
  if (source.kind === "generated") {
    args.push("--samples", String(config.samples), "--noise", String(config.noise));
    if (config.dataset === "spiral" || config.dataset === "blobs") {
      args.push("--classes", String(config.classes));
    }
  }
  const pairs: [string, string][] = [
    ["test-fraction", String(config.testFraction)],
    ["layers", config.layers.join(",")],
    ["activation", config.activation],
    ["loss", config.loss],
    ["optimizer", config.optimizer],
    ["lr", String(config.lr)],
    ["lr-schedule", config.lrSchedule],
    ["steps", String(config.steps)],
    ["batch-size", String(config.batchSize)],
    ["l2", String(config.l2)],
    ["seed", String(config.seed)],
    ["engine", config.engine],
  ];
  for (const [flag, value] of pairs) args.push(`--${flag}`, value);
  return args.map(shellQuote).join(" ");
}
