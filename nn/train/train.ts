/**
 * The training loop that the worker, the CLI and the tests share. It is a
 * generator: each `next()` runs one step and yields its metrics, so a caller
 * can run a few steps, handle messages, and go on.
 *
 * @module
 */
import type { Value } from "../../engine/value.ts";
import { CompiledMlp } from "../compiled/compiled_mlp.ts";
import type { Dataset } from "../data/datasets.ts";
import { defaultLoss, LOSS_FUNCTIONS, type LossName, type Problem } from "../model/losses.ts";
import type { Mlp } from "../model/mlp.ts";
import { Adam, AdamW, type Optimizer, type OptimizerState, Sgd } from "../model/optim.ts";
import { Rng } from "../model/random.ts";
import { makeSchedule } from "../model/schedule.ts";
import { BASE_LR } from "./default_lr.ts";
import {
  LOOP_KEYS,
  type LoopSettings,
  LOSSES_FOR,
  type OptimizerName,
  resolveSome,
  type SettingsContext,
} from "./settings.ts";
import {
  compiledEngine,
  type EngineOptions,
  Evaluator,
  type StepEngine,
  valueEngine,
} from "./_engine.ts";

/** Where a resumed run starts: see {@linkcode TrainOptions.start}. */
export interface TrainStart {
  /** How many steps the run had made; the next step is numbered `step + 1`. */
  step: number;
  /** The optimizer's state after that step, from `optimizer.toJSON()`. */
  optimizer: OptimizerState;
}

/**
 * Options for {@linkcode trainSteps}: the training loop's settings, named and
 * defaulted as in the one settings table ({@linkcode SETTINGS}), plus held-out
 * data and a run to resume. Every default is micrograd's demo.
 */
export interface TrainOptions extends Partial<LoopSettings> {
  /** Held-out data: each step also reports its loss and accuracy (or mse and R^2). */
  test?: Dataset;
  /**
   * Resume a run: the model already holds its weights; this gives the
   * optimizer's state and how many steps were made. Steps are then numbered
   * on from `start.step + 1` and mini-batches are drawn as the whole run
   * would have drawn them. The schedule goes on from where the run stopped:
   * `lr` defaults to the state's (the learning rate of the run's last step)
   * and the schedule runs from it over the `steps` new steps (`linear` down
   * to a tenth of it, `cosine` toward 0), so the learning rate never jumps
   * back up. A `constant` run resumed with the same options ends exactly
   * where a run without the break ends.
   */
  start?: TrainStart;
}

/** What one step reports. */
export interface StepMetrics {
  /** The step, from 1: the k-th update. */
  step: number;
  /** The training loss, penalties included, before this step's update. */
  loss: number;
  /** The training loss without the penalties. */
  dataLoss: number;
  /** Classification: accuracy on this step's batch, before the update. */
  accuracy?: number;
  /** Regression: the mean squared error on this step's batch, before the update. */
  mse?: number;
  /** Regression: R^2 on this step's batch, before the update. */
  r2?: number;
  /** The learning rate this step used. */
  lr: number;
  /** The test loss (no penalty), with a test set. */
  testLoss?: number;
  /** Classification: the test accuracy, with a test set. */
  testAccuracy?: number;
  /** Regression: the test mean squared error, with a test set. */
  testMse?: number;
  /** Regression: the test R^2, with a test set. */
  testR2?: number;
}

/**
 * A run's loss grows past this many times its first step's loss (or 1, if
 * larger): the run has diverged.
 */
export const DIVERGENCE_FACTOR = 1e4;

/**
 * The loss became NaN or infinite, or grew more than
 * {@linkcode DIVERGENCE_FACTOR} times over the run's start: training cannot
 * go on. The message ends with a hint: a smaller learning rate.
 */
export class DivergedError extends RangeError {
  /** The step (from 1) whose loss diverged. */
  readonly step: number;
  /** That step's loss. */
  readonly loss: number;

  /** Makes the error for `step`, whose loss is `loss`; the run started at `start`. */
  constructor(step: number, loss: number, start: number) {
    const why = Number.isFinite(loss)
      ? `grew more than ${DIVERGENCE_FACTOR}-fold over its start (${start})`
      : "is not finite";
    super(
      `Cannot train as the loss at step ${step} ${why}: current value is ${loss}; try a smaller learning rate`,
    );
    this.name = "DivergedError";
    this.step = step;
    this.loss = loss;
  }
}

