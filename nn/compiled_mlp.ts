/**
 * The compiled path: an {@linkcode Mlp} and a loss turned into flat
 * `Float64Array`s for a fixed batch size, so that a training step allocates
 * nothing and runs no per-node code.
 *
 * The program is laid out once; each step replays it with new inputs, labels
 * and parameter values, and writes gradients back into the model's
 * parameters. The math of each activation, loss and penalty comes from its
 * one definition ({@linkcode ACTIVATION_FUNCTIONS}, {@linkcode LOSS_FUNCTIONS},
 * {@linkcode PENALTIES}), whose kernels perform the same float operations as
 * the `Value` forms. The layers' own sums are added in the graph's order:
 * forward sums start from the bias and add `w * x` input by input; backward
 * visits samples and neurons in the reverse topological order that
 * `Value.backward()` uses, so every gradient accumulates in the same order.
 * The losses and gradients are therefore bit for bit those of the `Value` path.
 *
 * @module
 */
import type { Value } from "../engine/value.ts";
import { ACTIVATION_FUNCTIONS, type ActivationFunction } from "./activations.ts";
import {
  defaultLoss,
  LOSS_FUNCTIONS,
  type LossFunction,
  type LossName,
  meanSquaredError,
  PENALTIES,
  type Penalty,
  type Problem,
  r2Score,
} from "./losses.ts";
import type { Mlp } from "./mlp.ts";
import { countCorrect } from "./_metrics.ts";

/** Options for {@linkcode CompiledMlp}. */
export interface CompiledMlpOptions {
  /**
   * The loss; by default `svm` for a one-output classifier, `ce` for
   * several outputs, `mse` for regression.
   */
  loss?: LossName;
  /**
   * What the labels are: class indices, or real targets.
   *
   * @default {"classification"}
   */
  problem?: Problem;
  /**
   * Weight of the L2 penalty `l2 * sum(p^2)` added to the loss.
   *
   * @default {0}
   */
  l2?: number;
  /**
   * Weight of the L1 penalty `l1 * sum(|p|)` added to the loss (after L2).
   *
   * @default {0}
   */
  l1?: number;
}

/**
 * An {@linkcode Mlp} with a loss, compiled for batches of `batchSize`
 * samples. `forward()` reads the model's current parameters, `backward()`
 * adds the gradients into each parameter's `grad`, as `Value.backward()`
 * does; optimizers then update the model as usual.
 *
 * @example Same loss and grads as the Value graph
 * ```ts
 * import assert from "node:assert/strict";
 * import { classificationLoss, CompiledMlp, Mlp } from "../mod.ts";
 * const model = new Mlp(2, [8, 1], { seed: 3 });
 * const x = [[0.5, -1], [2, 0.25]];
 * const y = [1, 0];
 * const compiled = new CompiledMlp(model, 2, { loss: "svm" });
 * const loss = compiled.forward(x, y);
 * compiled.backward();
 * const grads = model.parameters().map((p) => p.grad);
 * model.zeroGrad();
 * const graph = classificationLoss(x.map((xi) => model.forward(xi)), y, { loss: "svm" });
 * graph.backward();
 * assert.equal(loss, graph.data);
 * assert.deepEqual(grads, model.parameters().map((p) => p.grad));
 * ```
 */
export class CompiledMlp {
  /** Samples per batch. */
  readonly batchSize: number;
  /** The loss. */
  readonly loss: LossName;
  /** What the labels are. */
  readonly problem: Problem;
  /** Weight of the L2 penalty. */
  readonly l2: number;
  /** Weight of the L1 penalty. */
  readonly l1: number;
  /** The latest total loss (penalties included), from `forward()`. */
  get total(): number {
    return this.#total;
  }
  /** The latest data loss (no penalty), from `forward()`. */
  get dataLoss(): number {
    return this.#dataLoss;
  }
  /** The latest batch accuracy, from `forward()` (classification; NaN for regression). */
  get accuracy(): number {
    return this.#accuracy;
  }
  /** The latest batch mean squared error, from `forward()` (regression; NaN for classification). */
  get mse(): number {
    return this.#mse;
  }
  /** The latest batch R^2, from `forward()` (regression; NaN for classification). */
  get r2(): number {
    return this.#r2;
  }

