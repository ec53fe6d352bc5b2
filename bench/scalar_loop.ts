/**
 * The "scalar loop" baseline: a hand-written forward and backward pass for a
 * ReLU MLP with a linear last layer, over flat `Float64Array`s, one
 * multiply-add at a time, allocating nothing per step. It does only what one
 * training step needs (SVM or softmax cross-entropy, L2, SGD): what a careful
 * person writes by hand in plain JavaScript. It is no limit: blocking the
 * loops over several outputs and samples (as the compiled path may) beats it.
 *
 * @module
 */

/** A ReLU MLP held in flat typed arrays, with a fixed batch size. */
export class ScalarLoopMlp {
  /** Layer widths, input first. */
  readonly sizes: readonly number[];
  /** All parameters, in micrograd's order (per neuron: weights, then bias). */
  readonly params: Float64Array;
  /** Gradients, same layout as `params`. */
  readonly grads: Float64Array;
  readonly #offsets: number[];
  readonly #acts: Float64Array[];
  readonly #gout: Float64Array;
  readonly #ga: Float64Array;
  readonly #gb: Float64Array;
  readonly #batch: number;

  /** Makes the model for `batch` samples per step. */
  constructor(sizes: readonly number[], batch: number, init: readonly number[]) {
    this.sizes = sizes;
    this.#batch = batch;
    this.#offsets = [];
    let p = 0;
    for (let l = 1; l < sizes.length; l++) {
      this.#offsets.push(p);
      p += sizes[l] * (sizes[l - 1] + 1);
    }
    this.params = Float64Array.from(init);
    if (this.params.length !== p) throw new RangeError(`want ${p} params, got ${init.length}`);
    this.grads = new Float64Array(p);
    this.#acts = sizes.map((n) => new Float64Array(n * batch));
    const width = Math.max(...sizes);
    this.#gout = new Float64Array(sizes[sizes.length - 1] * batch);
    this.#ga = new Float64Array(width);
    this.#gb = new Float64Array(width);
  }

  /** Copies a batch of inputs in. */
  setInputs(x: readonly (readonly number[])[]): void {
    const a = this.#acts[0];
    const nin = this.sizes[0];
    for (let s = 0; s < x.length; s++) for (let i = 0; i < nin; i++) a[s * nin + i] = x[s][i];
  }

  #forward(): void {
    const sizes = this.sizes;
    const w = this.params;
    const last = sizes.length - 1;
    for (let l = 1; l <= last; l++) {
      const nin = sizes[l - 1];
      const nout = sizes[l];
      const xin = this.#acts[l - 1];
      const out = this.#acts[l];
      const base = this.#offsets[l - 1];
      for (let s = 0; s < this.#batch; s++) {
        const xo = s * nin;
        for (let j = 0; j < nout; j++) {
          const o = base + j * (nin + 1);
          let z = w[o + nin];
          for (let i = 0; i < nin; i++) z += w[o + i] * xin[xo + i];
          out[s * nout + j] = l < last && z < 0 ? 0 : z;
        }
      }
    }
  }

  #backward(alpha: number): void {
    const sizes = this.sizes;
    const w = this.params;
    const g = this.grads;
    const last = sizes.length - 1;
    for (let k = 0; k < w.length; k++) g[k] = 2 * alpha * w[k];
    let ga = this.#ga;
    let gb = this.#gb;
    const kOut = sizes[last];
    for (let s = 0; s < this.#batch; s++) {
      for (let j = 0; j < kOut; j++) ga[j] = this.#gout[s * kOut + j];
      for (let l = last; l >= 1; l--) {
        const nin = sizes[l - 1];
        const nout = sizes[l];
        const xin = this.#acts[l - 1];
        const act = this.#acts[l];
        const base = this.#offsets[l - 1];
        const xo = s * nin;
        if (l > 1) gb.fill(0, 0, nin);
        for (let j = 0; j < nout; j++) {
          const gz = l === last || act[s * nout + j] > 0 ? ga[j] : 0;
          if (gz === 0) continue;
          const o = base + j * (nin + 1);
          for (let i = 0; i < nin; i++) {
            g[o + i] += xin[xo + i] * gz;
            if (l > 1) gb[i] += w[o + i] * gz;
          }
          g[o + nin] += gz;
        }
        const t = ga;
        ga = gb;
        gb = t;
      }
    }
  }

  #sgd(lr: number): void {
    const w = this.params;
    const g = this.grads;
    for (let k = 0; k < w.length; k++) w[k] -= lr * g[k];
  }

  #l2(alpha: number): number {
    let r = 0;
    for (const p of this.params) r += p * p;
    return alpha * r;
  }

  /** One full step with micrograd's max-margin loss; labels are 0/1. Returns the loss. */
  svmStep(y: readonly number[], lr: number, alpha: number): number {
    this.#forward();
    const n = this.#batch;
    const out = this.#acts[this.sizes.length - 1];
    let loss = 0;
    for (let s = 0; s < n; s++) {
      const ys = y[s] === 1 ? 1 : -1;
      const m = 1 - ys * out[s];
      loss += m > 0 ? m : 0;
      this.#gout[s] = m > 0 ? -ys / n : 0;
    }
    const total = loss / n + this.#l2(alpha);
    this.#backward(alpha);
    this.#sgd(lr);
    return total;
  }

  /** One full step with softmax cross-entropy; labels are 0..k-1. Returns the loss. */
  ceStep(y: readonly number[], lr: number, alpha: number): number {
    this.#forward();
    const n = this.#batch;
    const k = this.sizes[this.sizes.length - 1];
    const out = this.#acts[this.sizes.length - 1];
    const gout = this.#gout;
    let loss = 0;
    for (let s = 0; s < n; s++) {
      const o = s * k;
      let m = -Infinity;
      for (let j = 0; j < k; j++) if (out[o + j] > m) m = out[o + j];
      let z = 0;
      for (let j = 0; j < k; j++) z += Math.exp(out[o + j] - m);
      const lse = m + Math.log(z);
      loss += lse - out[o + y[s]];
      for (let j = 0; j < k; j++) gout[o + j] = Math.exp(out[o + j] - lse) / n;
      gout[o + y[s]] -= 1 / n;
    }
    const total = loss / n + this.#l2(alpha);
    this.#backward(alpha);
    this.#sgd(lr);
    return total;
  }
}
