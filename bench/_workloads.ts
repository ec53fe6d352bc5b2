/**
 * The benchmark workloads and our systems that run them, shared by
 * `bench/workloads_bench.ts` (`deno bench`), `bench/run_ours.ts` and
 * `bench/report.ts` (the markdown tables, with the peers in `bench/peers/`).
 *
 * Every system trains from the same initial parameters with micrograd's
 * schedule `lr = 1 - 0.9 * k / 100`, and goes back to those parameters every
 * 100 steps, so that all of them do the same work for as long as they run.
 *
 * @module
 */
import trajectory from "../tests/reference/train_trajectory.json" with { type: "json" };
import { type Dataset, makeMoons, makeSpiral, Mlp, trainSteps, Value } from "../mod.ts";
import { ScalarLoopMlp } from "./scalar_loop.ts";
import type { Job } from "./_job.ts";
import { naiveCeStep, NaiveMlp, naiveSvmStep } from "./naive.ts";

/** A workload that trains a model: one call of `step()` is one training step. */
export interface TrainWorkload {
  /** Short id, e.g. `"W1"`. */
  id: string;
  /** What it is, for the table. */
  title: string;
  /** Layer sizes, input first. */
  sizes: number[];
  /** The training data (full batch). */
  data: Dataset;
  /** The initial parameters, in micrograd's order. */
  init: number[];
  /** `svm` for one output, `ce` for several; `mse` (one output, -1/+1 targets) in the grid. */
  loss: "svm" | "ce" | "mse";
  /** The learning rate of an episode's first step (micrograd's is 1). */
  lr: number;
}

/** The L2 weight of every workload, micrograd's. */
export const ALPHA = 1e-4;

/** How many steps run before every system goes back to the initial parameters. */
export const EPISODE = 100;

/** The learning rate of step `k` of an episode. */
export function lrAt(k: number): number {
  return 1.0 - 0.9 * k / EPISODE;
}

function initFor(sizes: number[]): number[] {
  return new Mlp(sizes[0], sizes.slice(1), { seed: 1337 }).parameters().map((p) => p.data);
}

/** W1: micrograd's demo step (2-16-16-1, its 100 moons points, SVM loss + L2). */
export const W1: TrainWorkload = {
  id: "W1",
  title: "micrograd demo step: 2-16-16-1, 100 points",
  sizes: [2, 16, 16, 1],
  data: { x: trajectory.X, y: trajectory.y, classes: 2 },
  init: trajectory.init_params,
  loss: "svm",
  lr: 1,
};

/** W2: the same step at 1,000 points with 2-64-64-1. */
export const W2: TrainWorkload = {
  id: "W2",
  title: "1,000 points, 2-64-64-1",
  sizes: [2, 64, 64, 1],
  data: makeMoons({ samples: 1000, noise: 0.1, seed: 1 }),
  init: initFor([2, 64, 64, 1]),
  loss: "svm",
  lr: 1,
};

/** W4: a 3-class spiral with softmax cross-entropy, 2-32-32-3. */
export const W4: TrainWorkload = {
  id: "W4",
  title: "3-class spiral, softmax CE, 2-32-32-3, 300 points",
  sizes: [2, 32, 32, 3],
  data: makeSpiral({ samples: 300, classes: 3, noise: 0.1, seed: 1 }),
  init: initFor([2, 32, 32, 3]),
  loss: "ce",
  lr: 1,
};

/** Every training workload. */
export const TRAIN_WORKLOADS: readonly TrainWorkload[] = [W1, W2, W4];

/** The widths of the GFLOP/s sweep: 2-W-W-1 on W2's 1,000 points (width 64 is W2 itself). */
export const SWEEP_WIDTHS: readonly number[] = [16, 64, 256];

/** The sweep's workload of width `width`. */
export function sweepWorkload(width: number): TrainWorkload {
  if (width === 64) return W2;
  const sizes = [2, width, width, 1];
  return {
    id: `G${width}`,
    title: `1,000 points, 2-${width}-${width}-1`,
    sizes,
    data: W2.data,
    init: initFor(sizes),
    loss: "svm",
    // Micrograd's init makes wide layers' outputs large: lr 1 diverges at width 256.
    lr: width > 64 ? 0.1 : 1,
  };
}

/**
 * Floating-point operations of one training step, counting the matrix
 * products only: 2 per multiply-add forward, for every sample, and 4 per
 * multiply-add backward (the weights' grads and the inputs' grads), for the
 * `active` samples only: those whose output grads are not 0, the only ones
 * the backward pass runs (the SVM loss leaves out the samples past the
 * margin). So `(2 * samples + 4 * active) * sum(nin * nout)`.
 */
