/**
 * The activations a neuron can apply, each defined once: its `Value` form
 * (for the graph) and its kernel (for {@linkcode CompiledMlp}) side by side,
 * so that the two engines compute the same floats.
 *
 * @module
 */
import { exp } from "../../engine/math.ts";
import type { Value } from "../../engine/value.ts";

/** The activations a neuron can apply. `"linear"` applies none. */
export type Activation = "relu" | "tanh" | "sigmoid" | "linear";

/** One activation, in both engines' forms. */
export interface ActivationFunction {
  /** Its name. */
  readonly name: Activation;
  /** The `Value` form: the activation of a neuron's weighted sum `z`. */
  value(z: Value): Value;
  /**
   * The kernel: turns the weighted sums `z[0..n)` into activations in place,
   * and writes each activation's derivative with respect to its sum into
   * `der`, with the same float operations as {@linkcode value} and its
   * backward rule.
   */
  kernel(z: Float64Array, der: Float64Array, n: number): void;
  /**
   * The kernel's WebAssembly SIMD twin in `_simd.ts`, if it has one: the same
   * floats, two at a time, which {@linkcode CompiledMlp} runs where it can.
   */
  readonly simdTwin?: "relu";
}

/** Each {@linkcode Activation} by name. */
export const ACTIVATION_FUNCTIONS: Readonly<Record<Activation, ActivationFunction>> = {
  relu: {
    name: "relu",
    simdTwin: "relu",
    value: (z) => z.relu(),
    kernel(z, der, n) {
      // Branch-free: max(x, 0) is 0 for x <= 0 (and for -0) and x otherwise, NaN for NaN.
      for (let i = 0; i < n; i++) {
        const x = z[i];
        z[i] = Math.max(x, 0);
        der[i] = +!(x <= 0);
      }
    },
  },
  tanh: {
    name: "tanh",
    value: (z) => z.tanh(),
    kernel(z, der, n) {
      for (let i = 0; i < n; i++) {
        const t = Math.tanh(z[i]);
        z[i] = t;
        der[i] = 1 - t * t;
      }
    },
  },
  sigmoid: {
    name: "sigmoid",
    value: (z) => z.sigmoid(),
    kernel(z, der, n) {
      for (let i = 0; i < n; i++) {
        const x = z[i];
        let s: number;
        if (x >= 0) s = 1 / (1 + exp(-x));
        else {
          const e = exp(x);
          s = e / (1 + e);
        }
        z[i] = s;
        der[i] = s * (1 - s);
      }
    },
  },
  linear: {
    name: "linear",
    value: (z) => z,
    kernel(_z, der, n) {
      der.fill(1, 0, n);
    },
  },
};

/** Every {@linkcode Activation}, in the order help texts list them. */
export const ACTIVATIONS: readonly Activation[] = ["relu", "tanh", "sigmoid", "linear"];

/**
 * Throws a `RangeError` unless `name` is an {@linkcode Activation}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkActivation } from "../../mod.ts";
 * assert.equal(checkActivation("tanh"), "tanh");
 * assert.throws(() => checkActivation("gelu"), RangeError);
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
