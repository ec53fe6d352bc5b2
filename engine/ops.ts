/**
 * The scalar ops, each written once: its forward value and its local
 * derivative. {@linkcode Value}'s methods compute their nodes and backward
 * rules with these functions, and the compiled path's kernels (activations,
 * losses, penalties) call the same functions, so both engines compute the
 * same floats and a change here changes both. `tests/ops_test.ts` runs every
 * entry through the `Value` engine, the JS kernels and the SIMD kernels and
 * checks they agree bit for bit.
 *
 * A backward rule multiplies the local derivative by the grad that arrives,
 * `derivative * grad`, in that order, in both engines.
 *
 * @example A new op is one entry; `Value.unary()` puts it in a graph
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ops, Value } from "./mod.ts";
 * const cube: ops.UnaryOp = {
 *   name: "cube",
 *   forward: (x) => x * x * x,
 *   derivative: (x) => 3 * x * x,
 * };
 * const x = new Value(2);
 * const y = x.unary(cube);
 * y.backward();
 * assert.deepEqual([y.data, x.grad], [8, 12]);
 * ```
 *
 * @module
 */
import * as math from "./math.ts";

/** A scalar op of one input: its forward value and its local derivative. */
export interface UnaryOp {
  /** Its name, as a node shows it (`Value.op`). */
  readonly name: string;
  /** The op's value at `x`. */
  forward(x: number): number;
  /** d(out)/d(x) at `x`, where `out` is `forward(x)`. */
  derivative(x: number, out: number): number;
}

/** A scalar op of two inputs: its forward value and its two partial derivatives. */
export interface BinaryOp {
  /** Its name, as a node shows it (`Value.op`). */
  readonly name: string;
  /** The op's value at `(a, b)`. */
  forward(a: number, b: number): number;
  /** d(out)/d(a). */
  left(a: number, b: number): number;
  /** d(out)/d(b). */
  right(a: number, b: number): number;
}

/** `a + b`. */
export const add: BinaryOp = {
  name: "+",
  forward: (a, b) => a + b,
  left: () => 1,
  right: () => 1,
};

/** `a * b`. */
export const mul: BinaryOp = {
  name: "*",
  forward: (a, b) => a * b,
  left: (_a, b) => b,
  right: (a) => a,
};

/**
 * `x ** exponent`, one op per exponent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pow } from "./ops.ts";
 * assert.equal(pow(3).derivative(2, 8), 12);
 * ```
 */
export function pow(exponent: number): UnaryOp {
  let op = POWERS.get(exponent);
  if (op === undefined) {
    op = {
      name: `**${exponent}`,
      forward: (x) => x ** exponent,
      // PyTorch's grad of x ** 0 is 0 everywhere, even where x ** -1 is infinite.
      derivative: (x) => exponent === 0 ? 0 : exponent * x ** (exponent - 1),
    };
    POWERS.set(exponent, op);
  }
  return op;
}

// Each exponent's op, made once (a model uses a few: 2, -1, 0.5 ...).
const POWERS = new Map<number, UnaryOp>();

/** `e ** x`. */
export const exp: UnaryOp = {
  name: "exp",
  forward: math.exp,
  derivative: (_x, out) => out,
};

/** The natural log. A non-positive input gives NaN or -Infinity, as IEEE says. */
export const log: UnaryOp = {
  name: "log",
  forward: math.log,
  derivative: (x) => 1 / x,
};

/** The hyperbolic tangent. */
export const tanh: UnaryOp = {
  name: "tanh",
  forward: Math.tanh,
  derivative: (_x, t) => 1 - t * t,
};

/** `max(0, x)`; the grad at 0 is 0 and NaN stays NaN, as in PyTorch. */
export const relu: UnaryOp = {
  name: "relu",
  forward: (x) => x <= 0 ? 0 : x,
  derivative: (x) => x <= 0 ? 0 : 1,
};

