/**
 * Turns the merged settings into a checked run: the full config with every
 * default filled in (from the table in `nn/train/settings.ts`), the data (generated
 * or read from a CSV file), its features, its split and the model's sizes.
 * Everything that can be wrong with the input is found here, before anything
 * is written.
 *
 * @module
 */
import {
  BUILTIN_DATASETS,
  type BuiltinDataset,
  compileFeatures,
  type Dataset,
  defaultOf,
  expectOf,
  isBuiltinDataset,
  LOSSES_FOR,
  makeBlobs,
  makeCircles,
  makeMoons,
  makeRegGauss,
  makeRegPlane,
  makeSine,
  makeSpiral,
  makeXor,
  maxOf,
  parseCsv,
  type Problem,
  REGRESSION_DATASETS,
  resolveSettings,
  SETTINGS,
  settingsArgs,
  trainTestSplit,
} from "../mod.ts";
import { orList } from "../nn/train/or_list.ts";
import { didYouMean, show, UsageError } from "./_errors.ts";
import { INPUT_LIMITS, readTextCapped } from "./_fs.ts";
import type { PartialConfig, TrainConfig } from "./config.ts";
import { countParameters } from "./model_file.ts";

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
  /** The training part of the data, as the model sees it (features applied). */
  train: Dataset;
  /** The held-out part, when `testFraction > 0`. */
  test?: Dataset;
  /** The raw inputs of every point, train then test, for pictures of the input plane. */
  points: { x: number[][]; y: number[]; test: boolean[] };
  /** Inputs of the model (one per feature). */
  nin: number;
  /** Every layer's size, the outputs last. */
  nouts: number[];
  /** The data's own input names (x1, x2... unless the CSV named them). */
  inputNames: string[];
  /** The model's input names: the feature expressions, or the inputs. */
  featureNames: string[];
  /** Class names (0, 1... unless the CSV named them); none for regression. */
  classNames: string[];
  /** Things the user should know about how the settings were read, one line each. */
  notes: string[];
}

/** What the datasets are, one line each. */
export const DATASET_INFO: Record<BuiltinDataset, string> = {
  moons: "two interleaving half circles (scikit-learn's make_moons), 2 classes",
  circles: "a small circle inside a large one (scikit-learn's make_circles), 2 classes",
  xor: "points in [-1, 1]^2, class by the sign of x1*x2 (TensorFlow Playground), 2 classes",
  spiral: "interleaved spiral arms from the origin (CS231n), --classes arms (default 3)",
  blobs: "Gaussian clusters around random centers, --classes clusters (default 3)",
  "reg-plane": "regression: the plane (x1 + x2) / 10 over [-6, 6]^2 (TensorFlow Playground)",
  "reg-gauss": "regression: six signed Gaussian bumps over [-6, 6]^2 (TensorFlow Playground)",
  sine: "regression, 1-D: sin(x) plus Gaussian noise, x in [-3, 3]",
};

const fail = (message: string): never => {
  throw new UsageError(`Cannot train as ${message}`);
};

async function readCsv(
  file: string,
  problem: Problem | undefined,
  given?: string,
): Promise<Dataset> {
  let text: string;
  try {
    // Read up to a cap: `--dataset /dev/zero` ends with one line, not all the memory.
    text = given ?? await readTextCapped(file, INPUT_LIMITS.csv, {
      verb: "train",
      what: `the CSV file ${show(file)}`,
    });
  } catch (error) {
    if (!(error instanceof UsageError) || !/no file is there$/.test(error.message)) throw error;
    const looksLikeFile = /[./\\]/.test(file);
    return fail(
      `'--dataset' must be ${expectOf("dataset")}: ${
        looksLikeFile ? "no file is at" : "current value is"
      } ${show(file)}${looksLikeFile ? "" : didYouMean(file, BUILTIN_DATASETS)}`,
    );
  }
  try {
    return parseCsv(text, { problem: problem ?? "auto" });
  } catch (error) {
    return fail(
      `the CSV file ${show(file)} is malformed: ${
        (error as Error).message.replace(/^Cannot parse the CSV as /, "")
      }`,
    );
  }
}

