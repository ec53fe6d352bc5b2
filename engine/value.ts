/**
 * The scalar autograd engine: {@linkcode Value}, a number that remembers how
 * it was computed, and `backward()`, which runs the chain rule over that
 * record in reverse.
 *
 * Like micrograd's `engine.py`, every op is one method that computes the
 * forward value and says how to go backward. Here "how to go backward" is
 * stored as numbers rather than a closure: each node keeps its children and
 * the local derivative of its output with respect to each of them, computed
 * during the forward pass (as PyTorch saves tensors for backward). The
 * backward pass then needs no per-node function and no per-node allocation.
 *
 * @module
 */
import { valueDisplay } from "./_display.ts";

/** Anything an op accepts as an operand: a {@linkcode Value} or a plain number. */
export type Operand = Value | number;

/** Options for the {@linkcode Value} constructor. */
export interface ValueOptions {
  /**
   * A name shown by `toDot()` and `toString()`-style tools.
   *
   * @default {""}
   */
  label?: string;
}

/** Options for {@linkcode Value.linear}. */
export interface LinearOptions {
  /** The bias added to the weighted sum; none when absent. */
  bias?: Value;
}

const NO_CHILDREN: readonly Value[] = Object.freeze([]);
const NO_LOCALS: readonly number[] = Object.freeze([]);

/** Bumped once per traversal so that nodes can be marked visited without a `Set`. */
let epoch = 0;

function operand(x: unknown, op: string): Value {
  if (x instanceof Value) return x;
  if (typeof x === "number") return new Value(x);
  throw new TypeError(
    `Cannot apply '${op}' as the operand must be a Value or a number: current value is ${
      describe(x)
    }`,
  );
}

/** Names a value for an error message without dumping a large object. */
function describe(x: unknown): string {
  if (typeof x === "string") return JSON.stringify(x);
  if (x === null || typeof x !== "object") return String(x);
  return Array.isArray(x) ? "an array" : `an object (${x.constructor?.name ?? "Object"})`;
}

/**
 * A scalar that records the ops that made it, so that `backward()` can fill
 * in `grad`, the derivative of the output with respect to this value.
 *
 * @example Micrograd's README example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Value } from "./value.ts";
 *
 * const a = new Value(-4.0);
 * const b = new Value(2.0);
 * let c = a.add(b);
 * let d = a.mul(b).add(b.pow(3));
 * c = c.add(c.add(1));
 * c = c.add(c.add(1).add(a.neg()));
 * d = d.add(d.mul(2).add(b.add(a).relu()));
 * d = d.add(d.mul(3).add(b.sub(a).relu()));
 * const e = c.sub(d);
 * const f = e.pow(2);
 * let g = f.div(2.0);
 * g = g.add(new Value(10.0).div(f));
 * g.backward();
 * assert.equal(g.data.toFixed(4), "24.7041");
 * assert.equal(a.grad.toFixed(4), "138.8338");
 * assert.equal(b.grad.toFixed(4), "645.5773");
 * ```
 */
export class Value {
  /** The forward value. Optimizers change it in place. */
  data: number;
  /** d(output)/d(this), filled in by `backward()`. Starts at 0. */
  grad = 0;
  /** A name for display (`toDot`), empty by default. */
  label: string;
  /** The op that made this value: `""` for a leaf, else `"+"`, `"*"`, `"**2"`, `"tanh"`, ... */
  readonly op: string;
  // The first two children and their local derivatives live in fields, so that
  // unary and binary nodes (nearly all of them) allocate nothing but the node.
  #a: Value | null = null;
  #b: Value | null = null;
  #da = 0;
  #db = 0;
  // n-ary nodes (sum, logSumExp, linear) keep arrays instead.
  #xs: readonly Value[] = NO_CHILDREN;
  #dxs: readonly number[] = NO_LOCALS;
  #seen = 0;

  /**
   * Makes a leaf value.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * const w = new Value(0.5, { label: "w" });
   * ```
   */
  constructor(data: number, options: ValueOptions = {}) {
    if (typeof data !== "number") {
      throw new TypeError(
        `Cannot create a Value as 'data' must be a number: current value is ${describe(data)}`,
      );
    }
    this.data = data;
    this.label = options.label ?? "";
    this.op = "";
  }

