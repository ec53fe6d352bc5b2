/**
 * What `bench/report.ts` sends each system it times, and what the system
 * sends back: one JSON object on standard input, one on standard output.
 * Every system (ours, PyTorch, jax-js, TF.js) runs in its own process, so
 * the peak memory measured for it (by `/usr/bin/time`) is its own.
 *
 * The training loop is the same everywhere: step `t` is step `k = t % episode`
 * of an episode; at `k = 0` the parameters go back to `init`; the learning
 * rate is `lr * (1 - 0.9 * k / episode)` (micrograd's schedule for `lr = 1`); the loss is the
 * data loss plus `alpha * sum(p * p)`, measured before the update; the update
 * is plain SGD. This file imports nothing, so the peers in `bench/peers/`
 * (which have their own `deno.json`) can import it too.
 *
 * @module
 */

/** One system's work: a workload, and how long to time it. */
export interface Job {
  /** Workload id, e.g. `"W1"`. */
  workload: string;
  /** Layer widths, input first; ReLU hidden layers, a linear last layer. */
  sizes: number[];
  /**
   * `svm`: micrograd's max-margin loss, one output, labels 0/1. `ce`: softmax
   * cross-entropy. `mse`: mean squared error of one output against -1/+1
   * (labels 0/1), so every sample is in the backward pass.
   */
  loss: "svm" | "ce" | "mse";
  /** Inputs, one row per sample (the whole set is one batch). */
  x: number[][];
  /** Labels: 0/1 for `svm`, class indices for `ce`. */
  y: number[];
  /** Initial parameters in micrograd's order: per layer, per neuron, its weights then its bias. */
  init: number[];
  /** Weight of the L2 penalty. */
  alpha: number;
  /** The learning rate of an episode's first step. */
  lr: number;
  /** Steps before the parameters go back to `init`. */
  episode: number;
  /** At least this many steps. */
  minSteps: number;
  /** At most this many steps. */
  maxSteps: number;
  /** Keeps stepping (between `minSteps` and `maxSteps`) until this many milliseconds have passed. */
  budgetMs: number;
  /** The float type the system computes in. */
  dtype: "float64" | "float32";
  /** Threads the system may compute on (1 when missing). */
  threads?: number;
  /** For the compiled path: whether to time the parts of a step too (`split`; default true). */
  split?: boolean;
}

/** Where the compiled path's step time goes (medians, milliseconds). */
export interface Split {
  /** `CompiledMlp.forward()`: inputs and parameters in, every layer, the loss. */
  forward: number;
  /** `zeroGrad()` and `CompiledMlp.backward()`: the loss, every layer, grads out. */
  backward: number;
  /** The SGD update. */
  optimizer: number;
}

/** What a system sends back. */
export interface JobResult {
  /** The system, e.g. `"PyTorch"`. */
  system: string;
  /** Its version. */
  version: string;
  /** The float type it computed in. */
  dtype: "float64" | "float32";
  /** Threads it computed on. */
  threads: number;
  /** Milliseconds of each step, in order. */
  times: number[];
  /** The loss of each step of the first episode (before that step's update). */
  losses: number[];
  /**
   * The largest relative error of the system's `exp` and `log`, measured on
   * a few points, when the system computes them less exactly than its dtype
   * allows (then the report checks its cross-entropy losses at float32's
   * tolerance and says why).
   */
  mathError?: number;
  /** For the compiled path: where the time goes. */
  split?: Split;
  /**
   * For the compiled path: the mean number of samples in the backward pass
   * per step, over the steps of the split run (see `activeSamples`).
   */
  active?: number;
  /**
   * For the compiled path: this process's SIMD peak in GFLOP/s (`simd_peak.ts`),
   * measured right after the split run, so that the passes and the peak they
   * are divided by see the same load.
   */
  simdPeak?: number;
  /** Anything the reader must know (a workaround, a check that failed). */
  note?: string;
}

/** A system ready to train one workload. */
export interface JobStepper {
  /** Sets the parameters back to the job's `init`. */
  reset(): void;
  /** One full-batch step at learning rate `lr`; returns the loss before the update. */
  step(lr: number): number;
}

/** The learning rate of step `k` of an episode that starts at `lr`. */
export function episodeLr(k: number, episode: number, lr = 1): number {
  return lr * (1 - 0.9 * k / episode);
}

/** Runs the job's loop on `stepper` and times every step. */
export function runJob(job: Job, stepper: JobStepper): { times: number[]; losses: number[] } {
  const times: number[] = [];
  const losses: number[] = [];
  const start = performance.now();
  for (
    let t = 0;
    t < job.maxSteps && (t < job.minSteps || performance.now() - start < job.budgetMs);
    t++
  ) {
    const k = t % job.episode;
    if (k === 0) stepper.reset();
    const lr = episodeLr(k, job.episode, job.lr);
    const t0 = performance.now();
    const loss = stepper.step(lr);
    times.push(performance.now() - t0);
    if (t < job.episode) losses.push(loss);
  }
  return { times, losses };
}

/**
 * The step times a report takes the median of: past the first episode when
 * at least another episode ran, else past the first 5 steps, or past the
 * first half of them when there are 10 or fewer (at least one step stays).
 */
export function timedSteps(times: readonly number[], episode: number): number[] {
  if (times.length >= 2 * episode) return times.slice(episode);
  return times.slice(Math.min(5, times.length >> 1));
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Starts `cmd` with `options`, writes `job` as JSON to its standard input,
 * and waits for it to end. Its outputs are piped unless `options` says otherwise.
 */
export async function sendJob(
  cmd: string,
  job: unknown,
  options: Omit<Deno.CommandOptions, "stdin"> = {},
): Promise<Deno.CommandOutput> {
  const child = new Deno.Command(cmd, {
    stdout: "piped",
    stderr: "piped",
    ...options,
    stdin: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(job)));
  await writer.close();
  return await child.output();
}

/** What a system sent back: the JSON on the last line of its standard output. */
export function resultOf<T = JobResult>(out: Deno.CommandOutput): T {
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!) as T;
}

/** Reads the job from standard input. */
export async function readJob(): Promise<Job> {
  return JSON.parse(await new Response(Deno.stdin.readable).text()) as Job;
}

/**
 * Splits micrograd-ordered parameters into per-layer weights, row-major
 * `[nin][nout]` (the `x @ W` layout), and biases.
 */
export function layerParams(
  sizes: readonly number[],
  init: readonly number[],
): { w: Float64Array; b: Float64Array; nin: number; nout: number }[] {
  const layers = [];
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    const nin = sizes[l - 1];
    const nout = sizes[l];
    const w = new Float64Array(nin * nout);
    const b = new Float64Array(nout);
    for (let j = 0; j < nout; j++) {
      for (let i = 0; i < nin; i++) w[i * nout + j] = init[at++];
      b[j] = init[at++];
    }
    layers.push({ w, b, nin, nout });
  }
  if (at !== init.length) {
    throw new RangeError(`Cannot lay out the parameters: want ${at}, got ${init.length}`);
  }
  return layers;
}
