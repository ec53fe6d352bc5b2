/**
 * A single neuron: a weighted sum of its inputs plus a bias, then an
 * activation.
 *
 * @module
 */
import { type LinearOptions, type Operand, Value } from "../../engine/value.ts";
import {
  type Activation,
  ACTIVATION_FUNCTIONS,
  type ActivationFunction,
  checkActivation,
} from "./activations.ts";
import { Rng } from "./random.ts";
import { checkParameterCount, checkSize } from "./_sizes.ts";

/** Options for {@linkcode Neuron}. */
export interface NeuronOptions {
  /**
   * The activation applied to the weighted sum.
   *
   * @default {"relu"}
   */
  activation?: Activation;
  /** Where the initial weights come from; made from `seed` when absent. */
  rng?: Rng;
  /**
   * Seed for a new generator, used when `rng` is absent.
   *
   * @default {1337}
   */
  seed?: number;
  /** A prefix for the parameters' labels, e.g. `"L0.N3"`. */
  label?: string;
}

/**
 * A neuron with `nin` weights drawn uniformly from [-1, 1] and a bias of 0,
 * as in micrograd.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Neuron } from "../../mod.ts";
 * const n = new Neuron(2, { activation: "tanh", seed: 1 });
 * const y = n.forward([0.5, -1]);
 * assert.ok(y.data > -1 && y.data < 1);
 * assert.equal(n.parameters().length, 3);
 * ```
 */
export class Neuron {
  /** The weights, one per input. */
  readonly w: Value[];
  /** The bias. */
  readonly b: Value;
  /** The activation applied to the weighted sum. */
  readonly activation: Activation;
  // Made once, so that forward() allocates nothing but its nodes.
  readonly #linear: LinearOptions;
  readonly #act: ActivationFunction;

  /**
   * Makes a neuron with `nin` inputs.
   *
   * @throws {RangeError} when `nin` is not a positive integer or the activation is unknown.
   */
  constructor(nin: number, options: NeuronOptions = {}) {
    checkSize("a neuron", "nin", nin);
    checkParameterCount("a neuron", nin + 1);
    this.activation = checkActivation(options.activation ?? "relu");
    const rng = options.rng ?? new Rng(options.seed ?? 1337);
    const prefix = options.label ?? "n";
    this.w = [];
    for (let i = 0; i < nin; i++) {
      this.w.push(new Value(rng.uniform(-1, 1), { label: `${prefix}.w${i}` }));
    }
    this.b = new Value(0, { label: `${prefix}.b` });
    this.#linear = { bias: this.b };
    this.#act = ACTIVATION_FUNCTIONS[this.activation];
  }

  /**
   * The neuron's output on one input vector.
   *
   * @throws {RangeError} when `x` does not have one entry per weight.
   */
  forward(x: readonly Operand[]): Value {
    return this.#act.value(Value.linear(this.w, x, this.#linear));
  }

  /** The weights, then the bias. */
  parameters(): Value[] {
    return [...this.w, this.b];
  }

  /** Describes the neuron, as micrograd's `repr` does. */
  toString(): string {
    return `${this.activation}Neuron(${this.w.length})`;
  }
}
