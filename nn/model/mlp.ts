/**
 * A multi-layer perceptron, as in micrograd: hidden layers share one
 * activation and the last layer is linear by default.
 *
 * @module
 */
import { type Operand, Value } from "../../engine/value.ts";
import { Layer } from "./layer.ts";
import { type Activation, ACTIVATIONS, checkActivation } from "./activations.ts";
import { Rng } from "./random.ts";
import { checkParameterCount, checkSize } from "./_sizes.ts";

/** Options for {@linkcode Mlp}. */
export interface MlpOptions {
  /**
   * The activation of the hidden layers.
   *
   * @default {"relu"}
   */
  activation?: Activation;
  /**
   * The activation of the last layer.
   *
   * @default {"linear"}
   */
  outputActivation?: Activation;
  /**
   * Seed for the initial weights: two models with the same seed and sizes
   * are identical.
   *
   * @default {1337}
   */
  seed?: number;
  /** A generator to draw the initial weights from, instead of `seed`. */
  rng?: Rng;
}

/** The JSON form of an {@linkcode Mlp}, from `toJSON()`. */
export interface MlpJson {
  /** Always `"denograd.mlp/1"`. */
  format: "denograd.mlp/1";
  /** Inputs per sample. */
  nin: number;
  /** Neurons per layer, the last being the outputs. */
  nouts: number[];
  /** The hidden layers' activation. */
  activation: Activation;
  /** The last layer's activation. */
  outputActivation: Activation;
  /** Per layer: `weights[neuron][input]` and `biases[neuron]`. */
  layers: { weights: number[][]; biases: number[] }[];
}

/** The format tag that {@linkcode MlpJson} documents carry. */
export const MLP_FORMAT = "denograd.mlp/1";

/**
 * A multi-layer perceptron.
 *
 * @example Train a tiny model to output 1
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "../../mod.ts";
 * const model = new Mlp(2, [4, 1], { seed: 1 });
 * for (let k = 0; k < 50; k++) {
 *   const [y] = model.forward([0.5, -0.5]);
 *   const loss = y.sub(1).pow(2);
 *   model.zeroGrad();
 *   loss.backward();
 *   for (const p of model.parameters()) p.data -= 0.05 * p.grad;
 * }
 * assert.ok(Math.abs(model.forward([0.5, -0.5])[0].data - 1) < 1e-3);
 * ```
 */
export class Mlp {
  /** Inputs per sample. */
  readonly nin: number;
  /** Neurons per layer, the last being the outputs. */
  readonly nouts: readonly number[];
  /** The hidden layers' activation. */
  readonly activation: Activation;
  /** The last layer's activation. */
  readonly outputActivation: Activation;
  /** The layers, input side first. */
  readonly layers: Layer[];

  /**
   * Makes a model with `nin` inputs and one layer per entry of `nouts`.
   *
   * @throws {TypeError} when `nouts` is not an array or a size is not a number.
   * @throws {RangeError} when a size is not a positive integer, the model would
   * have more than 2^24 parameters, or an activation is unknown.
   */
  constructor(nin: number, nouts: readonly number[], options: MlpOptions = {}) {
    checkSize("the model", "nin", nin);
    if (!Array.isArray(nouts)) {
      throw new TypeError(
        `Cannot build the model as 'nouts' must be an array of layer sizes: current value is ${
          preview(nouts)
        }`,
      );
    }
    if (nouts.length === 0) {
      throw new RangeError(
        "Cannot build the model as 'nouts' must name at least one layer: current value is []",
      );
    }
    nouts.forEach((n, i) => checkSize("the model", `nouts[${i}]`, n));
    const sizes = [nin, ...nouts];
    checkParameterCount(
      "the model",
      nouts.reduce((sum, nout, i) => sum + (sizes[i] + 1) * nout, 0),
    );
    this.nin = nin;
    this.nouts = [...nouts];
    this.activation = checkActivation(options.activation ?? "relu");
    this.outputActivation = checkActivation(
      options.outputActivation ?? "linear",
      "outputActivation",
    );
    const rng = options.rng ?? new Rng(options.seed ?? 1337);
    this.layers = nouts.map((nout, i) =>
      new Layer(sizes[i], nout, {
        activation: i === nouts.length - 1 ? this.outputActivation : this.activation,
        rng,
        label: `L${i}`,
      })
    );
  }

  /**
   * The model's outputs on one input vector.
   *
   * @throws {TypeError} when `x` is not an array of numbers and Values.
   * @throws {RangeError} when `x` does not have `nin` entries.
   */
  forward(x: readonly Operand[]): Value[] {
    if (!Array.isArray(x)) {
      throw new TypeError(
        `Cannot run the model as the input must be an array of ${this.nin} numbers: current value is ${
          preview(x)
        }`,
      );
    }
    if (x.length !== this.nin) {
      throw new RangeError(
        `Cannot run the model as the input must have ${this.nin} features: current length is ${x.length}`,
      );
    }
    x.forEach((v, i) => {
      if (typeof v !== "number" && !(v instanceof Value)) {
        throw new TypeError(
          `Cannot run the model as 'x[${i}]' must be a number or a Value: current value is ${
            preview(v)
          }`,
        );
      }
    });
    let out: readonly Operand[] = x;
    for (const layer of this.layers) out = layer.forward(out);
    return out as Value[];
  }

  /** The outputs on one input vector, as plain numbers. */
  predict(x: readonly number[]): number[] {
    return this.forward(x).map((v) => v.data);
  }