function generate(name: BuiltinDataset, c: TrainConfig): Dataset {
  const { samples, noise, seed, classes } = c;
  switch (name) {
    case "moons":
      return makeMoons({ samples, noise, seed });
    case "circles":
      return makeCircles({ samples, noise, seed, factor: 0.5 });
    case "xor":
      return makeXor({ samples, noise, seed });
    case "spiral":
      return makeSpiral({ samples, noise, seed, classes });
    case "blobs":
      return makeBlobs({ samples, noise, seed, classes });
    case "reg-plane":
      return makeRegPlane({ samples, noise, seed });
    case "reg-gauss":
      return makeRegGauss({ samples, noise, seed });
    case "sine":
      return makeSine({ samples, noise, seed });
    default: {
      const never: never = name;
      return fail(`the dataset is unknown: ${show(never)}`);
    }
  }
}

/** Checks what a built-in dataset takes, and gives its problem and class count. */
function checkBuiltin(
  name: BuiltinDataset,
  s: PartialConfig,
): { problem: Problem; classes: number } {
  const problem: Problem = REGRESSION_DATASETS.includes(name) ? "regression" : "classification";
  if (s.problem !== undefined && s.problem !== problem) {
    fail(`'--problem' must be ${problem} for ${name}: current value is ${show(s.problem)}`);
  }
  const multi = name === "spiral" || name === "blobs";
  // A run's own count (0 for regression, 2) is no change: a resumed or rerun model.json records it.
  const own = problem === "regression" ? 0 : 2;
  if (!multi && s.classes !== undefined && s.classes !== own) {
    fail(
      `'--classes' does not apply to ${name} (only spiral and blobs take it): current value is ${s.classes}`,
    );
  }
  if (multi && s.classes !== undefined && s.classes < 2) {
    fail(`'--classes' must be ${expectOf("classes")}: current value is ${s.classes}`);
  }
  const classes = problem === "regression" ? 0 : multi ? s.classes ?? 3 : 2;
  if (s.samples !== undefined && s.samples < classes) {
    fail(
      `'--samples' must be at least the number of classes (${classes}): current value is ${s.samples}`,
    );
  }
  return { problem, classes };
}

/** Refuses the data-size settings for a CSV file, which has its own. */
function checkCsv(file: string, data: Dataset, s: PartialConfig): void {
  const limits = [["rows", data.x.length, maxOf("samples")]] as [string, number, number][];
  if (data.classes > 0) limits.push(["classes", data.classes, maxOf("classes")]);
  for (const [what, count, max] of limits) {
    // Labels 0..k-1 have no names: they are their own.
    const names = data.classNames ?? Array.from({ length: data.classes }, (_, i) => String(i));
    if (what === "classes" && count > max && names.every((n) => Number.isFinite(Number(n)))) {
      // Whole numbers as labels: many of them are more likely a regression's targets.
      const [lo, hi] = [names[0], names.at(-1)!];
      fail(
        `the CSV file ${
          show(file)
        } must have at most ${max} classes: current count is ${count} (its labels are whole numbers from ${lo} to ${hi}: if they are targets, add --problem regression${
          Math.max(Math.abs(Number(lo)), Math.abs(Number(hi))) > 1e6
            ? ", and divide them by a power of ten, as their scale is large"
            : ""
        })`,
      );
    }
    if (count > max) {
      fail(
        `the CSV file ${show(file)} must have at most ${max} ${what}: current count is ${count}`,
      );
    }
  }
  const own = { samples: `${data.x.length} rows`, noise: "no noise", classes: "its own classes" };
  for (const key of ["samples", "noise", "classes"] as const) {
    if (s[key] !== undefined) {
      fail(
        `'--${SETTINGS[key].flag}' does not apply to a CSV file (it has ${
          own[key]
        }): current value is ${s[key]}`,
      );
    }
  }
}

