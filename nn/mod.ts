/**
 * The neural-net library: neurons, layers, {@linkcode Mlp}, losses,
 * optimizers, learning-rate schedules, seeded toy datasets, a CSV reader and
 * the shared training loop.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeXor, Mlp, trainSteps } from "./mod.ts";
 * const data = makeXor({ samples: 64, seed: 1 });
 * const model = new Mlp(2, [8, 8, 1], { seed: 3 });
 * const history = [...trainSteps(model, data, { optimizer: "adam", lr: 0.05, steps: 150 })];
 * assert.ok(history.at(-1)!.loss < history[0].loss);
 * ```
 *
 * @module
 */
export * from "./random.ts";
export * from "./neuron.ts";
export * from "./layer.ts";
export * from "./mlp.ts";
export * from "./losses.ts";
export * from "./optim.ts";
export * from "./schedule.ts";
export * from "./datasets.ts";
export * from "./csv.ts";
export * from "./compiled_mlp.ts";
export * from "./train.ts";
export * from "./network_svg.ts";
