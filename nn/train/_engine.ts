/**
 * The two ways to compute a training step, behind one interface, and the
 * compiled evaluation that test metrics and `evaluate()` use.
 *
 * Where the parameters live differs: the `Value` engine's are the model's
 * `Value`s; the compiled engine's live in {@linkcode CompiledMlp}'s flat
 * arrays, where the optimizer updates them (`optimizer.stepArrays`), and
 * the `Value`s are synced only when someone looks: `writeModel()` writes the
 * flat parameters (and latest grads) into the `Value`s, `readModel()` reads
 * them back after they were changed from outside. The training loop calls
 * them (see `TrainRun.sync` and `TrainRun.reload`).
 *
 * @module
 */
import type { Value } from "../../engine/value.ts";
import { CompiledMlp } from "../compiled/compiled_mlp.ts";
import {
  accuracy,
  LOSS_FUNCTIONS,
  type LossName,
  meanSquaredError,
  PENALTIES,
  type Problem,
  r2Score,
} from "../model/losses.ts";
import type { Mlp } from "../model/mlp.ts";
import type { Optimizer } from "../model/optim.ts";

/** What a forward pass measures: the loss, and accuracy or mse and R^2. */
export interface BatchMetrics {
  /** The loss, penalties included (equal to `dataLoss` when evaluating). */
  loss: number;
  /** The loss without penalties. */
  dataLoss: number;
  /** Classification: the share of samples classified right. */
  accuracy?: number;
  /** Regression: the mean squared error. */
  mse?: number;
  /** Regression: R^2. */
  r2?: number;
}

/** What both engines need to know about the loss. */
export interface EngineOptions {
  /** The loss. */
  loss: LossName;
  /** What the labels are. */
  problem: Problem;
  /** Weight of the L2 penalty. */
  l2: number;
  /** Weight of the L1 penalty. */
  l1: number;
  /** Threads a compiled step runs on (see `CompiledMlpOptions.threads`). */
  threads?: number | "auto";
}

/**
 * One training step's math: a forward pass with the loss, then its
 * gradients and the optimizer's update; and the sync of the parameters with
 * the model's `Value`s.
 */
export interface StepEngine {
  /** Runs the model and the loss on a batch with the current parameters. */
  forward(x: readonly (readonly number[])[], y: readonly number[]): BatchMetrics;
  /**
   * The gradients of the latest `forward()`, then one update of the
   * parameters by `optimizer` at its `lr`.
   */
  update(optimizer: Optimizer): void;
  /** The metrics of the current parameters on held-out data. */
  evaluate(test: Evaluator): BatchMetrics;
  /**
   * Writes the current parameters, and the latest grads, into the model's
   * `Value`s (nothing to do where the `Value`s are the parameters).
   */
  writeModel(): void;
  /**
   * Reads the parameters from the model's `Value`s, after they were changed
   * from outside (nothing to do where the `Value`s are the parameters).
   */
  readModel(): void;
  /** Frees what the engine holds beyond memory (worker threads). */
  dispose(): void;
}

/**
 * The compiled engine: {@linkcode CompiledMlp} for batches of `batchSize`,
 * with the parameters in its flat arrays (read from the model here).
 */
export function compiledEngine(model: Mlp, batchSize: number, o: EngineOptions): StepEngine {
  const compiled = new CompiledMlp(model, batchSize, { ...o, syncModel: false });
  return {
    forward(x, y) {
      const loss = compiled.forward(x, y);
      return o.problem === "regression"
        ? { loss, dataLoss: compiled.dataLoss, mse: compiled.mse, r2: compiled.r2 }
        : { loss, dataLoss: compiled.dataLoss, accuracy: compiled.accuracy };
    },
    update(optimizer) {
      compiled.backward();
      compiled.step(optimizer);
    },
    evaluate: (test) => test.run(compiled),
    writeModel: () => compiled.writeModel(),
    readModel: () => compiled.readModel(),
    dispose: () => compiled.dispose(),
  };
}

/** The `Value` engine: builds the graph, micrograd's way, and calls `backward()`. */
export function valueEngine(model: Mlp, o: EngineOptions): StepEngine {
  const params = model.parameters();
  const loss = LOSS_FUNCTIONS[o.loss];
  let graph: Value | null = null;
  return {
    forward(x, y) {
      const outputs = x.map((xi) => model.forward(xi));
      const dataLoss = loss.value(outputs, y, o.problem);
      let total = dataLoss;
      if (o.l2 > 0) total = total.add(PENALTIES.l2.value(params, o.l2));
      if (o.l1 > 0) total = total.add(PENALTIES.l1.value(params, o.l1));
      graph = total;
      const metrics: BatchMetrics = { loss: total.data, dataLoss: dataLoss.data };
      if (o.problem === "regression") {
        const preds = outputs.map((out) => out[0].data);
        metrics.mse = meanSquaredError(preds, y);
        metrics.r2 = r2Score(preds, y);
      } else metrics.accuracy = accuracy(outputs, y);
      return metrics;
    },
    update(optimizer) {
      if (graph === null) {
        throw new RangeError(
          "Cannot run backward() as there is no forward pass to go back through: current graph is none",
        );
      }
      optimizer.zeroGrad();
      graph.backward();
      graph = null;
      optimizer.step();
    },
    evaluate: (test) => test.run(),
    writeModel() {},
    readModel() {},
    dispose() {},
  };
}

/** Evaluates a model on one data set, again and again, on the compiled path. */
export class Evaluator {
  readonly #compiled: CompiledMlp;
  readonly #x: readonly (readonly number[])[];
  readonly #y: readonly number[];

  /**
   * Lays out the compiled model for `data`.
   *
   * @throws {RangeError} when the data is empty.
   */
  constructor(
    model: Mlp,
    data: { x: readonly (readonly number[])[]; y: readonly number[] },
    o: Pick<EngineOptions, "loss" | "problem">,
  ) {
    const n = data.x.length;
    if (n === 0 || data.y.length !== n) {
      throw new RangeError(
        `Cannot evaluate the model as the data must have one label per sample (${n}, at least 1): current length is ${data.y.length}`,
      );
    }
    this.#compiled = new CompiledMlp(model, n, {
      loss: o.loss,
      problem: o.problem,
      syncModel: false,
    });
    this.#x = data.x;
    this.#y = data.y;
  }

  /**
   * The loss (no penalty) and the metrics of the model's current parameters:
   * those of `from` (a compiled model of the same layers that holds them in
   * its flat arrays) if given, else the model's `Value`s.
   */
  run(from?: CompiledMlp): BatchMetrics {
    const c = this.#compiled;
    if (from === undefined) c.readModel();
    else c.copyParams(from);
    const loss = c.forward(this.#x, this.#y);
    return c.problem === "regression"
      ? { loss, dataLoss: loss, mse: c.mse, r2: c.r2 }
      : { loss, dataLoss: loss, accuracy: c.accuracy };
  }
}