/**
 * Whether a step's loss shows the run diverging: it is not finite, or it is
 * more than {@linkcode DIVERGENCE_FACTOR} times the run's first loss (or 1,
 * whichever is larger).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasDiverged } from "../../mod.ts";
 * assert.equal(hasDiverged(0.7, 0.69), false);
 * assert.equal(hasDiverged(3e5, 0.69), true);
 * assert.equal(hasDiverged(NaN, 0.69), true);
 * ```
 */
export function hasDiverged(loss: number, start: number): boolean {
  return !Number.isFinite(loss) || !(loss <= DIVERGENCE_FACTOR * Math.max(1, start));
}

/** The options with every default filled in, as {@linkcode resolveTrainOptions} gives them. */
export type ResolvedTrainOptions = Required<Omit<TrainOptions, "test" | "start">> & {
  test?: Dataset;
  start?: TrainStart;
};

/**
 * Fills in defaults and checks every option against the model and data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeMoons, Mlp, resolveTrainOptions } from "../../mod.ts";
 * const o = resolveTrainOptions(new Mlp(2, [16, 16, 1]), makeMoons());
 * assert.deepEqual([o.optimizer, o.lr, o.lrSchedule, o.steps, o.loss], ["sgd", 1, "linear", 100, "svm"]);
 * ```
 *
 * @throws {RangeError} naming the first bad option.
 * @throws {TypeError} when `start.optimizer` is not a state of the optimizer.
 */
export function resolveTrainOptions(
  model: Mlp,
  data: Dataset,
  options: TrainOptions = {},
): ResolvedTrainOptions {
  return resolve(model, data, options).options;
}

/** {@linkcode resolveTrainOptions}, and the optimizer it made to check `start` (if any). */
function resolve(
  model: Mlp,
  data: Dataset,
  options: TrainOptions,
): { options: ResolvedTrainOptions; optimizer?: Optimizer } {
  const fail = (name: string, want: string, got: unknown): never => {
    throw new RangeError(
      `Cannot train as '${name}' must be ${want}: current value is ${JSON.stringify(got) ?? got}`,
    );
  };
  const width = model.nouts[model.nouts.length - 1];
  // Defaults and checks come from the settings table, row by row, as the CLI's do.
  const context: SettingsContext = {
    classes: width === 1 ? 2 : width,
    activation: model.layers[0].neurons[0].activation,
    outputs: width,
  };
  // Data with no classes holds real targets: a regression unless the options say otherwise.
  const given: TrainOptions = {
    ...options,
    problem: options.problem ?? (data.classes === 0 ? "regression" : undefined),
    // A resumed schedule goes on from the learning rate of the run's last step.
    lr: options.lr ?? options.start?.optimizer?.lr,
  };
  // The one rule for defaults, as the CLI's: the loss follows the model's outputs.
  const loop: LoopSettings = resolveSome(LOOP_KEYS, given, context);
  const { problem, optimizer, loss, lr } = loop;
  const fitting = LOSSES_FOR[problem];
  if (!fitting.includes(loss)) fail("loss", `${fitting.join(" or ")} for ${problem}`, loss);
  for (const [name, set] of [["data", data], ["test", options.test]] as const) {
    if (set === undefined) continue;
    if (name === "data" && set.x.length === 0) fail("data", "a non-empty dataset", []);
    if (set.x.length !== set.y.length) {
      fail(`${name}.y`, `one label per sample (${set.x.length})`, `${set.y.length} labels`);
    }
    set.x.forEach((row, i) => {
      if (row.length !== model.nin) fail(`${name}.x[${i}]`, `${model.nin} features`, row);
    });
    if (problem === "regression") {
      set.y.forEach((y, i) => {
        if (typeof y !== "number" || !Number.isFinite(y)) {
          fail(`${name}.y[${i}]`, "a finite number (a regression target)", y);
        }
      });
    }
  }
  if (problem === "regression") {
    if (width !== 1) fail("model", "1 output for regression", `${width} outputs`);
  } else if (width === 1 ? data.classes !== 2 : width !== data.classes) {
    fail(
      "model",
      `${
        data.classes === 2 ? "1 or 2 outputs" : `${data.classes} outputs`
      } for ${data.classes} classes`,
      `${width} outputs`,
    );
  }
  if (loss === "bce" && width !== 1) {
    fail("loss", "svm, mse or ce for a model with several outputs", loss);
  }
  if (loss === "ce" && width === 1) fail("loss", "svm, mse or bce for a one-output model", loss);
  const start = options.start;
  if (start !== undefined) {
    if (!Number.isSafeInteger(start.step) || start.step < 0) {
      fail("start.step", "an integer >= 0", start.step);
    }
    // The optimizer checks the state itself (TypeError naming the field).
    const made = makeOptimizer(optimizer, model.parameters(), { lr });
    made.loadState(start.optimizer);
    return { options: { ...loop, test: options.test, start }, optimizer: made };
  }
  return { options: { ...loop, test: options.test, start } };
}

