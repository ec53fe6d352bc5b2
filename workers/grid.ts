/**
 * The decision-boundary grid: the model's class and confidence over a square
 * grid of the input plane. The worker sends it with its `done` message and
 * with live snapshots; the report page computes the same grid from the
 * timeline's snapshots. Plain library code: it runs in Deno, a worker or a
 * browser.
 *
 * @module
 */
import { CompiledMlp, type Features, type Mlp, ops, predictClass } from "../mod.ts";
import type { Grid, StartMessage } from "./protocol.ts";

/** The part of the plane a grid spans. */
export interface GridBounds {
  /** Left edge. */
  xMin: number;
  /** Right edge. */
  xMax: number;
  /** Bottom edge. */
  yMin: number;
  /** Top edge. */
  yMax: number;
}

/**
 * How sure one output vector is of its class, from 0 to 1: a margin (svm,
 * mse) saturates at 1; a logit (bce) goes through the sigmoid; several
 * outputs go through the softmax, rescaled so a uniform guess is 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { confidence } from "./grid.ts";
 * assert.equal(confidence([-3], "svm"), 1);
 * assert.equal(confidence([0, 0], "ce"), 0);
 * ```
 */
export function confidence(scores: ArrayLike<number>, loss: string): number {
  if (scores.length === 1) {
    const s = scores[0];
    return loss === "bce" ? Math.abs(2 * ops.sigmoid.forward(s) - 1) : Math.min(1, Math.abs(s));
  }
  // The softmax of the top class: exp(max - max) / sum(exp(s - max)).
  const k = scores.length;
  const total = ops.expSum(scores, 0, k, ops.expShift(scores, 0, k));
  return Math.max(0, Math.min(1, (1 / total - 1 / k) / (1 - 1 / k)));
}

/**
 * A square frame around the points with a 10% margin: equal spans on both
 * axes, so the plane is drawn without stretching.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gridBounds } from "./grid.ts";
 * const b = gridBounds([[0, 0], [2, 1]]);
 * assert.ok(Math.abs((b.xMax - b.xMin) - (b.yMax - b.yMin)) < 1e-12);
 * assert.ok(b.xMin < 0 && b.xMax > 2 && b.yMin < 0 && b.yMax > 1);
 * ```
 */
export function gridBounds(points: readonly (readonly number[])[]): GridBounds {
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [a, b] of points) {
    xMin = Math.min(xMin, a);
    xMax = Math.max(xMax, a);
    yMin = Math.min(yMin, b);
    yMax = Math.max(yMax, b);
  }
  if (!Number.isFinite(xMin)) [xMin, xMax, yMin, yMax] = [-1, 1, -1, 1];
  const span = Math.max(xMax - xMin, yMax - yMin, 0.2) * 1.2;
  const cx = (xMin + xMax) / 2;
  const cy = (yMin + yMax) / 2;
  return { xMin: cx - span / 2, xMax: cx + span / 2, yMin: cy - span / 2, yMax: cy + span / 2 };
}

/**
 * Cells per pass of a plane's compiled model through its layers. The
 * numbers do not depend on it; a small pass keeps the layers' activations in
 * a fraction of the memory that one pass over all 6,400 cells of an 80 by 80
 * grid takes (5 MB for two layers of 16), which every new compiled model
 * touches fresh (about 1,000 page faults, a sixth of a small run's time).
 */
const PLANE_ROWS_PER_PASS = 512;

/**
 * The compiled model that predicts `cells` points of a plane at once (a
 * grid's, from {@linkcode planeCells}): the same numbers as `model.predict`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "../mod.ts";
 * import { planeCells, planeModel } from "./grid.ts";
 * const model = new Mlp(2, [4, 1], { seed: 1 });
 * const cells = planeCells({ xMin: -1, xMax: 1, yMin: -1, yMax: 1 }, 3);
 * const out = planeModel(model, cells.length).predict(cells);
 * assert.deepEqual(Array.from(out), cells.map((c) => model.predict(c)[0]));
 * ```
 */
export function planeModel(model: Mlp, cells: number): CompiledMlp {
  return new CompiledMlp(model, cells, { rowsPerPass: PLANE_ROWS_PER_PASS });
}

/**
 * A function that computes the model's class and confidence over a `size`
 * by `size` grid spanning `bounds`, row by row from `yMin`, each cell taken
 * at its centre, from the model's parameters at the time of each call. The
 * cells and the compiled model are made once, so repeated calls (the live
 * view's) allocate only the result.
 */
export function gridMaker(
  model: Mlp,
  bounds: GridBounds,
  size: number,
  loss: string,
  features?: Features,
): () => Grid {
  const { xMin, xMax, yMin, yMax } = bounds;
  const cells = planeCells(bounds, size, features);
  // All cells in one batch of the compiled model: the same numbers as model.predict, far faster.
  const compiled = planeModel(model, cells.length);
  const k = model.nouts[model.nouts.length - 1];
  const scores = new Array<number>(k);
  return () => {
    const out = compiled.predict(cells);
    const classes = new Uint8Array(size * size);
    const conf = new Float64Array(size * size);
    for (let c = 0; c < cells.length; c++) {
      for (let o = 0; o < k; o++) scores[o] = out[c * k + o];
      classes[c] = predictClass(scores);
      conf[c] = confidence(scores, loss);
    }
    return { size, xMin, xMax, yMin, yMax, classes, confidence: conf };
  };
}

/**
 * The model's class and confidence over a `size` by `size` grid spanning
 * `bounds` (see {@linkcode gridMaker}).
 */
export function gridOver(
  model: Mlp,
  bounds: GridBounds,
  size: number,
  loss: string,
  features?: Features,
): Grid {
  return gridMaker(model, bounds, size, loss, features)();
}

/**
 * The centres of a `size` by `size` grid over `bounds`, row by row from
 * `yMin`, as the model's inputs: through `features` when the model takes
 * feature crosses of the plane's two inputs.
 */
export function planeCells(bounds: GridBounds, size: number, features?: Features): number[][] {
  const { xMin, xMax, yMin, yMax } = bounds;
  const cells: number[][] = [];
  for (let j = 0; j < size; j++) {
    const y = yMin + ((j + 0.5) / size) * (yMax - yMin);
    for (let i = 0; i < size; i++) {
      const cell = [xMin + ((i + 0.5) / size) * (xMax - xMin), y];
      cells.push(features ? features.apply(cell) : cell);
    }
  }
  return cells;
}

/**
 * The model's class and confidence over a `start.grid` by `start.grid` grid
 * that frames the training and test points (see {@linkcode gridBounds}).
 */
export function decisionGrid(
  model: Mlp,
  start: StartMessage,
  loss: string,
  features?: Features,
): Grid {
  const bounds = start.plane ?? gridBounds([...start.train.x, ...(start.test?.x ?? [])]);
  return gridOver(model, bounds, start.grid, loss, features);
}