  /** In micrograd's order: for each layer, for each neuron, its weights, then its bias. */
  parameters(): Value[] {
    return this.layers.flatMap((l) => l.parameters());
  }

  /**
   * Overwrites every parameter, in the order of `parameters()`.
   *
   * @throws {RangeError} when `values` has the wrong length.
   */
  setParameters(values: readonly number[]): void {
    const params = this.parameters();
    if (values.length !== params.length) {
      throw new RangeError(
        `Cannot set parameters as the model has ${params.length}: current length is ${values.length}`,
      );
    }
    params.forEach((p, i) => p.data = values[i]);
  }

  /** Sets every parameter's grad to 0. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = 0;
  }

  /** Describes the model, as micrograd's `repr` does. */
  toString(): string {
    return `Mlp of [${this.layers.join(", ")}]`;
  }

  /** The model as plain JSON: sizes, activations and every parameter. */
  toJSON(): MlpJson {
    return {
      format: MLP_FORMAT,
      nin: this.nin,
      nouts: [...this.nouts],
      activation: this.activation,
      outputActivation: this.outputActivation,
      layers: this.layers.map((l) => ({
        weights: l.neurons.map((n) => n.w.map((w) => w.data)),
        biases: l.neurons.map((n) => n.b.data),
      })),
    };
  }

  /**
   * Rebuilds a model from `toJSON()`'s output.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Mlp } from "../../mod.ts";
   * const a = new Mlp(2, [3, 1], { seed: 5 });
   * const b = Mlp.fromJSON(JSON.parse(JSON.stringify(a)));
   * assert.deepEqual(b.predict([1, 2]), a.predict([1, 2]));
   * assert.throws(() => Mlp.fromJSON({ ...a.toJSON(), nin: "2" }), TypeError);
   * ```
   *
   * @throws {TypeError} naming the first bad path, e.g. `layers[1].weights[0][2]`.
   */
  static fromJSON(doc: unknown): Mlp {
    const bad = (path: string, want: string, got: unknown): never => {
      throw new TypeError(
        `Cannot read the model as '${path}' must be ${want}: current value is ${preview(got)}`,
      );
    };
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
      bad("(root)", "an object", doc);
    }
    const d = doc as Record<string, unknown>;
    if (d.format !== MLP_FORMAT) bad("format", JSON.stringify(MLP_FORMAT), d.format);
    const posInt = (x: unknown) => Number.isInteger(x) && (x as number) >= 1;
    if (!posInt(d.nin)) bad("nin", "a positive integer", d.nin);
    if (!Array.isArray(d.nouts) || d.nouts.length === 0) {
      bad("nouts", "a non-empty array", d.nouts);
    }
    const nouts = d.nouts as unknown[];
    nouts.forEach((n, i) => posInt(n) || bad(`nouts[${i}]`, "a positive integer", n));
    for (const key of ["activation", "outputActivation"]) {
      try {
        checkActivation(d[key], key);
      } catch {
        bad(key, `one of ${ACTIVATIONS.join(", ")}`, d[key]);
      }
    }
    if (!Array.isArray(d.layers) || d.layers.length !== nouts.length) {
      bad("layers", `an array of ${nouts.length} layers`, d.layers);
    }
    // Every array is checked against the sizes before anything is built: sizes that the
    // arrays do not have (nin 1e9 on a small model's weights) fail here, not out of memory.
    const finite = (x: unknown) => typeof x === "number" && Number.isFinite(x);
    const sizes = [d.nin as number, ...(nouts as number[])];
    const layers = (d.layers as unknown[]).map((layer, li) => {
      const at = `layers[${li}]`;
      if (typeof layer !== "object" || layer === null || Array.isArray(layer)) {
        bad(at, "an object", layer);
      }
      const { weights, biases } = layer as Record<string, unknown>;
      const [nin, nout] = [sizes[li], sizes[li + 1]];
      if (!Array.isArray(weights) || weights.length !== nout) {
        bad(`${at}.weights`, `an array of ${nout} rows`, weights);
      }
      if (!Array.isArray(biases) || biases.length !== nout) {
        bad(`${at}.biases`, `an array of ${nout} numbers`, biases);
      }
      (weights as unknown[]).forEach((row, ni) => {
        if (!Array.isArray(row) || row.length !== nin) {
          bad(`${at}.weights[${ni}]`, `an array of ${nin} numbers`, row);
        }
        (row as unknown[]).forEach((w, wi) => {
          if (!finite(w)) bad(`${at}.weights[${ni}][${wi}]`, "a finite number", w);
        });
        const b = (biases as unknown[])[ni];
        if (!finite(b)) bad(`${at}.biases[${ni}]`, "a finite number", b);
      });
      return { weights: weights as number[][], biases: biases as number[] };
    });
    const model = new Mlp(d.nin as number, nouts as number[], {
      activation: d.activation as Activation,
      outputActivation: d.outputActivation as Activation,
    });
    model.layers.forEach((layer, li) => {
      layer.neurons.forEach((n, ni) => {
        n.w.forEach((w, wi) => w.data = layers[li].weights[ni][wi]);
        n.b.data = layers[li].biases[ni];
      });
    });
    return model;
  }
}

/**
 * A short, safe description of a value for an error message: JSON for small
 * plain values, the length of an array, and never a walk into a large or
 * cyclic object.
 */
function preview(x: unknown): string {
  if (x === undefined) return "undefined";
  if (typeof x === "string") return JSON.stringify(x.length > 60 ? `${x.slice(0, 60)}...` : x);
  if (typeof x !== "object" || x === null) return String(x);
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  return "an object";
}