/** The logistic function `1 / (1 + e^-x)`, without overflow for large |x|. */
export const sigmoid: UnaryOp = {
  name: "sigmoid",
  forward(x) {
    if (x >= 0) return 1 / (1 + math.exp(-x));
    const e = math.exp(x);
    return e / (1 + e);
  },
  derivative: (_x, s) => s * (1 - s),
};

/** `log(1 + e^x)`, without overflow; its derivative is the sigmoid. */
export const softplus: UnaryOp = {
  name: "softplus",
  forward: (x) => x > 0 ? x + math.log1p(math.exp(-x)) : math.log1p(math.exp(x)),
  derivative: (x) => sigmoid.forward(x),
};

// GELU's constants, as PyTorch writes them: sqrt(2 / pi) and the cubic's weight.
const GELU_BETA = Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5;
const GELU_KAPPA = 0.044715;

/**
 * GELU in PyTorch's `approximate="tanh"` form,
 * `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))`, its forward
 * and derivative written as PyTorch's CPU kernels write them.
 */
export const gelu: UnaryOp = {
  name: "gelu",
  forward(x) {
    const inner = GELU_BETA * (x + GELU_KAPPA * (x * x * x));
    return 0.5 * x * (1 + Math.tanh(inner));
  },
  derivative(x) {
    const square = x * x;
    const t = Math.tanh(GELU_BETA * (x + GELU_KAPPA * (square * x)));
    const left = 0.5 * x;
    const right = 1 + t;
    return 0.5 * right + left * (1 - t * t) * (GELU_BETA * (1 + 3 * GELU_KAPPA * square));
  },
};

/**
 * Leaky ReLU with negative slope `slope`, as PyTorch's `leaky_relu`: `x` for
 * `x > 0`, else `slope * x`; the grad at 0 is `slope`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { leakyRelu } from "./ops.ts";
 * const op = leakyRelu(0.1);
 * assert.deepEqual([op.forward(-2), op.forward(3), op.derivative(-2, -0.2)], [-0.2, 3, 0.1]);
 * ```
 *
 * @throws {RangeError} when `slope` is not a finite number.
 */
export function leakyRelu(slope: number): UnaryOp {
  if (typeof slope !== "number" || !Number.isFinite(slope)) {
    throw new RangeError(
      `Cannot make leaky ReLU as 'slope' must be a finite number: current value is ${slope}`,
    );
  }
  return {
    name: slope === 0.01 ? "leaky-relu" : `leaky-relu(${slope})`,
    forward: (x) => x > 0 ? x : x * slope,
    derivative: (x) => x > 0 ? 1 : slope,
  };
}

/** The identity: the op of a neuron with no activation. */
export const identity: UnaryOp = {
  name: "identity",
  forward: (x) => x,
  derivative: () => 1,
};

/**
 * The shift of `log(sum(exp(x)))` for the numbers `x[from..to)`: their max,
 * or 0 when it is not finite, so that `exp(x - shift)` never overflows.
 */
export function expShift(x: ArrayLike<number>, from: number, to: number): number {
  let m = -Infinity;
  for (let i = from; i < to; i++) m = Math.max(m, x[i]);
  return Number.isFinite(m) ? m : 0;
}

/** `sum(exp(x - m))` over `x[from..to)`, with `m` from {@linkcode expShift}. */
export function expSum(x: ArrayLike<number>, from: number, to: number, m: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += math.exp(x[i] - m);
  return s;
}

/**
 * `log(sum(exp(x)))` from its shift `m` and `s = sum(exp(x - m))`
 * ({@linkcode expShift}, {@linkcode expSum}), and the derivative with
 * respect to each input `x`: the softmax, `exp(x - m) / s`.
 */
export const logSumExp: {
  forward(m: number, s: number): number;
  derivative(x: number, m: number, s: number): number;
} = {
  forward: (m, s) => m + math.log(s),
  derivative: (x, m, s) => math.exp(x - m) / s,
};