  /** Makes an interior node with up to two children. */
  static #node(data: number, op: string, a: Value, da: number, b?: Value, db = 0): Value {
    const out = new Value(data);
    (out as { op: string }).op = op;
    out.#a = a;
    out.#da = da;
    if (b !== undefined) {
      out.#b = b;
      out.#db = db;
    }
    return out;
  }

  /** Makes an n-ary node. */
  static #nary(data: number, op: string, xs: Value[], dxs: number[]): Value {
    const out = new Value(data);
    (out as { op: string }).op = op;
    out.#xs = xs;
    out.#dxs = dxs;
    return out;
  }

  /** The values this one was computed from, in argument order, duplicates kept. */
  get children(): readonly Value[] {
    if (this.#a === null) return this.#xs;
    return this.#b === null ? [this.#a] : [this.#a, this.#b];
  }

  /** d(this)/d(child) for each of `children`, as computed in the forward pass. */
  get localGrads(): readonly number[] {
    if (this.#a === null) return this.#dxs;
    return this.#b === null ? [this.#da] : [this.#da, this.#db];
  }

  /** `this + other`. */
  add(other: Operand): Value {
    const o = operand(other, "add");
    return Value.#node(this.data + o.data, "+", this, 1, o, 1);
  }

  /** `this * other`. */
  mul(other: Operand): Value {
    const o = operand(other, "mul");
    return Value.#node(this.data * o.data, "*", this, o.data, o, this.data);
  }

  /**
   * `this ** exponent`, for a number exponent.
   *
   * @throws {TypeError} when `exponent` is not a number.
   */
  pow(exponent: number): Value {
    if (typeof exponent !== "number") {
      throw new TypeError(
        `Cannot apply 'pow' as the exponent must be a number: current value is ${
          describe(exponent)
        }`,
      );
    }
    const x = this.data;
    // PyTorch's grad of x ** 0 is 0 everywhere, even where x ** -1 is infinite.
    const d = exponent === 0 ? 0 : exponent * x ** (exponent - 1);
    return Value.#node(x ** exponent, `**${exponent}`, this, d);
  }

  /** `e ** this`. */
  exp(): Value {
    const e = Math.exp(this.data);
    return Value.#node(e, "exp", this, e);
  }

  /** The natural log. A non-positive input gives NaN or -Infinity, as IEEE says; it does not throw. */
  log(): Value {
    return Value.#node(Math.log(this.data), "log", this, 1 / this.data);
  }

  /** The hyperbolic tangent; saturates to ±1 with grad 0 for large inputs. */
  tanh(): Value {
    const t = Math.tanh(this.data);
    return Value.#node(t, "tanh", this, 1 - t * t);
  }

  /** `max(0, this)`; the grad at 0 is 0 and NaN stays NaN, as in PyTorch. */
  relu(): Value {
    const x = this.data;
    return Value.#node(x <= 0 ? 0 : x, "relu", this, x <= 0 ? 0 : 1);
  }

  /** The logistic function `1 / (1 + e^-x)`, computed without overflow for large |x|. */
  sigmoid(): Value {
    const x = this.data;
    let s: number;
    if (x >= 0) s = 1 / (1 + Math.exp(-x));
    else {
      const e = Math.exp(x);
      s = e / (1 + e);
    }
    return Value.#node(s, "sigmoid", this, s * (1 - s));
  }

  /** `log(1 + e^x)`, computed without overflow; its grad is `sigmoid(x)`. */
  softplus(): Value {
    const x = this.data;
    const y = x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    const s = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    return Value.#node(y, "softplus", this, s);
  }

  /** `-this`. */
  neg(): Value {
    return this.mul(-1);
  }

  /** `this - other`. */
  sub(other: Operand): Value {
    return this.add(operand(other, "sub").neg());
  }

  /** `this / other`. */
  div(other: Operand): Value {
    return this.mul(operand(other, "div").pow(-1));
  }

  /**
   * The sum of many values as one n-ary node (one node, not n-1).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Value } from "./value.ts";
   * const xs = [new Value(1), new Value(2), 3];
   * const s = Value.sum(xs);
   * s.backward();
   * assert.equal(s.data, 6);
   * assert.equal(s.children.length, 2); // plain numbers are constants, not children
   * ```
   */
  static sum(values: Iterable<Operand>): Value {
    const xs: Value[] = [];
    let total = 0;
    for (const v of values) {
      if (v instanceof Value) {
        total += v.data;
        xs.push(v);
      } else if (typeof v === "number") total += v;
      else operand(v, "sum");
    }
    return Value.#nary(total, "sum", xs, new Array<number>(xs.length).fill(1));
  }

  /**
   * `log(sum(exp(x)))` as one node, shifted by the max so that it never
   * overflows. Its grads are the softmax of the inputs.
   *
   * @throws {RangeError} when `values` is empty.
   */
  static logSumExp(values: readonly Value[]): Value {
    if (values.length === 0) {
      throw new RangeError(
        "Cannot apply 'logSumExp' as there must be at least one value: current length is 0",
      );
    }
    let m = -Infinity;
    for (const v of values) m = Math.max(m, operand(v, "logSumExp").data);
    if (!Number.isFinite(m)) m = 0;
    let s = 0;
    for (const v of values) s += Math.exp(v.data - m);
    const out = m + Math.log(s);
    const dxs = values.map((v) => Math.exp(v.data - m) / s);
    return Value.#nary(out, "logsumexp", values.slice(), dxs);
  }

  /**
   * `bias + sum(weights[i] * inputs[i])` as one node: a neuron's weighted sum.
   * Inputs that are plain numbers are constants and get no grad.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Value } from "./value.ts";
   * const w = [new Value(2), new Value(-1)];
   * const b = new Value(0.5);
   * const z = Value.linear(w, [3, 4], { bias: b });
   * z.backward();
   * assert.equal(z.data, 2.5);
   * assert.deepEqual(w.map((v) => v.grad), [3, 4]);
   * ```
   *
   * @throws {RangeError} when `weights` and `inputs` differ in length.
   */
  static linear(
    weights: readonly Value[],
    inputs: readonly Operand[],
    options: LinearOptions = {},
  ): Value {
    const { bias } = options;
    const n = weights.length;
    if (inputs.length !== n) {
      throw new RangeError(
        `Cannot apply 'linear' as 'inputs' must have one entry per weight (${n}): current length is ${inputs.length}`,
      );
    }
    // Sized once: a layer's nodes are the largest allocations of a step.
    let size = bias === undefined ? n : n + 1;
    for (let i = 0; i < n; i++) if (typeof inputs[i] !== "number") size++;
    const xs = new Array<Value>(size);
    const dxs = new Array<number>(size);
    let total = bias === undefined ? 0 : bias.data;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      const x = inputs[i];
      if (typeof x === "number") {
        total += w.data * x;
        xs[at] = w;
        dxs[at++] = x;
      } else {
        total += w.data * x.data;
        xs[at] = w;
        dxs[at++] = x.data;
        xs[at] = x;
        dxs[at++] = w.data;
      }
    }
    if (bias !== undefined) {
      xs[at] = bias;
      dxs[at] = 1;
    }
    return Value.#nary(total, "linear", xs, dxs);
  }

  /**
   * Every node this one depends on, each once, children before parents, this
   * node last. Iterative, so a graph of any depth is fine.
   */
  static topologicalOrder(root: Value): Value[] {
    const mark = ++epoch;
    const order: Value[] = [];
    const stack: Value[] = [root];
    const next: number[] = [0];
    root.#seen = mark;
    while (stack.length > 0) {
      const top = stack.length - 1;
      const v = stack[top];
      const i = next[top]++;
      let c: Value | null;
      if (v.#a !== null) c = i === 0 ? v.#a : i === 1 ? v.#b : null;
      else c = i < v.#xs.length ? v.#xs[i] : null;
      if (c === null) {
        order.push(v);
        stack.pop();
        next.pop();
      } else if (c.#seen !== mark) {
        c.#seen = mark;
        stack.push(c);
        next.push(0);
      }
    }
    return order;
  }

  /**
   * Runs the chain rule from this value back to every value it depends on.
   *
   * Like PyTorch, grads accumulate: each call works out this call's grads
   * and adds them to every node's `grad`, so a second call adds the same
   * grads again, and `zeroGrad()` (or an optimizer's) resets them.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Value } from "./value.ts";
   * const x = new Value(3);
   * const y = x.mul(x); // x is used twice: its grads add up
   * y.backward();
   * assert.equal(x.grad, 6);
   * y.backward();
   * assert.equal(x.grad, 12);
   * ```
   */
  backward(): void {
    const topo = Value.topologicalOrder(this);
    // The chain rule must run on this call's grads alone, so set earlier
    // ones aside and add them back at the end. After zeroGrad() (the usual
    // case in a training loop) there are none, and nothing is allocated.
    let earlier: Float64Array | null = null;
    for (let i = 0; i < topo.length; i++) {
      const g = topo[i].grad;
      if (g !== 0) {
        earlier ??= new Float64Array(topo.length);
        earlier[i] = g;
        topo[i].grad = 0;
      }
    }
    this.grad = 1;
    for (let i = topo.length - 1; i >= 0; i--) {
      const v = topo[i];
      const g = v.grad;
      const a = v.#a;
      if (a !== null) {
        a.grad += v.#da * g;
        const b = v.#b;
        if (b !== null) b.grad += v.#db * g;
      } else {
        const xs = v.#xs;
        const dxs = v.#dxs;
        for (let j = 0; j < xs.length; j++) xs[j].grad += dxs[j] * g;
      }
    }
    if (earlier !== null) { for (let i = 0; i < topo.length; i++) topo[i].grad += earlier[i]; }
  }

  /** Sets `grad` to 0 on this value and every value it depends on. */
  zeroGrad(): void {
    for (const v of Value.topologicalOrder(this)) v.grad = 0;
  }

  /** `Value(data=…, grad=…)`, as micrograd prints it. */
  toString(): string {
    return `Value(data=${this.data}, grad=${this.grad})`;
  }

  /** In a Jupyter notebook, a value that is a cell's result draws its graph (see `toSvg`). */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return valueDisplay(this);
  }
}
