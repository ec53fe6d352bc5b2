/**
 * What the page needs to know about a run before it starts, made from its
 * setup. Deno-free: the report and the playground's worker both make it.
 *
 * @module
 */
import { gridBounds } from "../workers/grid.ts";
import type { RunInfo } from "./page/data.ts";
import type { RunSetup } from "./setup.ts";

/** Cells per side of the decision-boundary grid. */
export const GRID_SIZE = 80;

/** A number rounded to `digits` significant digits (`null` when not finite, as JSON has no NaN). */
export function round(x: number, digits: number): number | null {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)) : null;
}

/** What the page needs to know about a run before it starts. */
export function runInfo(setup: RunSetup, gridSize = GRID_SIZE): RunInfo {
  // Coordinates to 5 significant digits: far below a pixel, and half the size.
  const r5 = (row: number[]) => row.map((v) => round(v, 5) ?? v);
  // The points over the data's own inputs (the plane's axes, whatever features the model takes).
  const points = setup.inputNames.length <= 2
    ? { x: setup.points.x.map(r5), y: setup.points.y, test: setup.points.test }
    : undefined;
  const crossed = setup.featureNames.join(",") !== setup.inputNames.join(",");
  return {
    dataset: setup.source.kind === "generated" ? setup.source.name : setup.source.file,
    problem: setup.config.problem,
    featureNames: setup.featureNames,
    inputNames: setup.inputNames,
    ...(crossed ? { features: setup.featureNames } : {}),
    classNames: setup.config.problem === "regression" ? [] : setup.classNames,
    steps: setup.config.steps,
    model: {
      nin: setup.nin,
      nouts: setup.nouts,
      activation: setup.config.activation,
      outputActivation: "linear",
    },
    loss: setup.config.loss,
    l2: setup.config.l2,
    ...(points ? { points } : {}),
    ...(points && setup.inputNames.length === 2 ? { bounds: gridBounds(points.x) } : {}),
    ...(setup.inputNames.length > 2 ? { inputStats: inputStats(setup.points.x) } : {}),
    gridSize,
  };
}

/** Each input's smallest, largest and mean finite value, to 5 significant digits. */
function inputStats(x: number[][]): { min: number[]; max: number[]; mean: number[] } {
  const n = x[0]?.length ?? 0;
  const min = new Array<number>(n).fill(Infinity);
  const max = new Array<number>(n).fill(-Infinity);
  const sum = new Array<number>(n).fill(0);
  const count = new Array<number>(n).fill(0);
  for (const row of x) {
    row.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      min[i] = Math.min(min[i], v);
      max[i] = Math.max(max[i], v);
      sum[i] += v;
      count[i]++;
    });
  }
  const r = (v: number, fallback: number) => Number.isFinite(v) ? round(v, 5) ?? v : fallback;
  return {
    min: min.map((v) => r(v, -1)),
    max: max.map((v) => r(v, 1)),
    mean: sum.map((s, i) => r(count[i] === 0 ? 0 : s / count[i], 0)),
  };
}
