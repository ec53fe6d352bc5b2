/**
 * The decision-boundary grid that the worker sends with its `done` message.
 *
 * @module
 */
import { CompiledMlp, type Mlp, predictClass } from "../mod.ts";
import type { Grid, StartMessage } from "./protocol.ts";

/** How sure one output vector is of its class, from 0 to 1. */
function confidence(scores: number[], loss: string): number {
  if (scores.length === 1) {
    // A margin (svm, mse) saturates at 1; a logit (bce) goes through the sigmoid.
    const s = scores[0];
    return loss === "bce" ? Math.abs(2 / (1 + Math.exp(-s)) - 1) : Math.min(1, Math.abs(s));
  }
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const total = exps.reduce((a, b) => a + b, 0);
  // Softmax of the top class, rescaled so a uniform guess is 0.
  const k = scores.length;
  return Math.max(0, Math.min(1, (1 / total - 1 / k) / (1 - 1 / k)));
}

/**
 * The model's class and confidence over a `start.grid` by `start.grid` grid
 * that spans the training and test points with a 10% margin, for the
 * report's decision-boundary heatmap.
 */
export function decisionGrid(model: Mlp, start: StartMessage, loss: string): Grid {
  const points = [...start.train.x, ...(start.test?.x ?? [])];
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [a, b] of points) {
    xMin = Math.min(xMin, a);
    xMax = Math.max(xMax, a);
    yMin = Math.min(yMin, b);
    yMax = Math.max(yMax, b);
  }
  const padX = Math.max((xMax - xMin) * 0.1, 0.1);
  const padY = Math.max((yMax - yMin) * 0.1, 0.1);
  xMin -= padX;
  xMax += padX;
  yMin -= padY;
  yMax += padY;
  const size = start.grid;
  const cells: number[][] = [];
  for (let j = 0; j < size; j++) {
    const y = yMin + ((j + 0.5) / size) * (yMax - yMin);
    for (let i = 0; i < size; i++) cells.push([xMin + ((i + 0.5) / size) * (xMax - xMin), y]);
  }
  // All cells in one batch of the compiled model: the same numbers as model.predict, far faster.
  const out = new CompiledMlp(model, cells.length).predict(cells);
  const k = model.nouts[model.nouts.length - 1];
  const classes = new Uint8Array(size * size);
  const conf = new Float64Array(size * size);
  for (let c = 0; c < cells.length; c++) {
    const scores = Array.from(out.subarray(c * k, c * k + k));
    classes[c] = predictClass(scores);
    conf[c] = confidence(scores, loss);
  }
  return { size, xMin, xMax, yMin, yMax, classes, confidence: conf };
}
