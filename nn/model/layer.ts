/**
 * A layer of neurons that all see the same inputs.
 *
 * @module
 */
import type { Operand, Value } from "../../engine/value.ts";
import type { Activation } from "./activations.ts";
import { Neuron } from "./neuron.ts";
import { Rng } from "./random.ts";
import { checkParameterCount, checkSize } from "./_sizes.ts";

/** Options for {@linkcode Layer}. */
export interface LayerOptions {
  /**
   * The activation of every neuron in the layer.
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
  /** A prefix for the parameters' labels, e.g. `"L1"`. */
  label?: string;
}

/**
 * `nout` neurons of `nin` inputs each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Layer } from "../../mod.ts";
 * const layer = new Layer(3, 4, { seed: 7 });
 * assert.equal(layer.forward([1, 2, 3]).length, 4);
 * assert.equal(layer.parameters().length, 16);
 * ```
 */
export class Layer {
  /** The neurons, in order. */
  readonly neurons: Neuron[];

  /**
   * Makes a layer.
   *
   * @throws {RangeError} when `nin` or `nout` is not a positive integer.
   */
  constructor(nin: number, nout: number, options: LayerOptions = {}) {
    checkSize("a layer", "nin", nin);
    checkSize("a layer", "nout", nout);
    checkParameterCount("a layer", (nin + 1) * nout);
    const rng = options.rng ?? new Rng(options.seed ?? 1337);
    const prefix = options.label ?? "L";
    this.neurons = [];
    for (let i = 0; i < nout; i++) {
      this.neurons.push(
        new Neuron(nin, { activation: options.activation, rng, label: `${prefix}.N${i}` }),
      );
    }
  }

  /** Each neuron's output on the input vector `x`. */
  forward(x: readonly Operand[]): Value[] {
    return this.neurons.map((n) => n.forward(x));
  }

  /** For each neuron: its weights, then its bias. */
  parameters(): Value[] {
    return this.neurons.flatMap((n) => n.parameters());
  }

  /** Describes the layer, as micrograd's `repr` does. */
  toString(): string {
    return `Layer of [${this.neurons.join(", ")}]`;
  }
}
