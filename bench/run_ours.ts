/**
 * Runs one of our systems on a job from `bench/report.ts` (see `_job.ts`) in
 * a process of its own, and prints the result as JSON:
 *
 *     deno run --allow-read bench/run_ours.ts compiled < job.json
 *
 * Systems: `compiled` and `value` train through the library's own
 * `trainSteps` (what users run); `scalar loop` is the hand-written
 * `Float64Array` loop in `scalar_loop.ts`. For `compiled`, a second run of
 * the same steps times `CompiledMlp.forward()`, `backward()` and the SGD
 * update one by one, to show where the time goes.
 *
 * @module
 */
import {
  CompiledMlp,
  type CompiledMlpOptions,
  Mlp,
  SETTINGS,
  Sgd,
  type StepMetrics,
  type TrainOptions,
  trainSteps,
} from "../mod.ts";
import { activeSamples } from "./_workloads.ts";
import { measureSimdPeak } from "./simd_peak.ts";
import { ScalarLoopMlp } from "./scalar_loop.ts";
import {
  episodeLr,
  type Job,
  type JobResult,
  type JobStepper,
  median,
  readJob,
  runJob,
  type Split,
  timedSteps,
} from "./_job.ts";

function classesOf(job: Job): number {
  return job.loss === "ce" ? job.sizes[job.sizes.length - 1] : 2;
}

/** Whether this version of the library has a `threads` setting (it came with issue 21). */
export const HAS_THREADS = Object.hasOwn(SETTINGS, "threads");

/** `{ threads }` when the job asks for more than one thread (and the library has the setting). */
function threadsOption(job: Job): Record<string, number> {
  const threads = job.threads ?? 1;
  if (threads === 1) return {};
  if (!HAS_THREADS) {
    throw new RangeError(`Cannot run on ${threads} threads: this library has no 'threads' setting`);
  }
  return { threads };
}

/** `compiled` or `value`: `trainSteps`, restarted at every episode. */
function libraryStepper(job: Job, engine: "compiled" | "value"): JobStepper {
  const model = new Mlp(job.sizes[0], job.sizes.slice(1));
  const data = { x: job.x, y: job.y, classes: classesOf(job) };
  let steps: Iterator<StepMetrics> | undefined;
  return {
    reset() {
      model.setParameters(job.init);
      steps = trainSteps(model, data, {
        loss: job.loss,
        l2: job.alpha,
        optimizer: "sgd",
        lr: job.lr,
        lrSchedule: "linear",
        steps: job.episode,
        engine,
        ...threadsOption(job),
      } as TrainOptions);
    },
    step(lr) {
      const r = steps!.next();
      if (r.done) throw new Error("trainSteps ended before the episode did");
      if (Math.abs(r.value.lr - lr) > 1e-12) {
        throw new Error(`trainSteps used lr ${r.value.lr} where the benchmark wants ${lr}`);
      }
      return r.value.loss;
    },
  };
}

function scalarLoopStepper(job: Job): JobStepper {
  if (job.loss === "mse") throw new RangeError("Cannot run the scalar loop with the MSE loss");
  const model = new ScalarLoopMlp(job.sizes, job.x.length, job.init);
  model.setInputs(job.x);
  return {
    reset: () => model.params.set(job.init),
    step: (lr) =>
      job.loss === "svm" ? model.svmStep(job.y, lr, job.alpha) : model.ceStep(job.y, lr, job.alpha),
  };
}

/**
 * The compiled path's step taken apart, as `trainSteps` runs it (the
 * parameters in the flat arrays): forward, backward, the update. Also
 * checks it gets the same losses, and counts the samples in each step's
 * backward pass (untimed).
 */
function splitCompiled(
  job: Job,
  steps: number,
  losses: number[],
): { split: Split; same: boolean; active: number } {
  const model = new Mlp(job.sizes[0], job.sizes.slice(1));
  const compiled = new CompiledMlp(model, job.x.length, {
    loss: job.loss,
    l2: job.alpha,
    syncModel: false,
    ...threadsOption(job),
  } as CompiledMlpOptions);
  const optimizer = new Sgd(model.parameters(), { lr: 1 });
  const f: number[] = [];
  const b: number[] = [];
  const o: number[] = [];
  let same = true;
  let active = 0;
  for (let t = 0; t < steps; t++) {
    const k = t % job.episode;
    if (k === 0) {
      model.setParameters(job.init);
      compiled.readModel();
    }
    if (job.loss === "svm") active += activeSamples(job.loss, compiled.predict(job.x), job.y);
    else active += job.x.length;
    const t0 = performance.now();
    const loss = compiled.forward(job.x, job.y);
    const t1 = performance.now();
    compiled.backward();
    const t2 = performance.now();
    optimizer.lr = episodeLr(k, job.episode, job.lr);
    compiled.step(optimizer);
    const t3 = performance.now();
    f.push(t1 - t0);
    b.push(t2 - t1);
    o.push(t3 - t2);
    if (t < losses.length && loss !== losses[t]) same = false;
  }
  const timed = (xs: number[]) => median(timedSteps(xs, job.episode));
  return {
    split: { forward: timed(f), backward: timed(b), optimizer: timed(o) },
    same,
    active: active / steps,
  };
}

if (import.meta.main) {
  const system = Deno.args[0];
  const job = await readJob();
  let stepper: JobStepper;
  if (system === "compiled" || system === "value") stepper = libraryStepper(job, system);
  else if (system === "scalar loop") stepper = scalarLoopStepper(job);
  else {throw new RangeError(
      `Cannot run ${JSON.stringify(system)}: want compiled, value or scalar loop`,
    );}
  const { times, losses } = runJob(job, stepper);
  const result: JobResult = {
    system,
    version: `denograd on Deno ${Deno.version.deno}`,
    dtype: "float64",
    threads: job.threads ?? 1,
    times,
    losses,
  };
  if (system === "compiled" && job.split !== false) {
    const steps = Math.min(times.length, 3 * job.episode);
    const { split, same, active } = splitCompiled(job, steps, losses);
    result.split = split;
    result.active = active;
    result.simdPeak = measureSimdPeak(5, 20).best;
    if (!same) result.note = "the split run's losses differ from trainSteps'";
  }
  console.log(JSON.stringify(result));
}