  readonly #params: readonly Value[];
  readonly #lossFn: LossFunction;
  // The penalties in the order the loss adds them, with their weights.
  readonly #penalties: readonly [Penalty, number][];
  readonly #acts: readonly ActivationFunction[];
  readonly #p: Float64Array;
  readonly #g: Float64Array;
  readonly #sizes: Int32Array;
  readonly #offsets: Int32Array;
  readonly #nin: number;
  readonly #k: number;
  // Per layer: the activation output A (layer 0 holds the inputs) and the
  // local derivative D of each activation, batch-major.
  readonly #a: Float64Array[];
  readonly #d: Float64Array[];
  // Per sample: the loss's label form (see LossFunction.label).
  readonly #lab: Float64Array;
  // Per sample: the class that accuracy compares with (a -1 label is class 0).
  readonly #cls: Float64Array;
  // Per sample, per output: the grad of each output after the loss's backward.
  readonly #gout: Float64Array;
  // Per sample scratch of the loss (hinge pre-activations, lse, mse diffs ...).
  readonly #aux: Float64Array;
  readonly #ga: Float64Array;
  readonly #gb: Float64Array;
  // Reverse topological order of the last layer's neurons, per sample (k each).
  readonly #order: Int32Array;
  // Whether every input, parameter and activation of the latest forward pass
  // is finite; then a neuron whose grad is 0 adds only zeros, and is skipped.
  #finite = false;
  #total = NaN;
  #dataLoss = NaN;
  #accuracy = NaN;
  #mse = NaN;
  #r2 = NaN;

