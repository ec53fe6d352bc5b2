/**
 * The model at chosen moments of a run: which steps the report's timeline
 * keeps, and how a snapshot's flat parameters become a model again. Plain
 * library code, shared by the worker, the CLI and the report page.
 *
 * @module
 */
import type { MlpJson } from "../mod.ts";

/**
 * The update counts at which the timeline keeps the model: from 0 (before
 * training) to `steps`, at most `count` of them, dense early where most
 * change happens (spaced as the squares of an even scale).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timelineSteps } from "./snapshots.ts";
 * assert.deepEqual(timelineSteps(4, 48), [0, 1, 2, 3, 4]);
 * const t = timelineSteps(100_000, 48);
 * assert.equal(t.length, 48);
 * assert.equal(t[0], 0);
 * assert.equal(t.at(-1), 100_000);
 * assert.ok(t[1] < 100 && t[24] < 30_000);
 * ```
 */
export function timelineSteps(steps: number, count: number): number[] {
  if (count <= 0) return [];
  if (steps + 1 <= count) return Array.from({ length: steps + 1 }, (_, i) => i);
  if (count === 1) return [steps];
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round(steps * (i / (count - 1)) ** 2));
  return [...out].sort((a, b) => a - b);
}

/** A model's shape: what a snapshot's flat parameters fill. */
export interface ModelShape {
  /** Inputs. */
  nin: number;
  /** Neurons per layer, the output layer last. */
  nouts: readonly number[];
  /** The hidden layers' activation. */
  activation: MlpJson["activation"];
  /** The output layer's activation. */
  outputActivation: MlpJson["outputActivation"];
}

/**
 * The model JSON (as `Mlp.toJSON()` gives it) of a shape filled with flat
 * parameters in the order of `Mlp.parameters()`: for each layer, for each
 * neuron, its weights, then its bias.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "../mod.ts";
 * import { mlpJsonOf } from "./snapshots.ts";
 * const model = new Mlp(2, [3, 1], { seed: 5 });
 * const params = model.parameters().map((p) => p.data);
 * assert.deepEqual(mlpJsonOf(model.toJSON(), params), model.toJSON());
 * ```
 *
 * @throws {RangeError} when `params` does not have one number per parameter.
 */
export function mlpJsonOf(shape: ModelShape, params: ArrayLike<number>): MlpJson {
  let at = 0;
  let fan = shape.nin;
  const layers = shape.nouts.map((nout) => {
    const weights: number[][] = [];
    const biases: number[] = [];
    for (let n = 0; n < nout; n++) {
      weights.push(Array.from({ length: fan }, (_, i) => params[at + i]));
      biases.push(params[at + fan]);
      at += fan + 1;
    }
    fan = nout;
    return { weights, biases };
  });
  if (at !== params.length) {
    throw new RangeError(
      `Cannot rebuild the model as it has ${at} parameters: current length is ${params.length}`,
    );
  }
  return {
    format: "denograd.mlp/1",
    nin: shape.nin,
    nouts: [...shape.nouts],
    activation: shape.activation,
    outputActivation: shape.outputActivation,
    layers,
  };
}
