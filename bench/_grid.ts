/**
 * The scaling grid of `bench/report.ts` (`--grid`): 2-W-W-1, ReLU, MSE (so
 * every sample is in the backward pass), SGD, float64, for every width W and
 * sample count N below, against PyTorch on one thread and on two; and the
 * environment PyTorch runs in. Pure functions only, so tests can import them.
 *
 * @module
 */
import { makeMoons, Mlp } from "../mod.ts";
import type { TrainWorkload } from "./_workloads.ts";

/** The grid's layer widths W (2-W-W-1). */
export const GRID_WIDTHS: readonly number[] = [16, 32, 64, 128, 256, 512];

/** The grid's sample counts N (two-moons points, the whole set one batch). */
export const GRID_SAMPLES: readonly number[] = [100, 1000, 10_000];

/**
 * The learning rate of an episode's first step at width W: micrograd's
 * initialisation makes a wide model's outputs large, and MSE's grads with
 * them, so wider layers need smaller steps (each is about 10x under the
 * smallest that diverged within 100 steps on 100 points, PyTorch float64).
 */
export const GRID_LR: Readonly<Record<number, number>> = {
  16: 0.1,
  32: 0.01,
  64: 0.01,
  128: 1e-3,
  256: 1e-4,
  512: 1e-4,
};

/** One cell of the grid. */
export interface GridCell {
  /** `"<W>x<N>"`, e.g. `"64x1000"`, as `--cells` takes it. */
  id: string;
  /** Hidden layer width W. */
  width: number;
  /** Samples N. */
  samples: number;
}

/** Every cell, width by width, each width's sample counts in order. */
export function gridCells(): GridCell[] {
  return GRID_WIDTHS.flatMap((width) =>
    GRID_SAMPLES.map((samples) => ({ id: `${width}x${samples}`, width, samples }))
  );
}

/**
 * The cells a `--cells` value names (comma-separated ids such as
 * `64x1000,512x100`, in the grid's order), or every cell when `spec` is
 * undefined. Throws a `RangeError` naming the ids it takes otherwise.
 */
export function pickCells(spec: string | undefined): GridCell[] {
  const all = gridCells();
  if (spec === undefined) return all;
  const wanted = spec.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
  const unknown = wanted.filter((id) => !all.some((c) => c.id === id));
  if (wanted.length === 0 || unknown.length > 0) {
    throw new RangeError(
      `'--cells' takes cells WxN from ${GRID_WIDTHS.join(",")} x ${
        GRID_SAMPLES.join(",")
      }, e.g. 64x1000: current value is ${spec}`,
    );
  }
  return all.filter((c) => wanted.includes(c.id));
}

/** The workload of a cell: two moons (noise 0.1, seed 1), micrograd's init (seed 1337). */
export function gridWorkload(cell: GridCell): TrainWorkload {
  const sizes = [2, cell.width, cell.width, 1];
  return {
    id: cell.id,
    title: `2-${cell.width}-${cell.width}-1, ${cell.samples.toLocaleString("en")} points, MSE`,
    sizes,
    data: makeMoons({ samples: cell.samples, noise: 0.1, seed: 1 }),
    init: new Mlp(2, sizes.slice(1), { seed: 1337 }).parameters().map((p) => p.data),
    loss: "mse",
    lr: GRID_LR[cell.width],
  };
}

/** The variables that pin OpenBLAS to one kind of kernel; PyTorch at its best runs without them. */
export const OPENBLAS_PINS: readonly string[] = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

/**
 * The whole environment of a PyTorch run on `threads` threads: `parent`
 * without {@linkcode OPENBLAS_PINS} (so OpenBLAS picks its own kernels for
 * this CPU), with OpenMP, OpenBLAS and MKL pinned to `threads`. Pass it with
 * `clearEnv: true`: that command alone loses the pins.
 */
export function torchEnv(
  parent: Readonly<Record<string, string>>,
  threads: number,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) if (!OPENBLAS_PINS.includes(k)) env[k] = v;
  const n = String(threads);
  return { ...env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n };
}