/** The model's inputs: `exprs` over `inputs`, applied to every row; refuses non-finite results. */
function applyFeatures(
  exprs: string[],
  inputs: string[],
  data: Dataset,
): { data: Dataset; names: string[] } {
  if (exprs.length === 0) return { data, names: inputs };
  let features;
  try {
    features = compileFeatures(exprs, inputs);
  } catch (error) {
    return fail(
      `'--features' is wrong: ${(error as Error).message.replace(/^Cannot /, "cannot ")}`,
    );
  }
  const x = data.x.map((row, i) => {
    const out = features.apply(row);
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      fail(
        `the feature ${show(exprs[bad])} must be a finite number for every point: it is ${
          out[bad]
        } at point ${i + 1} (${row.join(", ")})`,
      );
    }
    return out;
  });
  return { data: { ...data, x }, names: exprs };
}

/** Options for {@linkcode setUpRun}. */
export interface SetUpOptions {
  /**
   * The text of the CSV file that `dataset` names, already read (the
   * playground's upload); by default the file is read.
   */
  csvText?: string;
}

/** The data, read or made, with the config resolved for it and where it came from. */
interface LoadedData {
  config: TrainConfig;
  data: Dataset;
  source: DataSource;
  notes: string[];
}

/** A built-in dataset made with the settings, every default filled in. */
function loadBuiltin(dataset: BuiltinDataset, settings: PartialConfig): LoadedData {
  const { problem, classes } = checkBuiltin(dataset, settings);
  const config = resolveSettings({ ...settings, dataset, problem, classes });
  const data = generate(dataset, config);
  const source: DataSource = {
    kind: "generated",
    name: dataset,
    samples: data.x.length,
    noise: config.noise,
    classes,
    seed: config.seed,
  };
  return { config, data, source, notes: [] };
}

/** A CSV file read with the settings (or its text, already read), every default filled in from it. */
async function loadCsv(
  file: string,
  settings: PartialConfig,
  text?: string,
): Promise<LoadedData> {
  const data = await readCsv(file, settings.problem, text);
  checkCsv(file, data, settings);
  const problem: Problem = data.classes === 0 ? "regression" : "classification";
  const notes: string[] = [];
  if (problem === "regression" && settings.problem === undefined) {
    notes.push(
      `The labels of ${file} are numbers that are not all integers, so this is a regression (use --problem classification to treat them as classes)`,
    );
  }
  const config = resolveSettings({
    ...settings,
    dataset: file,
    problem,
    samples: data.x.length,
    noise: 0,
    classes: data.classes,
  });
  const source: DataSource = {
    kind: "csv",
    file,
    rows: data.x.length,
    features: data.x[0].length,
    ...(data.featureNames ? { featureNames: data.featureNames } : {}),
    ...(data.classNames ? { classNames: data.classNames } : {}),
  };
  return { config, data, source, notes };
}

/** Refuses a loss that does not fit the problem or the classes. */
function checkLoss(config: TrainConfig, classes: number): void {
  const allowed = LOSSES_FOR[config.problem];
  if (!allowed.includes(config.loss)) {
    fail(
      `'--loss' must be ${orList(allowed)} for ${config.problem}: current value is ${
        show(config.loss)
      }`,
    );
  }
  if (config.loss === "bce" && classes !== 2) {
    fail(
      `'--loss' must be ce, svm or mse for ${classes} classes (bce takes 2): current value is "bce"`,
    );
  }
}

/** The training and test parts of `data`, and the raw points in the same order. */
function split(
  config: TrainConfig,
  data: Dataset,
  raw: Dataset,
): Pick<RunSetup, "train" | "test" | "points"> {
  if (config.testFraction === 0) {
    return { train: data, points: { x: raw.x, y: raw.y, test: raw.x.map(() => false) } };
  }
  const n = data.x.length;
  if (n - Math.ceil(n * config.testFraction) < 2) {
    fail(
      `'--test-fraction' must leave at least 2 training samples of ${n}: current value is ${config.testFraction}`,
    );
  }
  const options = { testFraction: config.testFraction, seed: config.seed };
  const { train, test } = trainTestSplit(data, options);
  const parts = trainTestSplit(raw, options);
  const points = {
    x: [...parts.train.x, ...parts.test.x],
    y: [...parts.train.y, ...parts.test.y],
    test: [...parts.train.x.map(() => false), ...parts.test.x.map(() => true)],
  };
  return { train, test, points };
}

