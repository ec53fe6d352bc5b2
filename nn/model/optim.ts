/**
 * Optimizers that update parameters in place from their grads, with the same
 * update rules (and the same float operations) as PyTorch's.
 *
 * @module
 */
import type { Value } from "../../engine/value.ts";

/** What every optimizer offers. */
export interface Optimizer {
  /** The learning rate of the next `step()`; schedules set it. */
  lr: number;
  /** Updates every parameter from its grad. */
  step(): void;
  /**
   * The same update as `step()`, bit for bit, on parameters held in flat
   * arrays: `data[i]` and `grads[i]` are the value and grad of the i-th
   * parameter the optimizer was made over. The `Value`s are not touched; the
   * optimizer's own state (step count, buffers) moves on as with `step()`.
   */
  stepArrays(data: Float64Array, grads: Float64Array): void;
  /** Sets every parameter's grad to 0. */
  zeroGrad(): void;
  /** The optimizer's state (settings, step count, buffers) as plain JSON. */
  toJSON(): OptimizerState;
  /** Restores what `toJSON()` gave, for the same parameters. */
  loadState(state: OptimizerState): void;
}

/** The JSON state of an {@linkcode Sgd} or {@linkcode Adam} optimizer. */
export type OptimizerState =
  | {
    type: "sgd";
    lr: number;
    momentum: number;
    nesterov: boolean;
    weightDecay: number;
    steps: number;
    /** Momentum buffers, one per parameter; empty before the first step. */
    buffers: number[];
  }
  | {
    type: "adam";
    lr: number;
    beta1: number;
    beta2: number;
    eps: number;
    weightDecay: number;
    decoupled: boolean;
    steps: number;
    /** First moments, one per parameter. */
    m: number[];
    /** Second moments, one per parameter. */
    v: number[];
  };

function check(what: string, name: string, x: number, ok: boolean, want: string): number {
  if (!ok || typeof x !== "number" || Number.isNaN(x)) {
    throw new RangeError(`Cannot make ${what} as '${name}' must be ${want}: current value is ${x}`);
  }
  return x;
}

/** One SGD step's settings, as {@linkcode sgdUpdate} reads them. */
interface SgdStep {
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  /** Whether this is the first step (the buffer starts as the grad). */
  first: boolean;
  /** The momentum buffers (empty without momentum). */
  buf: Float64Array;
}

/**
 * The SGD update of the i-th parameter, the one formula of `Sgd.step()` and
 * `Sgd.stepArrays()`: its new value from its value `p` and grad `g` (the
 * momentum buffer `s.buf[i]` moves on in place).
 */
function sgdUpdate(s: SgdStep, i: number, p: number, g: number): number {
  let d = g;
  if (s.weightDecay !== 0) d += s.weightDecay * p;
  if (s.momentum !== 0) {
    const buf = s.buf;
    buf[i] = s.first ? d : s.momentum * buf[i] + d;
    d = s.nesterov ? d + s.momentum * buf[i] : buf[i];
  }
  return p - s.lr * d;
}

/** One Adam step's settings and bias corrections, as {@linkcode adamUpdate} reads them. */
interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupled: boolean;
  /** `lr / (1 - beta1^t)`. */
  stepSize: number;
  /** `sqrt(1 - beta2^t)`. */
  bc2Sqrt: number;
  /** The first and second moments. */
  m: Float64Array;
  v: Float64Array;
}

/**
 * The Adam (or AdamW) update of the i-th parameter, the one formula of
 * `Adam.step()` and `Adam.stepArrays()`: its new value from its value `p`
 * and grad `g` (the moments `s.m[i]` and `s.v[i]` move on in place).
 */
function adamUpdate(s: AdamStep, i: number, p: number, g: number): number {
  if (s.weightDecay !== 0) {
    if (s.decoupled) p *= 1 - s.lr * s.weightDecay;
    else g += s.weightDecay * p;
  }
  const m = s.m;
  const v = s.v;
  m[i] += (1 - s.beta1) * (g - m[i]);
  v[i] = s.beta2 * v[i] + (1 - s.beta2) * g * g;
  return p - s.stepSize * (m[i] / (Math.sqrt(v[i]) / s.bc2Sqrt + s.eps));
}