  /**
   * Lays out the program for `model` and batches of `batchSize` samples.
   *
   * @throws {RangeError} when `batchSize` is not a positive integer, the loss
   * does not fit the model's outputs or the problem, or a penalty is negative.
   */
  constructor(model: Mlp, batchSize: number, options: CompiledMlpOptions = {}) {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(
        `Cannot compile the model as 'batchSize' must be a positive integer: current value is ${batchSize}`,
      );
    }
    const k = model.nouts[model.nouts.length - 1];
    const problem = options.problem ?? "classification";
    if (problem !== "classification" && problem !== "regression") {
      throw new RangeError(
        `Cannot compile the model as 'problem' must be classification or regression: current value is ${
          JSON.stringify(problem)
        }`,
      );
    }
    const loss = options.loss ?? defaultLoss(k, problem);
    if (!Object.hasOwn(LOSS_FUNCTIONS, loss)) {
      throw new RangeError(
        `Cannot compile the model as 'loss' must be svm, mse, bce, ce or huber: current value is ${
          JSON.stringify(loss)
        }`,
      );
    }
    const lossFn = LOSS_FUNCTIONS[loss];
    if (!lossFn.fits(k, problem)) {
      throw new RangeError(
        `Cannot compile the model as the '${loss}' loss does not fit ${k} output(s) for ${problem}: current value is ${
          JSON.stringify(loss)
        }`,
      );
    }
    const penalties: [Penalty, number][] = [];
    for (const name of ["l2", "l1"] as const) {
      const alpha = options[name] ?? 0;
      if (!(alpha >= 0 && Number.isFinite(alpha))) {
        throw new RangeError(
          `Cannot compile the model as '${name}' must be a finite number >= 0: current value is ${alpha}`,
        );
      }
      if (alpha > 0) penalties.push([PENALTIES[name], alpha]);
    }
    this.batchSize = batchSize;
    this.loss = loss;
    this.problem = problem;
    this.l2 = options.l2 ?? 0;
    this.l1 = options.l1 ?? 0;
    this.#lossFn = lossFn;
    this.#penalties = penalties;
    this.#params = model.parameters();
    const sizes = [model.nin, ...model.nouts];
    this.#sizes = Int32Array.from(sizes);
    this.#acts = model.layers.map((layer) => ACTIVATION_FUNCTIONS[layer.neurons[0].activation]);
    const offsets: number[] = [];
    let count = 0;
    for (let l = 1; l < sizes.length; l++) {
      offsets.push(count);
      count += sizes[l] * (sizes[l - 1] + 1);
    }
    this.#offsets = Int32Array.from(offsets);
    this.#nin = model.nin;
    this.#k = k;
    this.#p = new Float64Array(count);
    this.#g = new Float64Array(count);
    this.#a = sizes.map((n) => new Float64Array(n * batchSize));
    this.#d = sizes.map((n) => new Float64Array(n * batchSize));
    this.#lab = new Float64Array(batchSize);
    this.#cls = new Float64Array(batchSize);
    this.#gout = new Float64Array(k * batchSize);
    this.#aux = new Float64Array(k * batchSize);
    const width = Math.max(...sizes);
    this.#ga = new Float64Array(width);
    this.#gb = new Float64Array(width);
    this.#order = new Int32Array(k * batchSize);
  }

  /**
   * Runs the forward pass and the loss on one batch with the model's current
   * parameters, and returns the total loss (penalties included).
   *
   * @throws {RangeError} when the batch does not have `batchSize` rows of
   * `nin` features, or a label does not fit the loss (same messages as the
   * `Value` losses).
   */
  forward(x: readonly (readonly number[])[], y: readonly number[]): number {
    const n = this.batchSize;
    if (x.length !== n || y.length !== n) {
      throw new RangeError(
        `Cannot run the compiled model as the batch must have ${n} samples and labels: current lengths are ${x.length} and ${y.length}`,
      );
    }
    this.#readLabels(y);
    this.#finite = this.#run(x) === 0;
    const out = this.#a[this.#a.length - 1];
    const dataLoss = this.#lossFn.forward(out, this.#lab, this.#aux, n, this.#k) * (1 / n);
    let total = dataLoss;
    for (const [penalty, alpha] of this.#penalties) total = total + penalty.forward(this.#p, alpha);
    this.#dataLoss = dataLoss;
    this.#total = total;
    if (this.problem === "regression") {
      this.#mse = meanSquaredError(out, this.#lab);
      this.#r2 = r2Score(out, this.#lab);
    } else this.#accuracy = countCorrect(out, this.#k, this.#cls, n) / n;
    return total;
  }

  /**
   * The model's outputs on one batch with its current parameters, no loss:
   * row `s` is `out[s * k]` to `out[s * k + k - 1]` for `k` outputs. The
   * numbers are bit for bit those of `model.predict()`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CompiledMlp, Mlp } from "../mod.ts";
   * const model = new Mlp(2, [4, 3], { seed: 1 });
   * const out = new CompiledMlp(model, 2).predict([[0.5, 1], [-1, 2]]);
   * assert.deepEqual(Array.from(out.subarray(3, 6)), model.predict([-1, 2]));
   * ```
   *
   * @throws {RangeError} when the batch does not have `batchSize` rows of `nin` features.
   */
  predict(x: readonly (readonly number[])[]): Float64Array {
    if (x.length !== this.batchSize) {
      throw new RangeError(
        `Cannot run the compiled model as the batch must have ${this.batchSize} samples: current length is ${x.length}`,
      );
    }
    this.#run(x);
    return this.#a[this.#a.length - 1].slice();
  }

  /** Loads the inputs and parameters and runs every layer; 0 when all is finite, else NaN. */
  #run(x: readonly (readonly number[])[]): number {
    const n = this.batchSize;
    const nin = this.#nin;
    const a0 = this.#a[0];
    // x * 0 is 0 for every finite x and NaN otherwise: one NaN check covers all.
    let zero = 0;
    for (let s = 0; s < n; s++) {
      const row = x[s];
      if (row.length !== nin) {
        throw new RangeError(
          `Cannot run the model as the input must have ${nin} features: current length is ${row.length}`,
        );
      }
      for (let i = 0; i < nin; i++) {
        const v = row[i];
        a0[s * nin + i] = v;
        zero += v * 0;
      }
    }
    const params = this.#params;
    const p = this.#p;
    for (let i = 0; i < p.length; i++) {
      const v = params[i].data;
      p[i] = v;
      zero += v * 0;
    }
    return zero + this.#forwardLayers();
  }

  /**
   * Adds d(total loss)/d(parameter) of the latest `forward()` into each
   * parameter's `grad`, exactly as `Value.backward()` on the same graph does.
   */
  backward(): void {
    const g = this.#g;
    const p = this.#p;
    g.fill(0);
    // The penalties go backward first, the last added first.
    for (let i = this.#penalties.length - 1; i >= 0; i--) {
      const [penalty, alpha] = this.#penalties[i];
      penalty.backward(p, alpha, g);
    }
    this.#gout.fill(0);
    const n = this.batchSize;
    const k = this.#k;
    const out = this.#a[this.#a.length - 1];
    this.#lossFn.backward(out, this.#lab, this.#aux, this.#gout, this.#order, n, k);
    this.#backwardLayers();
    const params = this.#params;
    for (let i = 0; i < g.length; i++) params[i].grad += g[i];
  }

  #readLabels(y: readonly number[]): void {
    const lab = this.#lab;
    const k = this.#k;
    const loss = this.#lossFn;
    const problem = this.problem;
    for (let s = 0; s < y.length; s++) {
      const ys = y[s];
      lab[s] = loss.label(ys, s, k, problem);
      this.#cls[s] = ys === -1 ? 0 : ys;
    }
  }

  /** Runs every layer; returns 0 when every activation is finite, else NaN. */
  #forwardLayers(): number {
    let zero = 0;
    const sizes = this.#sizes;
    const p = this.#p;
    const n = this.batchSize;
    for (let l = 1; l < sizes.length; l++) {
      const nin = sizes[l - 1];
      const nout = sizes[l];
      const xin = this.#a[l - 1];
      const out = this.#a[l];
      const base = this.#offsets[l - 1];
      for (let s = 0; s < n; s++) {
        const xo = s * nin;
        for (let j = 0; j < nout; j++) {
          const o = base + j * (nin + 1);
          let z = p[o + nin];
          for (let i = 0; i < nin; i++) z += p[o + i] * xin[xo + i];
          out[s * nout + j] = z;
        }
      }
      const size = n * nout;
      this.#acts[l - 1].kernel(out, this.#d[l], size);
      for (let i = 0; i < size; i++) zero += out[i] * 0;
    }
    return zero;
  }

  #backwardLayers(): void {
    const sizes = this.#sizes;
    const p = this.#p;
    const g = this.#g;
    const n = this.batchSize;
    const last = sizes.length - 1;
    const k = this.#k;
    const gout = this.#gout;
    const order = this.#order;
    const skip = this.#finite;
    let ga = this.#ga;
    let gb = this.#gb;
    // Value.backward() meets the samples' subgraphs in reverse.
    for (let s = n - 1; s >= 0; s--) {
      for (let j = 0; j < k; j++) ga[j] = gout[s * k + j];
      for (let l = last; l >= 1; l--) {
        const nin = sizes[l - 1];
        const nout = sizes[l];
        const xin = this.#a[l - 1];
        const der = this.#d[l];
        const base = this.#offsets[l - 1];
        const xo = s * nin;
        const hidden = l > 1;
        if (hidden) gb.fill(0, 0, nin);
        for (let r = 0; r < nout; r++) {
          const j = l === last ? order[s * k + r] : nout - 1 - r;
          const gz = der[s * nout + j] * ga[j];
          if (gz === 0 && skip) continue;
          const o = base + j * (nin + 1);
          if (hidden) {
            for (let i = 0; i < nin; i++) {
              g[o + i] += xin[xo + i] * gz;
              gb[i] += p[o + i] * gz;
            }
          } else {
            for (let i = 0; i < nin; i++) g[o + i] += xin[xo + i] * gz;
          }
          g[o + nin] += gz;
        }
        const t = ga;
        ga = gb;
        gb = t;
      }
    }
  }
}
