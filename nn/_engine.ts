/**
 * The two ways to compute a training step, behind one interface, and the
 * batched compiled passes that evaluation and prediction use.
 *
 * @module
 */
import type { Value } from "../engine/value.ts";
import { CompiledMlp } from "./compiled_mlp.ts";
import {
  accuracy,
  LOSS_FUNCTIONS,
  type LossName,
  meanSquaredError,
  PENALTIES,
  type Problem,
  r2Score,
} from "./losses.ts";
import type { Mlp } from "./mlp.ts";
import { countCorrect } from "./_metrics.ts";

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
}

/** One training step's math: a forward pass with the loss, then its gradients. */
export interface StepEngine {
  /** Runs the model and the loss on a batch with the current parameters. */
  forward(x: readonly (readonly number[])[], y: readonly number[]): BatchMetrics;
  /** Adds d(loss)/d(parameter) of the latest `forward()` into each parameter's `grad`. */
  backward(): void;
}

/** The compiled engine: {@linkcode CompiledMlp} for batches of `batchSize`. */
export function compiledEngine(model: Mlp, batchSize: number, o: EngineOptions): StepEngine {
  const compiled = new CompiledMlp(model, batchSize, o);
  return {
    forward(x, y) {
      const loss = compiled.forward(x, y);
      return o.problem === "regression"
        ? { loss, dataLoss: compiled.dataLoss, mse: compiled.mse, r2: compiled.r2 }
        : { loss, dataLoss: compiled.dataLoss, accuracy: compiled.accuracy };
    },
    backward: () => compiled.backward(),
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
    backward() {
      if (graph === null) {
        throw new RangeError(
          "Cannot run backward() as there is no forward pass to go back through: current graph is none",
        );
      }
      graph.backward();
      graph = null;
    },
  };
}

/**
 * How many rows one compiled pass takes when evaluating or predicting: about
 * half a million activations per layer array at most, so that memory stays
 * bounded whatever the data's size.
 */
export function rowsPerPass(model: Mlp): number {
  const width = model.nin + model.nouts.reduce((a, b) => a + b, 0);
  return Math.max(1, Math.min(4096, Math.floor(2 ** 19 / width)));
}

/** Runs a model over any number of rows, a bounded batch at a time, on the compiled path. */
export class Predictor {
  readonly #model: Mlp;
  readonly #rows: number;
  #passes = new Map<number, CompiledMlp>();

  /** Makes a predictor for `model` that runs `rows` rows per pass. */
  constructor(model: Mlp, rows = rowsPerPass(model)) {
    this.#model = model;
    this.#rows = rows;
  }

  /** The outputs of every row of `x`, `k` per row, bit for bit those of `model.predict()`. */
  run(x: readonly (readonly number[])[], into?: Float64Array): Float64Array {
    const k = this.#model.nouts[this.#model.nouts.length - 1];
    const out = into ?? new Float64Array(x.length * k);
    for (let start = 0; start < x.length; start += this.#rows) {
      const m = Math.min(this.#rows, x.length - start);
      let pass = this.#passes.get(m);
      if (pass === undefined) {
        // At most two sizes: full passes and the last one.
        if (this.#passes.size >= 2) this.#passes.clear();
        pass = new CompiledMlp(this.#model, m);
        this.#passes.set(m, pass);
      }
      out.set(pass.predict(m === x.length ? x : x.slice(start, start + m)), start * k);
    }
    return out;
  }
}

/** Evaluates a model on one data set, again and again (the labels are read once). */
export class Evaluator {
  readonly #predictor: Predictor;
  readonly #x: readonly (readonly number[])[];
  readonly #y: readonly number[];
  readonly #o: EngineOptions;
  readonly #k: number;
  readonly #lab: Float64Array;
  readonly #aux: Float64Array;
  readonly #out: Float64Array;

  /**
   * Reads the labels of `data` for the loss.
   *
   * @throws {RangeError} when a label does not fit the loss.
   */
  constructor(
    model: Mlp,
    data: { x: readonly (readonly number[])[]; y: readonly number[] },
    o: EngineOptions,
  ) {
    const n = data.x.length;
    if (n === 0 || data.y.length !== n) {
      throw new RangeError(
        `Cannot evaluate the model as the data must have one label per sample (${n}, at least 1): current length is ${data.y.length}`,
      );
    }
    this.#predictor = new Predictor(model);
    this.#x = data.x;
    this.#y = data.y;
    this.#o = o;
    this.#k = model.nouts[model.nouts.length - 1];
    const loss = LOSS_FUNCTIONS[o.loss];
    this.#lab = Float64Array.from(data.y, (y, i) => loss.label(y, i, this.#k, o.problem));
    this.#aux = new Float64Array(n * this.#k);
    this.#out = new Float64Array(n * this.#k);
  }

  /** The loss (no penalty) and the metrics of the model's current parameters. */
  run(): BatchMetrics {
    const n = this.#x.length;
    const out = this.#predictor.run(this.#x, this.#out);
    const loss = LOSS_FUNCTIONS[this.#o.loss].forward(out, this.#lab, this.#aux, n, this.#k) *
      (1 / n);
    if (this.#o.problem === "regression") {
      return {
        loss,
        dataLoss: loss,
        mse: meanSquaredError(out, this.#y),
        r2: r2Score(out, this.#y),
      };
    }
    return { loss, dataLoss: loss, accuracy: countCorrect(out, this.#k, this.#y, n) / n };
  }
}