export function stepFlops(
  w: Pick<TrainWorkload, "sizes" | "data">,
  active: number = w.data.x.length,
): number {
  let macs = 0;
  for (let l = 1; l < w.sizes.length; l++) macs += w.sizes[l - 1] * w.sizes[l];
  return (2 * w.data.x.length + 4 * active) * macs;
}

/**
 * How many samples the backward pass runs for: those whose loss has a
 * grad that is not 0. For `svm` (labels 0/1, one output each) the samples
 * inside the margin, `1 - t * out > 0` with `t = ±1`; for `mse` and `ce`
 * every sample.
 */
export function activeSamples(
  loss: TrainWorkload["loss"],
  outputs: ArrayLike<number>,
  y: readonly number[],
): number {
  if (loss !== "svm") return y.length;
  let active = 0;
  for (let s = 0; s < y.length; s++) {
    if (1 - (y[s] === 1 ? 1 : -1) * outputs[s] > 0) active++;
  }
  return active;
}

/** The job that `bench/report.ts` sends a system for workload `w`. */
export function jobFor(
  w: TrainWorkload,
  dtype: Job["dtype"],
  steps: { minSteps: number; maxSteps: number; budgetMs: number },
): Job {
  return {
    workload: w.id,
    sizes: w.sizes,
    loss: w.loss,
    x: w.data.x,
    y: w.data.y,
    init: w.init,
    alpha: ALPHA,
    lr: w.lr,
    episode: EPISODE,
    dtype,
    ...steps,
  };
}

/** A system that runs a workload step by step. */
export interface Stepper {
  /** Runs one step and returns its loss (before the update). */
  step(): number;
}

/** Our systems, as the tables name them. */
export type SystemName = "naive" | "value" | "compiled" | "scalar loop";

/** `value` and `compiled`: the library's own `trainSteps`, restarted every episode. */
export function libraryStepper(w: TrainWorkload, engine: "value" | "compiled"): Stepper {
  const model = new Mlp(w.sizes[0], w.sizes.slice(1));
  let it: Iterator<{ loss: number }> | null = null;
  return {
    step() {
      let r = it?.next();
      if (r === undefined || r.done) {
        model.setParameters(w.init);
        it = trainSteps(model, w.data, {
          loss: w.loss,
          l2: ALPHA,
          optimizer: "sgd",
          lr: 1,
          lrSchedule: "linear",
          steps: EPISODE,
          engine,
        });
        r = it.next();
      }
      return r.value!.loss;
    },
  };
}

/** `naive`: the straight micrograd port in `naive.ts`. */
export function naiveStepper(w: TrainWorkload): Stepper {
  const model = new NaiveMlp(w.sizes[0], w.sizes.slice(1), () => 0);
  const step = w.loss === "svm" ? naiveSvmStep : naiveCeStep;
  let k = 0;
  return {
    step() {
      if (k % EPISODE === 0) model.setParameters(w.init);
      return step(model, w.data.x, w.data.y, lrAt(k++ % EPISODE), ALPHA);
    },
  };
}

/** `scalar loop`: the hand-written `Float64Array` MLP in `scalar_loop.ts`. */
export function scalarLoopStepper(w: TrainWorkload): Stepper {
  const model = new ScalarLoopMlp(w.sizes, w.data.x.length, w.init);
  model.setInputs(w.data.x);
  let k = 0;
  return {
    step() {
      if (k % EPISODE === 0) model.params.set(w.init);
      const lr = lrAt(k++ % EPISODE);
      return w.loss === "svm"
        ? model.svmStep(w.data.y, lr, ALPHA)
        : model.ceStep(w.data.y, lr, ALPHA);
    },
  };
}

/** W3: a chain of `n` nodes (a leaf, then `tanh` after `tanh`), ready for `backward()`. */
export function makeChain(n = 1_000_000): Value {
  let v = new Value(0.5);
  for (let i = 1; i < n; i++) v = v.tanh();
  return v;
}

/**
 * The scalar loop for W3: the same chain's backward pass as one loop over a
 * `Float64Array` of local derivatives.
 */
export function makeScalarLoopChain(n = 1_000_000): () => number {
  const local = new Float64Array(n);
  const grad = new Float64Array(n);
  let x = 0.5;
  for (let i = 1; i < n; i++) {
    x = Math.tanh(x);
    local[i] = 1 - x * x;
  }
  return () => {
    grad[n - 1] = 1;
    for (let i = n - 1; i > 0; i--) grad[i - 1] = local[i] * grad[i];
    return grad[0];
  };
}