/** Checks that `data` and `grads` hold one number per parameter. */
function checkArrays(what: string, data: Float64Array, grads: Float64Array, n: number): void {
  if (data.length !== n || grads.length !== n) {
    throw new RangeError(
      `Cannot step ${what} as 'data' and 'grads' must hold ${n} numbers each: current lengths are ${data.length} and ${grads.length}`,
    );
  }
}

/** Options for {@linkcode Sgd}. */
export interface SgdOptions {
  /**
   * The learning rate.
   *
   * @default {0.01}
   */
  lr?: number;
  /**
   * Momentum factor; 0 is plain gradient descent.
   *
   * @default {0}
   */
  momentum?: number;
  /**
   * Use Nesterov momentum.
   *
   * @default {false}
   */
  nesterov?: boolean;
  /**
   * L2 weight decay added to each grad.
   *
   * @default {0}
   */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent with optional momentum, as `torch.optim.SGD`:
 * `buf = momentum * buf + g; p -= lr * buf`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Sgd, Value } from "../../mod.ts";
 * const x = new Value(3);
 * const opt = new Sgd([x], { lr: 0.1 });
 * for (let i = 0; i < 100; i++) {
 *   opt.zeroGrad();
 *   x.pow(2).backward();
 *   opt.step();
 * }
 * assert.ok(Math.abs(x.data) < 1e-6);
 * ```
 */
export class Sgd implements Optimizer {
  /** The learning rate of the next step. */
  lr: number;
  /** Momentum factor. */
  readonly momentum: number;
  /** Whether momentum is Nesterov's. */
  readonly nesterov: boolean;
  /** L2 weight decay. */
  readonly weightDecay: number;
  #params: readonly Value[];
  #buf: Float64Array | null = null;
  #steps = 0;

  /**
   * Makes an optimizer over `params`.
   *
   * @throws {RangeError} when an option is out of range.
   */
  constructor(params: readonly Value[], options: SgdOptions = {}) {
    const what = "the SGD optimizer";
    const { lr = 0.01, momentum = 0, nesterov = false, weightDecay = 0 } = options;
    this.lr = check(what, "lr", lr, lr > 0 && Number.isFinite(lr), "a positive number");
    this.momentum = check(what, "momentum", momentum, momentum >= 0 && momentum < 1, "in [0, 1)");
    this.nesterov = nesterov;
    if (nesterov && momentum === 0) {
      throw new RangeError(
        `Cannot make ${what} as Nesterov momentum needs 'momentum' > 0: current value is 0`,
      );
    }
    this.weightDecay = check(what, "weightDecay", weightDecay, weightDecay >= 0, "a number >= 0");
    this.#params = params.slice();
  }

  /** Updates every parameter from its grad. */
  step(): void {
    const params = this.#params;
    const s = this.#begin();
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      p.data = sgdUpdate(s, i, p.data, p.grad);
    }
  }

  /**
   * The update of `step()` on flat arrays of values and grads.
   *
   * @throws {RangeError} when an array does not hold one number per parameter.
   */
  stepArrays(data: Float64Array, grads: Float64Array): void {
    checkArrays("the SGD optimizer", data, grads, this.#params.length);
    const s = this.#begin();
    for (let i = 0; i < data.length; i++) data[i] = sgdUpdate(s, i, data[i], grads[i]);
  }

  /** This step's settings; counts the step. */
  #begin(): SgdStep {
    const { lr, momentum, nesterov, weightDecay } = this;
    if (momentum !== 0 && this.#buf === null) this.#buf = new Float64Array(this.#params.length);
    const first = this.#steps++ === 0;
    return { lr, momentum, nesterov, weightDecay, first, buf: this.#buf ?? new Float64Array(0) };
  }

  /** Sets every parameter's grad to 0. */
  zeroGrad(): void {
    for (const p of this.#params) p.grad = 0;
  }

  /** The state as plain JSON. */
  toJSON(): OptimizerState {
    return {
      type: "sgd",
      lr: this.lr,
      momentum: this.momentum,
      nesterov: this.nesterov,
      weightDecay: this.weightDecay,
      steps: this.#steps,
      buffers: this.#buf ? Array.from(this.#buf) : [],
    };
  }

  /**
   * Restores the step count, learning rate and buffers.
   *
   * @throws {TypeError} when the state is not a valid SGD state for this many parameters.
   */
  loadState(state: OptimizerState): void {
    checkState(state, "sgd");
    checkSettings([
      ["momentum", state.momentum, this.momentum],
      ["nesterov", state.nesterov, this.nesterov],
      ["weightDecay", state.weightDecay, this.weightDecay],
    ]);
    checkBuffer("buffers", state.buffers, this.#params.length, true);
    this.lr = state.lr;
    this.#steps = state.steps;
    this.#buf = state.buffers.length > 0 ? Float64Array.from(state.buffers) : null;
  }
}

/** Checks the fields every state has: its type, learning rate and step count. */
function checkState<T extends OptimizerState["type"]>(
  state: OptimizerState,
  type: T,
): asserts state is Extract<OptimizerState, { type: T }> {
  const fail = (name: string, want: string, got: unknown): never => {
    throw new TypeError(
      `Cannot load the state as its '${name}' must be ${want}: current value is ${
        JSON.stringify(got)
      }`,
    );
  };
  if (state?.type !== type) fail("type", `"${type}"`, state?.type);
  if (!(state.lr > 0 && Number.isFinite(state.lr))) fail("lr", "a positive number", state.lr);
  if (!Number.isSafeInteger(state.steps) || state.steps < 0) {
    fail("steps", "an integer >= 0", state.steps);
  }
}

/** Checks that a state was made by an optimizer with the same settings as this one. */
function checkSettings(pairs: [name: string, got: unknown, want: number | boolean][]): void {
  for (const [name, got, want] of pairs) {
    if (got !== want) {
      throw new TypeError(
        `Cannot load the state as its '${name}' must be ${want} (this optimizer's): current value is ${
          JSON.stringify(got)
        }`,
      );
    }
  }
}

function checkBuffer(name: string, xs: unknown, n: number, mayBeEmpty: boolean): void {
  if (!Array.isArray(xs) || (xs.length !== n && !(mayBeEmpty && xs.length === 0))) {
    throw new TypeError(
      `Cannot load the state as '${name}' must be an array of ${n} numbers: current length is ${
        Array.isArray(xs) ? xs.length : typeof xs
      }`,
    );
  }
  const bad = xs.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
  if (bad >= 0) {
    throw new TypeError(
      `Cannot load the state as '${name}[${bad}]' must be a finite number: current value is ${
        JSON.stringify(xs[bad])
      }`,
    );
  }
}

/** Options for {@linkcode Adam}. */
export interface AdamOptions {
  /**
   * The learning rate.
   *
   * @default {0.001}
   */
  lr?: number;
  /**
   * Decay of the first moment.
   *
   * @default {0.9}
   */
  beta1?: number;
  /**
   * Decay of the second moment.
   *
   * @default {0.999}
   */
  beta2?: number;
  /**
   * Added to the denominator.
   *
   * @default {1e-8}
   */
  eps?: number;
  /**
   * Weight decay: added to the grad (Adam) or applied to the weights directly
   * (AdamW, when `decoupled`).
   *
   * @default {0}
   */
  weightDecay?: number;
  /**
   * Decoupled weight decay, as AdamW.
   *
   * @default {false}
   */
  decoupled?: boolean;
}

/**
 * Adam (Kingma and Ba), and AdamW with `decoupled: true`, as `torch.optim.Adam`
 * and `torch.optim.AdamW` compute them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Adam, Value } from "../../mod.ts";
 * const x = new Value(3);
 * const opt = new Adam([x], { lr: 0.1 });
 * for (let i = 0; i < 300; i++) {
 *   opt.zeroGrad();
 *   x.pow(2).backward();
 *   opt.step();
 * }
 * assert.ok(Math.abs(x.data) < 0.05);
 * ```
 */