/** Options for {@linkcode makeOptimizer}. */
export interface MakeOptimizerOptions {
  /** The learning rate; by default the optimizer's base rate, {@linkcode BASE_LR}. */
  lr?: number;
}

/**
 * Makes the optimizer that `name` names, over `params`, with PyTorch's
 * defaults for everything but the learning rate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeOptimizer, Mlp } from "../../mod.ts";
 * const optimizer = makeOptimizer("momentum", new Mlp(2, [4, 1]).parameters());
 * assert.equal(optimizer.lr, 0.1);
 * assert.equal(optimizer.toJSON().type, "sgd");
 * ```
 *
 * @throws {RangeError} when `lr` is not a positive number.
 */
export function makeOptimizer(
  name: OptimizerName,
  params: readonly Value[],
  options: MakeOptimizerOptions = {},
): Optimizer {
  const { lr = BASE_LR[name] } = options;
  switch (name) {
    case "sgd":
      return new Sgd(params, { lr });
    case "momentum":
      return new Sgd(params, { lr, momentum: 0.9 });
    case "adam":
      return new Adam(params, { lr });
    case "adamw":
      return new AdamW(params, { lr });
    default: {
      const never: never = name;
      throw new RangeError(
        `Cannot make the optimizer as its name is unknown: current value is ${never}`,
      );
    }
  }
}

/** Options for {@linkcode evaluate}. */
export interface EvaluateOptions {
  /**
   * What the labels are.
   *
   * @default {"classification"}
   */
  problem?: Problem;
  /** The loss; by default as {@linkcode TrainOptions.loss}. */
  loss?: LossName;
}

/** What {@linkcode evaluate} measures. */
export interface Evaluation {
  /** The loss, without penalties. */
  loss: number;
  /** Classification: the share of samples classified right. */
  accuracy?: number;
  /** Regression: the mean squared error. */
  mse?: number;
  /** Regression: R^2. */
  r2?: number;
}

/**
 * The loss (no penalty) and accuracy (or mse and R^2) of `model` on `data`,
 * with no update. Runs on the compiled path, a bounded batch of rows at a
 * time, so any size of data fits in memory; the numbers are bit for bit
 * those of the `Value` graph.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluate, makeMoons, Mlp } from "../../mod.ts";
 * const { loss, accuracy } = evaluate(new Mlp(2, [8, 1]), makeMoons(), { loss: "svm" });
 * assert.ok(loss > 0 && accuracy! >= 0 && accuracy! <= 1);
 * ```
 *
 * @throws {RangeError} when the data is empty, or the loss does not fit the model or labels.
 */
export function evaluate(model: Mlp, data: Dataset, options: EvaluateOptions = {}): Evaluation {
  const problem = options.problem ?? "classification";
  const width = model.nouts[model.nouts.length - 1];
  const loss = options.loss ?? defaultLoss(width, problem);
  if (!LOSS_FUNCTIONS[loss]?.fits(width, problem)) {
    throw new RangeError(
      `Cannot evaluate the model as the '${loss}' loss does not fit ${width} output(s) for ${problem}: current value is ${
        JSON.stringify(loss)
      }`,
    );
  }
  const { dataLoss: _, ...metrics } = new Evaluator(model, data, { loss, problem }).run();
  return metrics;
}

