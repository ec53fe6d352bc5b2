/**
 * The compiled path: an {@linkcode Mlp} and a loss turned into flat
 * `Float64Array`s for a fixed batch size, so that a training step allocates
 * nothing and runs no per-node code.
 *
 * The program is laid out once (the "recording"); each step replays it with
 * new inputs, labels and parameter values, and writes gradients back into the
 * model's parameters. It performs the same float operations, in the same
 * order, as building the `Value` graph and calling `backward()`: forward sums
 * start from the bias and add `w * x` input by input; backward visits samples
 * and neurons in the reverse topological order `Value.backward()` uses, so
 * every gradient accumulates in the same order. The losses and gradients are
 * therefore bit for bit those of the `Value` path.
 *
 * @module
 */
import type { Value } from "../engine/value.ts";
import type { LossName } from "./losses.ts";
import type { Mlp } from "./mlp.ts";
import type { Activation } from "./neuron.ts";

/** Options for {@linkcode CompiledMlp}. */
export interface CompiledMlpOptions {
  /** The loss; by default `svm` for a one-output model and `ce` otherwise. */
  loss?: LossName;
  /**
   * Weight of the L2 penalty `l2 * sum(p^2)` added to the loss.
   *
   * @default {0}
   */
  l2?: number;
}

const ACT_CODE: Readonly<Record<Activation, number>> = { linear: 0, relu: 1, tanh: 2, sigmoid: 3 };
const LOSS_CODE: Readonly<Record<LossName, number>> = { svm: 0, mse: 1, bce: 2, ce: 3 };

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
  /** Weight of the L2 penalty. */
  readonly l2: number;
  /** The latest total loss (penalty included), from `forward()`. */
  get total(): number {
    return this.#total;
  }
  /** The latest data loss (no penalty), from `forward()`. */
  get dataLoss(): number {
    return this.#dataLoss;
  }
  /** The latest batch accuracy, from `forward()`. */
  get accuracy(): number {
    return this.#accuracy;
  }

  readonly #params: readonly Value[];
  readonly #p: Float64Array;
  readonly #g: Float64Array;
  readonly #sizes: Int32Array;
  readonly #acts: Int32Array;
  readonly #offsets: Int32Array;
  readonly #nin: number;
  readonly #k: number;
  readonly #lossCode: number;
  // Per layer: the activation output A (layer 0 holds the inputs) and the
  // local derivative D of each activation, batch-major.
  readonly #a: Float64Array[];
  readonly #d: Float64Array[];
  // Per sample: the loss's label form (svm: -sign, mse: sign, bce: y, else class).
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

  /**
   * Lays out the program for `model` and batches of `batchSize` samples.
   *
   * @throws {RangeError} when `batchSize` is not a positive integer, the loss
   * does not fit the model's outputs, or `l2` is negative.
   */
  constructor(model: Mlp, batchSize: number, options: CompiledMlpOptions = {}) {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(
        `Cannot compile the model as 'batchSize' must be a positive integer: current value is ${batchSize}`,
      );
    }
    const k = model.nouts[model.nouts.length - 1];
    const loss = options.loss ?? (k === 1 ? "svm" : "ce");
    if (!(loss in LOSS_CODE)) {
      throw new RangeError(
        `Cannot compile the model as 'loss' must be svm, mse, bce or ce: current value is ${
          JSON.stringify(loss)
        }`,
      );
    }
    if ((loss === "bce" && k !== 1) || (loss === "ce" && k < 2)) {
      throw new RangeError(
        `Cannot compile the model as the '${loss}' loss does not fit ${k} output(s): current value is ${
          JSON.stringify(loss)
        }`,
      );
    }
    const l2 = options.l2 ?? 0;
    if (!(l2 >= 0 && Number.isFinite(l2))) {
      throw new RangeError(
        `Cannot compile the model as 'l2' must be a finite number >= 0: current value is ${l2}`,
      );
    }
    this.batchSize = batchSize;
    this.loss = loss;
    this.l2 = l2;
    this.#lossCode = LOSS_CODE[loss];
    this.#params = model.parameters();
    const sizes = [model.nin, ...model.nouts];
    this.#sizes = Int32Array.from(sizes);
    this.#acts = Int32Array.from(
      model.layers.map((layer) => ACT_CODE[layer.neurons[0].activation]),
    );
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
   * parameters, and returns the total loss (penalty included).
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
    const dataLoss = this.#forwardLoss();
    let total = dataLoss;
    if (this.l2 > 0) {
      const p = this.#p;
      let sq = 0;
      for (let i = 0; i < p.length; i++) sq += p[i] * p[i];
      total = dataLoss + sq * this.l2;
    }
    this.#dataLoss = dataLoss;
    this.#total = total;
    this.#accuracy = this.#countRight() / n;
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
    // The penalty goes backward first: `p * p` sends `p * alpha` to each of its two operands.
    const alpha = this.l2;
    for (let i = 0; i < p.length; i++) g[i] = alpha > 0 ? 2 * (p[i] * alpha) : 0;
    this.#backwardLoss();
    this.#backwardLayers();
    const params = this.#params;
    for (let i = 0; i < g.length; i++) params[i].grad += g[i];
  }

  #readLabels(y: readonly number[]): void {
    const lab = this.#lab;
    const k = this.#k;
    const code = this.#lossCode;
    for (let s = 0; s < y.length; s++) {
      const ys = y[s];
      this.#cls[s] = ys === -1 ? 0 : ys;
      if (k === 1 && (code === 0 || code === 1)) {
        const what = code === 0 ? "the SVM loss" : "the MSE loss";
        const sign = ys === 1 ? 1 : ys === 0 || ys === -1 ? -1 : NaN;
        if (Number.isNaN(sign)) {
          throw new RangeError(
            `Cannot compute ${what} as 'labels[${s}]' must be 0/1 or -1/+1: current value is ${ys}`,
          );
        }
        lab[s] = code === 0 ? -sign : sign;
      } else if (code === 2) {
        const yb = ys === -1 ? 0 : ys;
        if (!(yb >= 0 && yb <= 1)) {
          throw new RangeError(
            `Cannot compute the BCE loss as 'labels[${s}]' must be from 0 to 1: current value is ${yb}`,
          );
        }
        lab[s] = yb;
      } else {
        if (!Number.isInteger(ys) || ys < 0 || ys >= k) {
          const what = code === 0
            ? "the multi-class SVM loss"
            : code === 1
            ? "the MSE loss"
            : "the cross-entropy loss";
          throw new RangeError(
            `Cannot compute ${what} as 'labels[${s}]' must be an integer from 0 to ${
              k - 1
            }: current value is ${ys}`,
          );
        }
        lab[s] = ys;
      }
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
      const der = this.#d[l];
      const base = this.#offsets[l - 1];
      const act = this.#acts[l - 1];
      for (let s = 0; s < n; s++) {
        const xo = s * nin;
        for (let j = 0; j < nout; j++) {
          const o = base + j * (nin + 1);
          let z = p[o + nin];
          for (let i = 0; i < nin; i++) z += p[o + i] * xin[xo + i];
          const at = s * nout + j;
          if (act === 1) {
            out[at] = z <= 0 ? 0 : z;
            der[at] = z <= 0 ? 0 : 1;
          } else if (act === 0) {
            out[at] = z;
            der[at] = 1;
          } else if (act === 2) {
            const t = Math.tanh(z);
            out[at] = t;
            der[at] = 1 - t * t;
          } else {
            let sg: number;
            if (z >= 0) sg = 1 / (1 + Math.exp(-z));
            else {
              const e = Math.exp(z);
              sg = e / (1 + e);
            }
            out[at] = sg;
            der[at] = sg * (1 - sg);
          }
          zero += out[at] * 0;
        }
      }
    }
    return zero;
  }

  /** The mean loss over the batch, with each term computed as the `Value` losses do. */
  #forwardLoss(): number {
    const n = this.batchSize;
    const k = this.#k;
    const out = this.#a[this.#a.length - 1];
    const lab = this.#lab;
    const aux = this.#aux;
    const code = this.#lossCode;
    let sum = 0;
    for (let s = 0; s < n; s++) {
      const o = s * k;
      let term: number;
      if (k === 1) {
        const z = out[s];
        if (code === 0) {
          // relu(z * (-y) + 1)
          const a = z * lab[s] + 1;
          aux[s] = a;
          term = a <= 0 ? 0 : a;
        } else if (code === 1) {
          // (z + (t * -1)) ** 2
          const d = z + lab[s] * -1;
          aux[s] = d;
          term = d ** 2;
        } else {
          // softplus(z), minus z*y when y != 0
          const sp = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
          const yb = lab[s];
          term = yb === 0 ? sp : sp + z * yb * -1;
        }
      } else if (code === 3) {
        let m = -Infinity;
        for (let j = 0; j < k; j++) m = Math.max(m, out[o + j]);
        if (!Number.isFinite(m)) m = 0;
        let e = 0;
        for (let j = 0; j < k; j++) e += Math.exp(out[o + j] - m);
        const lse = m + Math.log(e);
        aux[o] = m;
        aux[o + 1] = e;
        term = lse + out[o + lab[s]] * -1;
      } else if (code === 1) {
        const y = lab[s];
        term = 0;
        for (let j = 0; j < k; j++) {
          const d = out[o + j] + (j === y ? 1 : 0) * -1;
          aux[o + j] = d;
          term += d ** 2;
        }
      } else {
        // multi-class hinge: sum_{j != y} relu(s_j + (s_y * -1) + 1)
        const y = lab[s];
        const sy = out[o + y];
        term = 0;
        for (let j = 0; j < k; j++) {
          if (j === y) continue;
          const a = out[o + j] + sy * -1 + 1;
          aux[o + j] = a;
          term += a <= 0 ? 0 : a;
        }
      }
      sum += term;
    }
    return sum * (1 / n);
  }

  /** How many samples of the batch `accuracy()` would count as right. */
  #countRight(): number {
    const n = this.batchSize;
    const k = this.#k;
    const out = this.#a[this.#a.length - 1];
    const cls = this.#cls;
    let right = 0;
    for (let s = 0; s < n; s++) {
      let got = 0;
      if (k === 1) got = out[s] > 0 ? 1 : 0;
      else for (let j = 1; j < k; j++) if (out[s * k + j] > out[s * k + got]) got = j;
      if (got === cls[s]) right++;
    }
    return right;
  }

  /** Fills each sample's output grads and the order its last-layer neurons go backward in. */
  #backwardLoss(): void {
    const n = this.batchSize;
    const k = this.#k;
    const out = this.#a[this.#a.length - 1];
    const lab = this.#lab;
    const aux = this.#aux;
    const gout = this.#gout;
    const order = this.#order;
    const code = this.#lossCode;
    // The grad reaching each per-sample term: d(mean)/d(term) = (1/n) * 1.
    const gt = 1 / n;
    gout.fill(0);
    for (let s = 0; s < n; s++) {
      const o = s * k;
      for (let j = 0; j < k; j++) order[o + j] = k - 1 - j;
      if (k === 1) {
        if (code === 0) {
          const gAdd = (aux[s] <= 0 ? 0 : 1) * gt;
          gout[s] = lab[s] * gAdd;
        } else if (code === 1) {
          gout[s] = 2 * aux[s] * gt;
        } else {
          const z = out[s];
          const sg = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
          const yb = lab[s];
          if (yb === 0) gout[s] = sg * gt;
          else {
            // The `- z*y` branch goes backward before softplus does.
            let gz = 0;
            gz += yb * (-1 * gt);
            gz += sg * gt;
            gout[s] = gz;
          }
        }
      } else if (code === 3) {
        const y = lab[s];
        const m = aux[o];
        const e = aux[o + 1];
        gout[o + y] += -1 * gt;
        for (let j = 0; j < k; j++) gout[o + j] += Math.exp(out[o + j] - m) / e * gt;
      } else if (code === 1) {
        for (let j = 0; j < k; j++) gout[o + j] = 2 * aux[o + j] * gt;
      } else {
        const y = lab[s];
        // Terms go backward last first; each adds -g into s_y.
        for (let j = k - 1; j >= 0; j--) {
          if (j === y) continue;
          const g = (aux[o + j] <= 0 ? 0 : 1) * gt;
          gout[o + j] += g;
          gout[o + y] += -1 * g;
        }
        // The graph first reaches output j0 (the first j != y), then y, then the rest.
        const j0 = y === 0 ? 1 : 0;
        let at = o + k - 1;
        order[at--] = j0;
        order[at--] = y;
        for (let j = 0; j < k; j++) if (j !== j0 && j !== y) order[at--] = j;
      }
    }
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