/**
 * Fills in the defaults, makes or reads the data and checks that the model,
 * the loss and the data fit together.
 *
 * @throws {UsageError} naming the first setting that is wrong.
 */
export async function setUpRun(
  settings: PartialConfig,
  options: SetUpOptions = {},
): Promise<RunSetup> {
  const dataset = settings.dataset ?? defaultOf("dataset");
  const { config, data: raw, source, notes } = isBuiltinDataset(dataset)
    ? loadBuiltin(dataset, settings)
    : await loadCsv(dataset, settings, options.csvText);
  checkLoss(config, raw.classes);
  const inputNames = raw.featureNames ??
    Array.from({ length: raw.x[0].length }, (_, i) => `x${i + 1}`);
  const featured = applyFeatures(config.features, inputNames, raw);
  const data = featured.data;
  const { train, test, points } = split(config, data, raw);
  if (config.batchSize > train.x.length) {
    fail(
      `'--batch-size' must be at most the ${train.x.length} training samples (0 for all): current value is ${config.batchSize}`,
    );
  }
  const nin = data.x[0].length;
  const width = data.classes === 2 && config.loss !== "ce" ? 1 : Math.max(1, data.classes);
  const sizes = [nin, ...config.layers, width];
  checkParameters(sizes);
  if (config.engine === "value") checkValueGraph(config.batchSize || train.x.length, sizes);
  return {
    config,
    source,
    train,
    test,
    points,
    nin,
    nouts: [...config.layers, width],
    inputNames,
    featureNames: featured.names,
    classNames: data.classNames ?? Array.from({ length: data.classes }, (_, i) => String(i)),
    notes,
  };
}

/**
 * The most parameters a model may have: each is a `Value` (about 300 bytes
 * with its share of the compiled arrays), so this many fit in Deno's default
 * 4 GiB heap with room for a step.
 */
export const MAX_PARAMETERS = 8_000_000;

/** Refuses, before anything is made, a model too large to fit in memory. */
function checkParameters(sizes: readonly number[]): void {
  const count = countParameters(sizes);
  if (count > MAX_PARAMETERS) {
    const n = (v: number) => v.toLocaleString("en-US");
    fail(
      `the model ${sizes.join("-")} would have ${n(count)} parameters: at most ${
        n(MAX_PARAMETERS)
      } fit in memory (use fewer or narrower --layers, or fewer --features)`,
    );
  }
}

/** The most memory one step's `Value` graph may take (`--engine value`). */
export const VALUE_GRAPH_LIMIT = 1.5 * 2 ** 30;

/**
 * About how many bytes one step's `Value` graph takes: per sample and
 * neuron, a weighted-sum node with two arrays of its children and
 * derivatives, and an activation node.
 */
export function valueGraphBytes(rows: number, sizes: readonly number[]): number {
  let perSample = 0;
  for (let l = 1; l < sizes.length; l++) perSample += sizes[l] * (32 * sizes[l - 1] + 400);
  return rows * perSample;
}

/** Refuses, before anything is made, a `--engine value` step that would not fit in memory. */
function checkValueGraph(rows: number, sizes: readonly number[]): void {
  const bytes = valueGraphBytes(rows, sizes);
  if (bytes <= VALUE_GRAPH_LIMIT) return;
  const fits = Math.max(1, Math.floor(rows * VALUE_GRAPH_LIMIT / bytes));
  const gb = (bytes / 2 ** 30).toFixed(1);
  fail(
    `'--engine value' would build a graph of about ${gb} GB each step (${rows} samples through ${
      sizes.join("-")
    }): use --engine compiled (the same numbers), or a --batch-size of at most ${fits}`,
  );
}

/** Quotes `arg` for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The `deno task train ...` command that reruns `config` exactly, made from the settings table. */
export function reproduceCommand(config: TrainConfig): string {
  return ["deno", "task", "train", ...settingsArgs(config)].map(shellQuote).join(" ");
}
