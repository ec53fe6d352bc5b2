/**
 * The scalar autograd engine: {@linkcode Value}, a number that remembers how
 * it was computed, and `backward()`, which runs the chain rule over that
 * record in reverse.
 *
 * Like micrograd's `engine.py`, every op is one method that computes the
 * forward value, makes `out` with its children and its backward rule, and
 * returns `out`. The backward rule sits beside its op; it is a function
 * shared by every node of that op (it reads the node and its children), so
 * a node costs no closure of its own, and `backward()` calls the rules in
 * reverse topological order. Two ops keep a constant in a closure per node:
 * `pow` its exponent, and `linear` its plain-number inputs (a first layer's).
 *
 * @module
 */
import { exp, log, log1p } from "./math.ts";

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

/**
 * An op: its name and how it sends `out.grad` back to `out`'s children
 * (micrograd's `_backward`). One object per op, shared by all its nodes.
 */
interface Op {
  readonly name: string;
  backward(out: Value, children: readonly Value[]): void;
}

const NO_CHILDREN: readonly Value[] = Object.freeze([]);

const LEAF: Op = { name: "", backward() {} };

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
  // Starts as a number (not undefined), so that V8 keeps it as a double
  // that writes update in place, without allocating.
  data: number = 0;
  /** d(output)/d(this), filled in by `backward()`. Starts at 0. */
  grad = 0;
  /** A name for display (`toDot`), empty by default. */
  label: string;
  #op: Op = LEAF;
  #prev: readonly Value[] = NO_CHILDREN;
  // The traversal that last visited this node (see topologicalOrder).
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
  }

  /** Makes `out`, the result of `op` on `children`. */
  static #out(data: number, children: readonly Value[], op: Op): Value {
    const out = new Value(data);
    out.#op = op;
    out.#prev = children;
    return out;
  }

  /** The op that made this value: `""` for a leaf, else `"+"`, `"*"`, `"**2"`, `"tanh"`, ... */
  get op(): string {
    return this.#op.name;
  }

  /** The values this one was computed from, in argument order, duplicates kept. */
  get children(): readonly Value[] {
    return this.#prev;
  }

  /** `this + other`. */
  add(other: Operand): Value {
    const o = operand(other, "add");
    return Value.#out(this.data + o.data, [this, o], Value.#add);
  }

  static readonly #add: Op = {
    name: "+",
    backward(out, [a, b]) {
      a.grad += out.grad;
      b.grad += out.grad;
    },
  };

  /** `this * other`. */
  mul(other: Operand): Value {
    const o = operand(other, "mul");
    return Value.#out(this.data * o.data, [this, o], Value.#mul);
  }

  static readonly #mul: Op = {
    name: "*",
    backward(out, [a, b]) {
      a.grad += b.data * out.grad;
      b.grad += a.data * out.grad;
    },
  };

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
    // One op per call: the exponent is part of the op.
    const op: Op = {
      name: `**${exponent}`,
      backward(out, [x]) {
        // PyTorch's grad of x ** 0 is 0 everywhere, even where x ** -1 is infinite.
        x.grad += (exponent === 0 ? 0 : exponent * x.data ** (exponent - 1)) * out.grad;
      },
    };
    return Value.#out(this.data ** exponent, [this], op);
  }

  /** `e ** this`. */
  exp(): Value {
    return Value.#out(exp(this.data), [this], Value.#exp);
  }

  static readonly #exp: Op = {
    name: "exp",
    backward(out, [x]) {
      x.grad += out.data * out.grad;
    },
  };

  /** The natural log. A non-positive input gives NaN or -Infinity, as IEEE says; it does not throw. */
  log(): Value {
    return Value.#out(log(this.data), [this], Value.#log);
  }

  static readonly #log: Op = {
    name: "log",
    backward(out, [x]) {
      x.grad += 1 / x.data * out.grad;
    },
  };

  /** The hyperbolic tangent; saturates to ±1 with grad 0 for large inputs. */
  tanh(): Value {
    return Value.#out(Math.tanh(this.data), [this], Value.#tanh);
  }

  static readonly #tanh: Op = {
    name: "tanh",
    backward(out, [x]) {
      const t = out.data;
      x.grad += (1 - t * t) * out.grad;
    },
  };

  /** `max(0, this)`; the grad at 0 is 0 and NaN stays NaN, as in PyTorch. */
  relu(): Value {
    const x = this.data;
    return Value.#out(x <= 0 ? 0 : x, [this], Value.#relu);
  }

  static readonly #relu: Op = {
    name: "relu",
    backward(out, [x]) {
      x.grad += (x.data <= 0 ? 0 : 1) * out.grad;
    },
  };

  /** The logistic function `1 / (1 + e^-x)`, computed without overflow for large |x|. */
  sigmoid(): Value {
    return Value.#out(sigmoid(this.data), [this], Value.#sigmoid);
  }

  static readonly #sigmoid: Op = {
    name: "sigmoid",
    backward(out, [x]) {
      const s = out.data;
      x.grad += s * (1 - s) * out.grad;
    },
  };

  /** `log(1 + e^x)`, computed without overflow; its grad is `sigmoid(x)`. */
  softplus(): Value {
    const x = this.data;
    const y = x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
    return Value.#out(y, [this], Value.#softplus);
  }

  static readonly #softplus: Op = {
    name: "softplus",
    backward(out, [x]) {
      x.grad += sigmoid(x.data) * out.grad;
    },
  };

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
    return Value.#out(total, xs, Value.#sum);
  }

  static readonly #sum: Op = {
    name: "sum",
    backward(out, xs) {
      for (const x of xs) x.grad += out.grad;
    },
  };

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
    for (const v of values) operand(v, "logSumExp");
    const { m, s } = shiftedExpSum(values);
    return Value.#out(m + log(s), values.slice(), Value.#logSumExp);
  }

  static readonly #logSumExp: Op = {
    name: "logsumexp",
    backward(out, xs) {
      const { m, s } = shiftedExpSum(xs);
      for (const x of xs) x.grad += exp(x.data - m) / s * out.grad;
    },
  };

  /**
   * `bias + sum(weights[i] * inputs[i])` as one node: a neuron's weighted sum.
   * Inputs that are plain numbers are constants and get no grad; the node's
   * children are `w0, x0, w1, x1, ..., bias`, constants left out.
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
    const numbers = inputs.some((x) => typeof x === "number");
    const children: Value[] = [];
    let total = bias === undefined ? 0 : bias.data;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      const x = inputs[i];
      children.push(w);
      if (typeof x === "number") total += w.data * x;
      else {
        total += w.data * x.data;
        children.push(x);
      }
    }
    if (bias !== undefined) children.push(bias);
    if (!numbers) return Value.#out(total, children, Value.#linear);
    // The constants are not children, so this node's op keeps the inputs.
    const op: Op = {
      name: "linear",
      backward(out, xs) {
        const g = out.grad;
        let at = 0;
        for (let i = 0; i < n; i++) {
          const w = xs[at++];
          const x = inputs[i];
          if (typeof x === "number") w.grad += x * g;
          else {
            w.grad += x.data * g;
            xs[at++].grad += w.data * g;
          }
        }
        if (at < xs.length) xs[at].grad += g;
      },
    };
    return Value.#out(total, children, op);
  }

  // linear() of Values only (every layer after the first): one op for all such
  // nodes, over the children w0, x0, w1, x1, ... and the bias, if any, last.
  static readonly #linear: Op = {
    name: "linear",
    backward(out, xs) {
      const g = out.grad;
      const pairs = xs.length - xs.length % 2;
      for (let at = 0; at < pairs; at += 2) {
        const w = xs[at];
        const x = xs[at + 1];
        w.grad += x.data * g;
        x.grad += w.data * g;
      }
      if (pairs < xs.length) xs[pairs].grad += g;
    },
  };

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
      if (i === v.#prev.length) {
        order.push(v);
        stack.pop();
        next.pop();
        continue;
      }
      const c = v.#prev[i];
      if (c.#seen !== mark) {
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
   * grads again, and `zeroGrad()` (or an optimizer's) resets them. The rules
   * read the values' `data`, so change no `data` between the forward pass
   * and `backward()`.
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
      v.#op.backward(v, v.#prev);
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
}

/** The logistic function, without overflow for large |x|. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + exp(-x));
  const e = exp(x);
  return e / (1 + e);
}

/** The max `m` of the values' data (0 when not finite) and `sum(exp(x - m))`. */
function shiftedExpSum(values: readonly Value[]): { m: number; s: number } {
  let m = -Infinity;
  for (const v of values) m = Math.max(m, v.data);
  if (!Number.isFinite(m)) m = 0;
  let s = 0;
  for (const v of values) s += exp(v.data - m);
  return { m, s };
}