export class Adam implements Optimizer {
  /** The learning rate of the next step. */
  lr: number;
  /** Decay of the first moment. */
  readonly beta1: number;
  /** Decay of the second moment. */
  readonly beta2: number;
  /** Added to the denominator. */
  readonly eps: number;
  /** Weight decay. */
  readonly weightDecay: number;
  /** Whether weight decay is decoupled (AdamW). */
  readonly decoupled: boolean;
  #params: readonly Value[];
  #m: Float64Array;
  #v: Float64Array;
  #steps = 0;

  /**
   * Makes an optimizer over `params`.
   *
   * @throws {RangeError} when an option is out of range.
   */
  constructor(params: readonly Value[], options: AdamOptions = {}) {
    const what = options.decoupled ? "the AdamW optimizer" : "the Adam optimizer";
    const {
      lr = 0.001,
      beta1 = 0.9,
      beta2 = 0.999,
      eps = 1e-8,
      weightDecay = 0,
      decoupled = false,
    } = options;
    this.lr = check(what, "lr", lr, lr > 0 && Number.isFinite(lr), "a positive number");
    this.beta1 = check(what, "beta1", beta1, beta1 >= 0 && beta1 < 1, "in [0, 1)");
    this.beta2 = check(what, "beta2", beta2, beta2 >= 0 && beta2 < 1, "in [0, 1)");
    this.eps = check(what, "eps", eps, eps >= 0, "a number >= 0");
    this.weightDecay = check(what, "weightDecay", weightDecay, weightDecay >= 0, "a number >= 0");
    this.decoupled = decoupled;
    this.#params = params.slice();
    this.#m = new Float64Array(params.length);
    this.#v = new Float64Array(params.length);
  }