/** Options for {@linkcode predictBatch}. */
export interface PredictBatchOptions {
  /** Rows per compiled pass: see {@linkcode CompiledMlpOptions.rowsPerPass}. */
  rowsPerPass?: number;
}

/**
 * The model's outputs on every row of `x`, `k` numbers per row (row `s` is
 * `out[s * k]` to `out[s * k + k - 1]`), on the compiled path, a bounded
 * batch of rows at a time. Bit for bit `model.predict()` of each row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp, predictBatch } from "../../mod.ts";
 * const model = new Mlp(2, [8, 3], { seed: 2 });
 * const out = predictBatch(model, [[0, 1], [1, 0]]);
 * assert.deepEqual(Array.from(out.subarray(3, 6)), model.predict([1, 0]));
 * ```
 *
 * @throws {RangeError} when a row does not have `model.nin` features, or
 * `rowsPerPass` is not a positive integer.
 */
export function predictBatch(
  model: Mlp,
  x: readonly (readonly number[])[],
  options: PredictBatchOptions = {},
): Float64Array {
  if (x.length === 0) return new Float64Array(0);
  return new CompiledMlp(model, x.length, { rowsPerPass: options.rowsPerPass }).predict(x);
}

/**
 * A training run: yields each step's metrics, and holds the optimizer (for
 * its state).
 *
 * On the compiled engine the parameters live in flat arrays while the run
 * goes on, and the model's `Value`s are brought up to date only when asked:
 * `sync()` writes the current parameters (and the latest step's grads) into
 * them, and the run does so itself when it ends (all steps done, `return()`,
 * or a throw, divergence included). Call `sync()` before reading the model
 * between steps (a snapshot, `predict()`, `toJSON()`); call `reload()` after
 * changing a `Value` between steps (the next step starts from it). On the
 * `Value` engine both do nothing: the `Value`s are the parameters.
 */
export interface TrainRun extends Generator<StepMetrics, void, void> {
  /** The optimizer; `optimizer.toJSON()` is what {@linkcode TrainOptions.start} takes to resume. */
  readonly optimizer: Optimizer;
  /** Writes the run's current parameters and latest grads into the model's `Value`s. */
  sync(): void;
  /** Reads the model's `Value`s back into the run, after they were changed from outside. */
  reload(): void;
}

/**
 * Trains `model` on `data` in place, one step per `next()`. Each step: a
 * forward pass over the batch, the loss plus the penalties, `backward()`,
 * and an optimizer update at the scheduled learning rate — micrograd's demo
 * loop, by default exactly.
 *
 * By default the forward and backward passes run on {@linkcode CompiledMlp}
 * (flat typed arrays, no allocation per step); `engine: "value"` builds the
 * `Value` graph and calls `backward()` instead. Both yield the same metrics,
 * bit for bit. On the compiled engine the parameters live in flat arrays
 * while the run goes on, where the optimizer updates them: the model's
 * `Value`s catch up when the run ends, and between steps when you call
 * `run.sync()` (see {@linkcode TrainRun}).
 *
 * @example Micrograd's demo, in a loop that could yield between steps
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeMoons, Mlp, trainSteps } from "../../mod.ts";
 * const data = makeMoons({ samples: 100, noise: 0.1, seed: 1 });
 * const model = new Mlp(2, [16, 16, 1], { seed: 1337 });
 * let last;
 * for (const metrics of trainSteps(model, data, { steps: 60 })) last = metrics;
 * assert.ok(last!.accuracy! > 0.9);
 * ```
 *
 * @example Looking at the model between steps: sync() first
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeMoons, Mlp, trainSteps } from "../../mod.ts";
 * const data = makeMoons({ samples: 50, noise: 0.1, seed: 1 });
 * const model = new Mlp(2, [8, 1], { seed: 2 });
 * const built = model.toJSON();
 * const run = trainSteps(model, data, { steps: 20 });
 * for (const m of run) {
 *   if (m.step !== 10) continue;
 *   run.sync(); // the model's Values now hold step 10's weights
 *   assert.notDeepEqual(model.toJSON(), built);
 * }
 * ```
 *
 * @example Resume: 50 + 50 steps end where 100 steps end
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeMoons, Mlp, trainSteps } from "../../mod.ts";
 * const data = makeMoons({ samples: 50, noise: 0.1, seed: 1 });
 * const options = { optimizer: "adam", lrSchedule: "constant" } as const;
 * const straight = new Mlp(2, [8, 1]);
 * [...trainSteps(straight, data, { ...options, steps: 100 })];
 * const resumed = new Mlp(2, [8, 1]);
 * const first = trainSteps(resumed, data, { ...options, steps: 50 });
 * [...first];
 * const start = { step: 50, optimizer: first.optimizer.toJSON() };
 * const rest = [...trainSteps(resumed, data, { ...options, steps: 50, start })];
 * assert.equal(rest[0].step, 51);
 * assert.deepEqual(resumed.toJSON(), straight.toJSON());
 * ```
 *
 * @throws {RangeError} for a bad option, when called.
 * @throws {DivergedError} when a step's loss is not finite or grew past
 * {@linkcode DIVERGENCE_FACTOR} times the run's first loss.
 */
