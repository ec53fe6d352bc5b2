// @ts-check
/**
 * The training both the page and the worker run: an Mlp learns XOR with Adam.
 *
 * @module
 */
import { evaluate, makeXor, Mlp, trainSteps } from "../../dist/denograd.js";

/**
 * Trains a seeded Mlp on XOR, calling `onStep` with each step's metrics.
 *
 * @param {(metrics: { step: number, loss: number, accuracy: number }) => void} [onStep]
 * @returns {{ losses: number[], accuracy: number }}
 */
export function trainXor(onStep) {
  const data = makeXor({ samples: 64, seed: 1 });
  const model = new Mlp(2, [8, 8, 1], { seed: 3 });
  const losses = [];
  for (const metrics of trainSteps(model, data, { optimizer: "adam", lr: 0.05, steps: 150 })) {
    losses.push(metrics.loss);
    onStep?.(metrics);
  }
  return { losses, accuracy: evaluate(model, data, { loss: "svm" }).accuracy };
}
