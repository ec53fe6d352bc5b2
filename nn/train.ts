/**
 * The training loop that the worker, the CLI and the tests share. It is a
 * generator: each `next()` runs one step and yields its metrics, so a caller
 * can run a few steps, handle messages, and go on.
 *
 * @module
 */
import type { Value } from "../engine/value.ts";
import { CompiledMlp } from "./compiled_mlp.ts";
import type { Dataset } from "./datasets.ts";
import { accuracy, classificationLoss, l2Penalty, LOSS_NAMES, type LossName } from "./losses.ts";
import type { Mlp } from "./mlp.ts";
import { Adam, AdamW, type Optimizer, Sgd } from "./optim.ts";
import { Rng } from "./random.ts";
import { makeSchedule, SCHEDULE_NAMES, type ScheduleName } from "./schedule.ts";
import { ENGINE_NAMES, type EngineName, OPTIMIZER_NAMES, type OptimizerName } from "./settings.ts";

/** The learning rate each optimizer starts from when `lr` is not given. */
export const DEFAULT_LR: Readonly<Record<OptimizerName, number>> = {
  sgd: 1.0,
  momentum: 0.1,
  adam: 0.01,
  adamw: 0.01,
};

/** Options for {@linkcode trainSteps}. Every default is micrograd's demo. */
export interface TrainOptions {
  /**
   * The loss; by default `svm` for a one-output model and `ce` otherwise.
   */
  loss?: LossName;
  /**
   * The optimizer.
   *
   * @default {"sgd"}
   */
  optimizer?: OptimizerName;
  /** The first step's learning rate; by default {@linkcode DEFAULT_LR} of the optimizer. */
  lr?: number;
  /**
   * How the learning rate changes over the steps.
   *
   * @default {"linear"}
   */
  lrSchedule?: ScheduleName;
  /**
   * How many steps.
   *
   * @default {100}
   */
  steps?: number;
  /**
   * Samples per step, drawn afresh each step; 0 means the whole set.
   *
   * @default {0}
   */
  batchSize?: number;
  /**
   * Weight of the L2 penalty `l2 * sum(p^2)` added to the loss.
   *
   * @default {1e-4}
   */
  l2?: number;
  /**
   * Seed of the batch sampler.
   *
   * @default {0}
   */
  seed?: number;
  /** Held-out data: each step also reports its loss and accuracy. */
  test?: Dataset;
  /**
   * How each step is computed. `"compiled"` replays the model and loss over
   * flat typed arrays ({@linkcode CompiledMlp}); `"value"` builds the `Value`
   * graph and calls `backward()`, micrograd's way, for learning and
   * inspection. Both give the same metrics, bit for bit.
   *
   * @default {"compiled"}
   */
  engine?: EngineName;
}

/** What one step reports. */
export interface StepMetrics {
  /** The step, from 1. */
  step: number;
  /** The training loss, penalty included, before this step's update. */
  loss: number;
  /** The training loss without the penalty. */
  dataLoss: number;
  /** Training accuracy on this step's batch, before the update. */
  accuracy: number;
  /** The learning rate this step used. */
  lr: number;
  /** The test loss (no penalty), with a test set. */
  testLoss?: number;
  /** The test accuracy, with a test set. */
  testAccuracy?: number;
}

/** The loss became NaN or infinite: training cannot go on. */
export class DivergedError extends RangeError {
  /** The step whose loss was not finite. */
  readonly step: number;

  /** Makes the error for `step`. */
  constructor(step: number, loss: number) {
    super(
      `Cannot train as the loss at step ${step} is not finite: current value is ${loss}; try a smaller learning rate`,
    );
    this.name = "DivergedError";
    this.step = step;
  }
}

/** The options with every default filled in, as {@linkcode resolveTrainOptions} gives them. */
export type ResolvedTrainOptions = Required<Omit<TrainOptions, "test">> & { test?: Dataset };

/**
 * Fills in defaults and checks every option against the model and data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeMoons, Mlp, resolveTrainOptions } from "../mod.ts";
 * const o = resolveTrainOptions(new Mlp(2, [16, 16, 1]), makeMoons());
 * assert.deepEqual([o.optimizer, o.lr, o.lrSchedule, o.steps, o.loss], ["sgd", 1, "linear", 100, "svm"]);
 * ```
 *
 * @throws {RangeError} naming the first bad option.
 */