  /** Updates every parameter from its grad. */
  step(): void {
    const params = this.#params;
    const s = this.#begin();
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      p.data = adamUpdate(s, i, p.data, p.grad);
    }
  }

  /**
   * The update of `step()` on flat arrays of values and grads.
   *
   * @throws {RangeError} when an array does not hold one number per parameter.
   */
  stepArrays(data: Float64Array, grads: Float64Array): void {
    checkArrays("the Adam optimizer", data, grads, this.#params.length);
    const s = this.#begin();
    for (let i = 0; i < data.length; i++) data[i] = adamUpdate(s, i, data[i], grads[i]);
  }

  /** This step's settings and bias corrections; counts the step. */
  #begin(): AdamStep {
    const { lr, beta1, beta2, eps, weightDecay, decoupled } = this;
    const t = ++this.#steps;
    const stepSize = lr / (1 - beta1 ** t);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    return {
      lr,
      beta1,
      beta2,
      eps,
      weightDecay,
      decoupled,
      stepSize,
      bc2Sqrt,
      m: this.#m,
      v: this.#v,
    };
  }

  /** Sets every parameter's grad to 0. */
  zeroGrad(): void {
    for (const p of this.#params) p.grad = 0;
  }

  /** The state as plain JSON. */
  toJSON(): OptimizerState {
    return {
      type: "adam",
      lr: this.lr,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      weightDecay: this.weightDecay,
      decoupled: this.decoupled,
      steps: this.#steps,
      m: Array.from(this.#m),
      v: Array.from(this.#v),
    };
  }

  /**
   * Restores the step count, learning rate and moments.
   *
   * @throws {TypeError} when the state is not a valid Adam state for this many parameters.
   */
  loadState(state: OptimizerState): void {
    checkState(state, "adam");
    checkSettings([
      ["beta1", state.beta1, this.beta1],
      ["beta2", state.beta2, this.beta2],
      ["eps", state.eps, this.eps],
      ["weightDecay", state.weightDecay, this.weightDecay],
      ["decoupled", state.decoupled, this.decoupled],
    ]);
    checkBuffer("m", state.m, this.#params.length, false);
    checkBuffer("v", state.v, this.#params.length, false);
    this.lr = state.lr;
    this.#steps = state.steps;
    this.#m = Float64Array.from(state.m);
    this.#v = Float64Array.from(state.v);
  }
}

/**
 * AdamW: Adam with decoupled weight decay (default 0.01), as `torch.optim.AdamW`.
 *
 * @example
 * ```ts
 * import { AdamW, Mlp } from "../../mod.ts";
 * const model = new Mlp(2, [8, 1]);
 * const opt = new AdamW(model.parameters(), { lr: 0.01 });
 * ```
 */
export class AdamW extends Adam {
  /** Makes an AdamW optimizer over `params`. */
  constructor(params: readonly Value[], options: Omit<AdamOptions, "decoupled"> = {}) {
    super(params, { weightDecay: 0.01, ...options, decoupled: true });
  }
}
