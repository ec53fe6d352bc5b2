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
export * from "./model/mod.ts";
export * from "./compiled/mod.ts";
export * from "./data/mod.ts";
export * from "./train/mod.ts";
export * from "./draw/mod.ts";