export function resolveTrainOptions(
  model: Mlp,
  data: Dataset,
  options: TrainOptions = {},
): ResolvedTrainOptions {
  const fail = (name: string, want: string, got: unknown): never => {
    throw new RangeError(
      `Cannot train as '${name}' must be ${want}: current value is ${JSON.stringify(got) ?? got}`,
    );
  };
  const width = model.nouts[model.nouts.length - 1];
  const optimizer = options.optimizer ?? "sgd";
  if (!OPTIMIZER_NAMES.includes(optimizer)) {
    fail("optimizer", OPTIMIZER_NAMES.join(", "), optimizer);
  }
  const loss = options.loss ?? (width === 1 ? "svm" : "ce");
  if (!LOSS_NAMES.includes(loss)) fail("loss", LOSS_NAMES.join(", "), loss);
  const lr = options.lr ?? DEFAULT_LR[optimizer];
  if (!(lr > 0 && Number.isFinite(lr))) fail("lr", "a positive number", lr);
  const lrSchedule = options.lrSchedule ?? "linear";
  if (!SCHEDULE_NAMES.includes(lrSchedule)) {
    fail("lrSchedule", SCHEDULE_NAMES.join(", "), lrSchedule);
  }
  const steps = options.steps ?? 100;
  if (!Number.isInteger(steps) || steps < 1) fail("steps", "a positive integer", steps);
  const batchSize = options.batchSize ?? 0;
  if (!Number.isInteger(batchSize) || batchSize < 0) {
    fail("batchSize", "an integer >= 0 (0 for the whole set)", batchSize);
  }
  const l2 = options.l2 ?? 1e-4;
  if (!(l2 >= 0 && Number.isFinite(l2))) fail("l2", "a finite number >= 0", l2);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) fail("seed", "an integer", seed);
  for (const [name, set] of [["data", data], ["test", options.test]] as const) {
    if (set === undefined) continue;
    if (name === "data" && set.x.length === 0) fail("data", "a non-empty dataset", []);
    if (set.x.length !== set.y.length) {
      fail(`${name}.y`, `one label per sample (${set.x.length})`, `${set.y.length} labels`);
    }
    set.x.forEach((row, i) => {
      if (row.length !== model.nin) fail(`${name}.x[${i}]`, `${model.nin} features`, row);
    });
  }
  if (width === 1 ? data.classes !== 2 : width !== data.classes) {
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
  const engine = options.engine ?? "compiled";
  if (!ENGINE_NAMES.includes(engine)) fail("engine", ENGINE_NAMES.join(" or "), engine);
  return {
    loss,
    optimizer,
    lr,
    lrSchedule,
    steps,
    batchSize,
    l2,
    seed,
    engine,
    test: options.test,
  };
}

/** Options for {@linkcode makeOptimizer}. */
export interface MakeOptimizerOptions {
  /** The learning rate; by default {@linkcode DEFAULT_LR} of the optimizer. */
  lr?: number;
}

/**
 * Makes the optimizer that `name` names, over `params`, with PyTorch's
 * defaults for everything but the learning rate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeOptimizer, Mlp } from "../mod.ts";
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
  const { lr = DEFAULT_LR[name] } = options;
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
  /** The loss; by default `svm` for a one-output model and `ce` otherwise. */
  loss?: LossName;
}

/**
 * The loss (no penalty) and accuracy of `model` on `data`, with no update.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluate, makeMoons, Mlp } from "../mod.ts";
 * const { loss, accuracy } = evaluate(new Mlp(2, [8, 1]), makeMoons(), { loss: "svm" });
 * assert.ok(loss > 0 && accuracy >= 0 && accuracy <= 1);
 * ```
 */
export function evaluate(
  model: Mlp,
  data: Dataset,
  options: EvaluateOptions = {},
): { loss: number; accuracy: number } {
  const loss = options.loss ?? (model.nouts[model.nouts.length - 1] === 1 ? "svm" : "ce");
  const outputs = data.x.map((x) => model.forward(x));
  return {
    loss: classificationLoss(outputs, data.y, { loss }).data,
    accuracy: accuracy(outputs, data.y),
  };
}