export function trainSteps(model: Mlp, data: Dataset, options: TrainOptions = {}): TrainRun {
  const { options: o, optimizer: resumed } = resolve(model, data, options);
  const optimizer = resumed ?? makeOptimizer(o.optimizer, model.parameters(), { lr: o.lr });
  // The engine while the run goes on (none before its first step and after its end).
  const live: { engine?: StepEngine } = {};
  return Object.assign(steps(model, data, o, optimizer, live), {
    optimizer,
    sync: () => live.engine?.writeModel(),
    reload: () => live.engine?.readModel(),
  });
}

function* steps(
  model: Mlp,
  data: Dataset,
  o: ResolvedTrainOptions,
  optimizer: Optimizer,
  live: { engine?: StepEngine },
): Generator<StepMetrics, void, void> {
  const first = o.start?.step ?? 0;
  // A resumed run's schedule starts from its lr (by default where the run stopped).
  const scheduled = makeSchedule(o.lrSchedule, o.lr, { steps: o.steps });
  const schedule = (k: number) => scheduled(k - first);
  const rng = new Rng(o.seed);
  const n = data.x.length;
  const all = data.x.map((_, i) => i);
  const batchSize = o.batchSize > 0 && o.batchSize < n ? o.batchSize : n;
  // A resumed run draws the batches the whole run would have drawn.
  if (batchSize < n) { for (let k = 0; k < first; k++) rng.shuffle(all); }
  const eo: EngineOptions = { loss: o.loss, problem: o.problem, l2: o.l2, l1: o.l1 };
  const engine: StepEngine = o.engine === "compiled"
    ? compiledEngine(model, batchSize, { ...eo, threads: o.threads })
    : valueEngine(model, eo);
  const test = o.test !== undefined && o.test.x.length > 0
    ? new Evaluator(model, o.test, eo)
    : undefined;
  live.engine = engine;
  // The worker threads stop when the run ends, is stopped (return()) or throws.
  let start = NaN;
  try {
    for (let k = first; k < first + o.steps; k++) {
      let x = data.x;
      let y = data.y;
      if (batchSize < n) {
        const batch = rng.shuffle(all).slice(0, batchSize);
        x = batch.map((i) => data.x[i]);
        y = batch.map((i) => data.y[i]);
      }
      const lr = schedule(k);
      const m = engine.forward(x, y);
      if (k === first) start = m.loss;
      if (hasDiverged(m.loss, start)) throw new DivergedError(k + 1, m.loss, start);
      const metrics: StepMetrics = { step: k + 1, ...m, lr };
      if (test !== undefined) {
        const t = engine.evaluate(test);
        metrics.testLoss = t.loss;
        if (t.accuracy !== undefined) metrics.testAccuracy = t.accuracy;
        if (t.mse !== undefined) metrics.testMse = t.mse;
        if (t.r2 !== undefined) metrics.testR2 = t.r2;
      }
      optimizer.lr = lr;
      engine.update(optimizer);
      yield metrics;
    }
  } finally {
    // However the run ends (done, return(), a throw), the model's Values catch up.
    engine.writeModel();
    live.engine = undefined;
    engine.dispose();
  }
}
