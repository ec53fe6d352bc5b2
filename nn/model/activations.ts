/**
 * The activations a neuron can apply, each one entry of
 * {@linkcode ACTIVATION_FUNCTIONS}: a scalar op of `engine/ops.ts` (its
 * forward value and local derivative, written once), from which both its
 * `Value` form (for the graph) and its kernel (for {@linkcode CompiledMlp})
 * are made, so that the two engines compute the same floats. The list of
 * names everywhere (settings, flags, worker protocol, page) is this table's
 * keys.
 *
 * @module
 */
import type { Value } from "../../engine/value.ts";
import * as ops from "../../engine/ops.ts";

/** One activation, in both engines' forms. */
export interface ActivationFunction {
  /** Its name. */
  readonly name: string;
  /** The scalar op it applies to a neuron's weighted sum. */
  readonly op: ops.UnaryOp;
  /** Its parameters, if it has any (leaky ReLU's `slope`). */
  readonly params: Readonly<Record<string, number>>;
  /** The `Value` form: the activation of a neuron's weighted sum `z`. */
  value(z: Value): Value;
  /**
   * The kernel: turns the weighted sums `z[0..n)` into activations in place,
   * and writes each activation's derivative with respect to its sum into
   * `der`, with the op's own forward and derivative, as {@linkcode value}
   * and its backward rule use them.
   */
  kernel(z: Float64Array, der: Float64Array, n: number): void;
  /**
   * The kernel's WebAssembly SIMD twin in `_simd.ts`, if it has one: the same
   * floats, two at a time, which {@linkcode CompiledMlp} runs where it can.
   */
  readonly simdTwin?: "relu";
}

/** Options for {@linkcode activationOf}. */
export interface ActivationOptions {
  /**
   * Its parameters, for display and for `model.json`.
   *
   * @default {{}}
   */
  params?: Readonly<Record<string, number>>;
  /**
   * Its kernel, when it has a loop of its own: it must run `op`'s forward
   * and derivative, as the default kernel does (`tests/ops_test.ts` checks it
   * bit for bit). A loop of its own calls one op only, so the JIT inlines it.
   */
  kernel?: ActivationFunction["kernel"];
  /** The SIMD twin of its kernel, if `_simd.ts` has one. */
  simdTwin?: "relu";
}

/**
 * The activation named `name` that applies `op`: its `Value` form is one
 * `op` node (`z.unary(op)`) and its kernel runs `op`'s forward and
 * derivative on each sum. The identity makes no node at all.
 *
 * @example An activation with a parameter
 * ```ts
 * import assert from "node:assert/strict";
 * import { activationOf, ops, Value } from "../../mod.ts";
 * const leaky = activationOf("leaky-relu", ops.leakyRelu(0.2), { params: { slope: 0.2 } });
 * assert.equal(leaky.value(new Value(-1)).data, -0.2);
 * const z = Float64Array.of(-1, 3);
 * const der = new Float64Array(2);
 * leaky.kernel(z, der, 2);
 * assert.deepEqual([...z, ...der], [-0.2, 3, 0.2, 1]);
 * ```
 */
export function activationOf(
  name: string,
  op: ops.UnaryOp,
  options: ActivationOptions = {},
): ActivationFunction {
  const { params = {}, simdTwin } = options;
  return {
    name,
    op,
    params,
    simdTwin,
    value: op === ops.identity ? (z) => z : (z) => z.unary(op),
    kernel: options.kernel ?? ((z, der, n) => {
      for (let i = 0; i < n; i++) {
        const x = z[i];
        const y = op.forward(x);
        z[i] = y;
        der[i] = op.derivative(x, y);
      }
    }),
  };
}

/** PyTorch's default negative slope for leaky ReLU. */
const LEAKY_SLOPE = 0.01;
const leakyReluOp: ops.UnaryOp = ops.leakyRelu(LEAKY_SLOPE);

// Each built-in kernel is its own loop over its own op (the same loop as
// activationOf's), so that the op's call stays monomorphic and inlined:
// one shared loop over several ops runs many times slower in V8.

const relu: ActivationFunction = activationOf("relu", ops.relu, {
  simdTwin: "relu",
  kernel(z, der, n) {
    for (let i = 0; i < n; i++) {
      const x = z[i];
      const y = ops.relu.forward(x);
      z[i] = y;
      der[i] = ops.relu.derivative(x, y);
    }
  },
});

const tanh: ActivationFunction = activationOf("tanh", ops.tanh, {
  kernel(z, der, n) {
    for (let i = 0; i < n; i++) {
      const x = z[i];
      const y = ops.tanh.forward(x);
      z[i] = y;
      der[i] = ops.tanh.derivative(x, y);
    }
  },
});

const sigmoid: ActivationFunction = activationOf("sigmoid", ops.sigmoid, {
  kernel(z, der, n) {
    for (let i = 0; i < n; i++) {
      const x = z[i];
      const y = ops.sigmoid.forward(x);
      z[i] = y;
      der[i] = ops.sigmoid.derivative(x, y);
    }
  },
});

const linear: ActivationFunction = activationOf("linear", ops.identity, {
  kernel(_z, der, n) {
    der.fill(ops.identity.derivative(0, 0), 0, n);
  },
});

const gelu: ActivationFunction = activationOf("gelu", ops.gelu, {
  kernel(z, der, n) {
    for (let i = 0; i < n; i++) {
      const x = z[i];
      const y = ops.gelu.forward(x);
      z[i] = y;
      der[i] = ops.gelu.derivative(x, y);
    }
  },
});

const leakyRelu: ActivationFunction = activationOf("leaky-relu", leakyReluOp, {
  params: { slope: LEAKY_SLOPE },
  kernel(z, der, n) {
    for (let i = 0; i < n; i++) {
      const x = z[i];
      const y = leakyReluOp.forward(x);
      z[i] = y;
      der[i] = leakyReluOp.derivative(x, y);
    }
  },
});

/**
 * Each activation by name. `"linear"` applies none; `"gelu"` is PyTorch's
 * `approximate="tanh"` GELU; `"leaky-relu"` has PyTorch's slope 0.01.
 */
export const ACTIVATION_FUNCTIONS = {
  relu,
  tanh,
  sigmoid,
  linear,
  gelu,
  "leaky-relu": leakyRelu,
} as const satisfies Record<string, ActivationFunction>;

/** The activations a neuron can apply: the keys of {@linkcode ACTIVATION_FUNCTIONS}. */
export type Activation = keyof typeof ACTIVATION_FUNCTIONS;

/** Every {@linkcode Activation}, in the order help texts list them. */
export const ACTIVATIONS: readonly Activation[] = Object.keys(
  ACTIVATION_FUNCTIONS,
) as Activation[];

/**
 * Throws a `RangeError` unless `name` is an {@linkcode Activation}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkActivation } from "../../mod.ts";
 * assert.equal(checkActivation("tanh"), "tanh");
 * assert.throws(() => checkActivation("swish"), RangeError);
 * ```
 */
export function checkActivation(name: unknown, what = "activation"): Activation {
  const found = ACTIVATIONS.find((a) => a === name);
  if (found === undefined) {
    throw new RangeError(
      `Cannot build the model as '${what}' must be one of ${
        ACTIVATIONS.join(", ")
      }: current value is ${JSON.stringify(name)}`,
    );
  }
  return found;
}