/**
 * Trains `model` on `data` in place, one step per `next()`. Each step: a
 * forward pass over the batch, the loss plus `l2 * sum(p^2)`, `backward()`,
 * and an optimizer update at the scheduled learning rate — micrograd's demo
 * loop, by default exactly.
 *
 * By default the forward and backward passes run on {@linkcode CompiledMlp}
 * (flat typed arrays, no allocation per step); `engine: "value"` builds the
 * `Value` graph and calls `backward()` instead. Both yield the same metrics,
 * bit for bit.
 *
 * @example Micrograd's demo, in a loop that could yield between steps
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeMoons, Mlp, trainSteps } from "../mod.ts";
 * const data = makeMoons({ samples: 100, noise: 0.1, seed: 1 });
 * const model = new Mlp(2, [16, 16, 1], { seed: 1337 });
 * let last;
 * for (const metrics of trainSteps(model, data, { steps: 60 })) last = metrics;
 * assert.ok(last!.accuracy > 0.9);
 * ```
 *
 * @throws {RangeError} for a bad option, before the first step.
 * @throws {DivergedError} when a loss is not finite.
 */
export function* trainSteps(
  model: Mlp,
  data: Dataset,
  options: TrainOptions = {},
): Generator<StepMetrics, void, void> {
  const o = resolveTrainOptions(model, data, options);
  const params = model.parameters();
  const optimizer = makeOptimizer(o.optimizer, params, { lr: o.lr });
  const schedule = makeSchedule(o.lrSchedule, o.lr, { steps: o.steps });
  const rng = new Rng(o.seed);
  const n = data.x.length;
  const all = data.x.map((_, i) => i);
  const batchSize = o.batchSize > 0 && o.batchSize < n ? o.batchSize : n;
  const test = o.test !== undefined && o.test.x.length > 0 ? o.test : undefined;
  const compiled = o.engine === "compiled"
    ? new CompiledMlp(model, batchSize, { loss: o.loss, l2: o.l2 })
    : undefined;
  const compiledTest = compiled && test
    ? new CompiledMlp(model, test.x.length, { loss: o.loss })
    : undefined;
  for (let step = 0; step < o.steps; step++) {
    let x = data.x;
    let y = data.y;
    if (batchSize < n) {
      const batch = rng.shuffle(all).slice(0, batchSize);
      x = batch.map((i) => data.x[i]);
      y = batch.map((i) => data.y[i]);
    }
    const lr = schedule(step);
    let metrics: StepMetrics;
    let graph: Value | undefined;
    if (compiled !== undefined) {
      const loss = compiled.forward(x, y);
      metrics = {
        step: step + 1,
        loss,
        dataLoss: compiled.dataLoss,
        accuracy: compiled.accuracy,
        lr,
      };
    } else {
      const outputs = x.map((xi) => model.forward(xi));
      const dataLoss = classificationLoss(outputs, y, { loss: o.loss });
      graph = o.l2 > 0 ? dataLoss.add(l2Penalty(params, o.l2)) : dataLoss;
      metrics = {
        step: step + 1,
        loss: graph.data,
        dataLoss: dataLoss.data,
        accuracy: accuracy(outputs, y),
        lr,
      };
    }
    if (!Number.isFinite(metrics.loss)) throw new DivergedError(step + 1, metrics.loss);
    if (test !== undefined) {
      if (compiledTest !== undefined) {
        compiledTest.forward(test.x, test.y);
        metrics.testLoss = compiledTest.dataLoss;
        metrics.testAccuracy = compiledTest.accuracy;
      } else {
        const t = evaluate(model, test, { loss: o.loss });
        metrics.testLoss = t.loss;
        metrics.testAccuracy = t.accuracy;
      }
    }
    optimizer.zeroGrad();
    if (graph !== undefined) graph.backward();
    else compiled!.backward();
    optimizer.lr = lr;
    optimizer.step();
    yield metrics;
  }
}
