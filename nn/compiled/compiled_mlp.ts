/**
 * The compiled path: an {@linkcode Mlp} and a loss turned into flat
 * `Float64Array`s for a fixed batch size, so that a training step allocates
 * nothing and runs no per-node code.
 *
 * The program is laid out once; each step replays it with new inputs, labels
 * and parameter values, and writes gradients back into the model's
 * parameters (or, with `syncModel: false`, keeps parameters and gradients
 * in its flat arrays, where the optimizer updates them). The math of each activation, loss and penalty comes from its
 * one definition ({@linkcode ACTIVATION_FUNCTIONS}, {@linkcode LOSS_FUNCTIONS},
 * {@linkcode PENALTIES}), whose kernels perform the same float operations as
 * the `Value` forms. The layers' own sums are added in the graph's order:
 * a neuron's sum starts from its bias and adds `w * x` input by input; a
 * weight's grad adds one term per sample, last sample first (the order in
 * which `Value.backward()` meets the samples); an input's grad adds one term
 * per neuron, in the order the graph's backward pass meets the neurons. The
 * kernels are register-blocked (several neurons and samples per pass, held
 * in locals), which runs several of these sums at once but never reorders
 * or fuses one, and cache-blocked: a weight's grad goes through the samples
 * in chunks that fit in L2, last chunk first, stored after each and
 * continued by the next, the same terms in the same order. Where
 * WebAssembly SIMD is available, the whole blocks of each layer run in it
 * (`_simd.ts`: each lane one sum, a plain multiply then a plain add per
 * term) and the JS kernels do the rest. The losses and gradients are
 * therefore bit for bit those of the `Value` path.
 * With `threads`, worker threads share that memory and take chunks of each
 * big SIMD call (`_threads.ts`), each output's sum still whole in one
 * thread: the same numbers at every thread count.
 *
 * @module
 */
import type { Value } from "../../engine/value.ts";
import { ACTIVATION_FUNCTIONS, type ActivationFunction } from "../model/activations.ts";
import {
  defaultLoss,
  LOSS_FUNCTIONS,
  LOSS_NAMES,
  type LossFunction,
  type LossName,
  meanSquaredError,
  PENALTIES,
  type Penalty,
  type Problem,
  r2Score,
} from "../model/losses.ts";
import type { Mlp } from "../model/mlp.ts";
import type { Optimizer } from "../model/optim.ts";
import { countCorrect } from "./_metrics.ts";
import { type SimdKernels, simdKernels } from "./_simd.ts";
import {
  type KernelName,
  MAX_THREADS,
  threadCount,
  ThreadPool,
  threadsAvailable,
} from "./_threads.ts";

/** Options for {@linkcode CompiledMlp}. */
export interface CompiledMlpOptions {
  /**
   * The loss; by default `svm` for a one-output classifier, `ce` for
   * several outputs, `mse` for regression.
   */
  loss?: LossName;
  /**
   * What the labels are: class indices, or real targets.
   *
   * @default {"classification"}
   */
  problem?: Problem;
  /**
   * Weight of the L2 penalty `l2 * sum(p^2)` added to the loss.
   *
   * @default {0}
   */
  l2?: number;
  /**
   * Weight of the L1 penalty `l1 * sum(|p|)` added to the loss (after L2).
   *
   * @default {0}
   */
  l1?: number;
  /**
   * Samples per pass through the layers. A batch larger than this runs in
   * passes of this many rows (the backward pass recomputes the activations
   * of all but the last pass), so that memory stays bounded whatever the
   * batch size; the numbers do not depend on it. By default about four
   * million activations per pass.
   */
  rowsPerPass?: number;
  /**
   * Whether the matrix kernels may run in WebAssembly SIMD where it is
   * available; `false` runs the JS kernels only. The numbers are the same
   * bit for bit either way.
   *
   * @default {true}
   */
  simd?: boolean;
  /**
   * Whether `forward()` reads the model's `Value`s and `backward()` adds the
   * grads into them (`true`), or the parameters live in the compiled
   * model's flat arrays (`false`): read from the model once, here, updated
   * there by `step(optimizer)`, and synced with the `Value`s only when asked,
   * by `writeModel()` (flat arrays into the `Value`s) and `readModel()` (the
   * `Value`s into the flat arrays, after they were changed from outside).
   *
   * @default {true}
   */
  syncModel?: boolean;
  /**
   * Threads a step runs on: worker threads share one `WebAssembly.Memory`
   * with the calling thread and take a range of each big kernel call
   * (forward by sample, weight and bias grads by neuron, input grads by
   * sample), so the numbers are the same bit for bit for every count.
   * `"auto"` takes the cores when a layer is big enough to pay for them,
   * else 1. Where there is no shared memory (a page that is not
   * cross-origin isolated), no blocking wait or no SIMD, a step runs on
   * the calling thread; {@linkcode CompiledMlp.threads} says which.
   * Call {@linkcode CompiledMlp.dispose} to stop the workers.
   *
   * @default {1}
   */
  threads?: number | "auto";
}

/** One pass's rows of the batch, and its views of the batch-wide arrays. */
interface Pass {
  start: number;
  rows: number;
  x: Float64Array;
  out: Float64Array;
  gout: Float64Array;
  order: Int32Array;
}

/**
 * The arrays of a {@linkcode CompiledMlp}: carved out of the SIMD kernels'
 * memory when they run here, or plain arrays.
 */
class Arena {
  readonly simd: SimdKernels | undefined;
  readonly #f64: number[];
  readonly #i32: number[];
  #at = 0;

  /**
   * An arena for exactly these arrays, which `f64()` and `i32()` then hand
   * out in this order.
   */
  constructor(f64: readonly number[], i32: readonly number[], simd: boolean, shared: boolean) {
    const bytes = f64.reduce((sum, n) => sum + align(n * 8), 0) +
      i32.reduce((sum, n) => sum + align(n * 4), 0);
    this.simd = simd ? simdKernels(bytes, shared) : undefined;
    this.#f64 = f64.slice().reverse();
    this.#i32 = i32.slice().reverse();
  }

  /** The next planned `Float64Array` (empty without SIMD when it is `simdOnly`). */
  f64(simdOnly = false): Float64Array {
    const n = this.#f64.pop()!;
    if (this.simd === undefined) return new Float64Array(simdOnly ? 0 : n);
    const a = new Float64Array(this.simd.memory.buffer, this.#at, n);
    this.#at += align(n * 8);
    return a;
  }

  /** The next planned `Int32Array`. */
  i32(): Int32Array {
    const n = this.#i32.pop()!;
    if (this.simd === undefined) return new Int32Array(n);
    const a = new Int32Array(this.simd.memory.buffer, this.#at, n);
    this.#at += align(n * 4);
    return a;
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** The default {@linkcode CompiledMlpOptions.rowsPerPass} for `model`. */
function defaultRowsPerPass(model: Mlp): number {
  const width = model.nin + model.nouts.reduce((a, b) => a + b, 0);
  return Math.max(1, Math.floor(2 ** 22 / width));
}

/** The most inputs and outputs a batch may hold in all (2^28 numbers, 2 GiB). */
const MAX_BATCH_NUMBERS = 2 ** 28;

/** What {@linkcode CompiledMlp}'s constructor lays out, checked. */
interface Plan {
  /** The model's outputs. */
  k: number;
  /** The layers' widths, inputs first. */
  sizes: number[];
  /** Where each layer's parameters start, and how many there are in all. */
  offsets: number[];
  count: number;
  /** Samples per pass. */
  rows: number;
  problem: Problem;
  loss: LossName;
  penalties: [Penalty, number][];
  simd: boolean;
  /** Threads a step runs on (1: no worker). */
  threads: number;
}

/**
 * Checks {@linkcode CompiledMlp}'s arguments and plans its layout.
 *
 * @throws {RangeError} when an option is out of range or the loss does not fit.
 * @throws {TypeError} when `simd` is not a boolean.
 */
function checkPlan(model: Mlp, batchSize: number, options: CompiledMlpOptions): Plan {
  // By shape, not instanceof: a model from another copy of the library (by URL) is one too.
  const m = model as Partial<Mlp> | null;
  if (
    typeof m !== "object" || m === null || !Array.isArray(m.layers) || !Number.isInteger(m.nin) ||
    !Array.isArray(m.nouts)
  ) {
    throw new TypeError(
      `Cannot compile the model as 'model' must be an Mlp: current value is ${
        m === null ? "null" : typeof m
      }`,
    );
  }
  // Checked before the arrays are laid out: a mistyped size fails at once.
  if (
    !Number.isInteger(batchSize) || batchSize < 1 ||
    batchSize * (model.nin + model.nouts[model.nouts.length - 1]) > MAX_BATCH_NUMBERS
  ) {
    throw new RangeError(
      `Cannot compile the model as 'batchSize' must be a positive integer with at most ${MAX_BATCH_NUMBERS} inputs and outputs in all: current value is ${batchSize}`,
    );
  }
  const k = model.nouts[model.nouts.length - 1];
  const problem = options.problem ?? "classification";
  if (problem !== "classification" && problem !== "regression") {
    throw new RangeError(
      `Cannot compile the model as 'problem' must be classification or regression: current value is ${
        JSON.stringify(problem)
      }`,
    );
  }
  const loss = checkLoss(options.loss ?? defaultLoss(k, problem), k, problem);
  const penalties: [Penalty, number][] = [];
  for (const name of ["l2", "l1"] as const) {
    const alpha = options[name] ?? 0;
    if (!(alpha >= 0 && Number.isFinite(alpha))) {
      throw new RangeError(
        `Cannot compile the model as '${name}' must be a finite number >= 0: current value is ${alpha}`,
      );
    }
    if (alpha > 0) penalties.push([PENALTIES[name], alpha]);
  }
  const rows = Math.min(batchSize, options.rowsPerPass ?? defaultRowsPerPass(model));
  if (!Number.isInteger(rows) || rows < 1) {
    throw new RangeError(
      `Cannot compile the model as 'rowsPerPass' must be a positive integer: current value is ${options.rowsPerPass}`,
    );
  }
  const simd = options.simd ?? true;
  if (typeof simd !== "boolean") {
    throw new TypeError(
      `Cannot compile the model as 'simd' must be true or false: current value is ${
        JSON.stringify(simd)
      }`,
    );
  }
  const sizes = [model.nin, ...model.nouts];
  const offsets: number[] = [];
  let count = 0;
  let work = 0;
  for (let l = 1; l < sizes.length; l++) {
    offsets.push(count);
    count += sizes[l] * (sizes[l - 1] + 1);
    work = Math.max(work, rows * sizes[l] * sizes[l - 1]);
  }
  const threads = checkThreads(options.threads ?? 1, work, simd);
  return { k, sizes, offsets, count, rows, problem, loss, penalties, simd, threads };
}

/**
 * The threads a step runs on: `threads` (an integer from 1 to
 * {@linkcode MAX_THREADS}, or `"auto"`), or 1 where threads cannot run.
 */
function checkThreads(threads: number | "auto", work: number, simd: boolean): number {
  if (
    threads !== "auto" && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)
  ) {
    throw new RangeError(
      `Cannot compile the model as 'threads' must be an integer from 1 to ${MAX_THREADS}, or auto: current value is ${
        JSON.stringify(threads)
      }`,
    );
  }
  const n = threadCount(threads, work);
  return n > 1 && simd && threadsAvailable() ? n : 1;
}

/** `loss`, if it is a loss that fits `k` outputs for `problem`; else a `RangeError`. */
function checkLoss(loss: LossName, k: number, problem: Problem): LossName {
  if (!Object.hasOwn(LOSS_FUNCTIONS, loss)) {
    throw new RangeError(
      `Cannot compile the model as 'loss' must be one of ${
        LOSS_NAMES.join(", ")
      }: current value is ${JSON.stringify(loss)}`,
    );
  }
  if (!LOSS_FUNCTIONS[loss].fits(k, problem)) {
    throw new RangeError(
      `Cannot compile the model as the '${loss}' loss does not fit ${k} output(s) for ${problem}: current value is ${
        JSON.stringify(loss)
      }`,
    );
  }
  return loss;
}

/** The arena of the arrays the kernels read and write, in the order the constructor takes them. */
function planArena(plan: Plan, batchSize: number): Arena {
  const { count, sizes, k, rows } = plan;
  const width = Math.max(...sizes);
  return new Arena(
    [
      count, // p
      count, // g
      count, // wt
      sizes[0] * batchSize, // x
      k * batchSize, // out
      k * batchSize, // gout
      ...sizes.slice(1).map((n) => n * rows), // d, per layer
      ...sizes.slice(1, -1).map((n) => n * rows), // a, per hidden layer
      width * rows, // ga
      width * rows, // gb
    ],
    [k * batchSize, rows], // order, rows
    plan.simd,
    plan.threads > 1,
  );
}

/** The passes of `rows` samples over a batch, with their views of the batch-wide arrays. */
function passesOf(
  rows: number,
  batchSize: number,
  nin: number,
  k: number,
  x: Float64Array,
  out: Float64Array,
  gout: Float64Array,
  order: Int32Array,
): Pass[] {
  const passes: Pass[] = [];
  for (let start = 0; start < batchSize; start += rows) {
    const end = Math.min(batchSize, start + rows);
    passes.push({
      start,
      rows: end - start,
      x: x.subarray(start * nin, end * nin),
      out: out.subarray(start * k, end * k),
      gout: gout.subarray(start * k, end * k),
      order: order.subarray(start * k, end * k),
    });
  }
  return passes;
}

/**
 * An {@linkcode Mlp} with a loss, compiled for batches of `batchSize`
 * samples. `forward()` reads the model's current parameters, `backward()`
 * adds the gradients into each parameter's `grad`, as `Value.backward()`
 * does; optimizers then update the model as usual.
 *
 * With `syncModel: false` (what `trainSteps` uses) the parameters live in
 * the flat arrays instead, in the layouts the kernels read: `forward()` and
 * `backward()` leave the `Value`s alone, `step(optimizer)` updates the flat
 * parameters from the flat grads (`optimizer.stepArrays()`, the floats of
 * `optimizer.step()`), and two calls sync them with the model:
 * `writeModel()` (flat into `Value`s: data, and the latest grads) when
 * someone is about to look at the model, `readModel()` (`Value`s into flat)
 * after someone changed it.
 *
 * @example Same loss and grads as the Value graph
 * ```ts
 * import assert from "node:assert/strict";
 * import { classificationLoss, CompiledMlp, Mlp } from "../../mod.ts";
 * const model = new Mlp(2, [8, 1], { seed: 3 });
 * const x = [[0.5, -1], [2, 0.25]];
 * const y = [1, 0];
 * const compiled = new CompiledMlp(model, 2, { loss: "svm" });
 * const loss = compiled.forward(x, y);
 * compiled.backward();
 * const grads = model.parameters().map((p) => p.grad);
 * model.zeroGrad();
 * const graph = classificationLoss(x.map((xi) => model.forward(xi)), y, { loss: "svm" });
 * graph.backward();
 * assert.equal(loss, graph.data);
 * assert.deepEqual(grads, model.parameters().map((p) => p.grad));
 * ```
 *
 * @example Parameters in flat arrays, synced with the model when asked
 * ```ts
 * import assert from "node:assert/strict";
 * import { CompiledMlp, Mlp, Sgd } from "../../mod.ts";
 * const model = new Mlp(2, [8, 1], { seed: 3 });
 * const x = [[0.5, -1], [2, 0.25]];
 * const compiled = new CompiledMlp(model, 2, { loss: "mse", syncModel: false });
 * const optimizer = new Sgd(model.parameters(), { lr: 0.1 });
 * const before = model.toJSON();
 * for (let step = 0; step < 5; step++) {
 *   compiled.forward(x, [1, -1]);
 *   compiled.backward();
 *   compiled.step(optimizer);
 * }
 * assert.deepEqual(model.toJSON(), before); // the Values wait
 * compiled.writeModel(); // until someone looks
 * assert.notDeepEqual(model.toJSON(), before);
 * ```
 */
export class CompiledMlp {
  /** Samples per batch. */
  readonly batchSize: number;
  /** The loss. */
  readonly loss: LossName;
  /** What the labels are. */
  readonly problem: Problem;
  /** Weight of the L2 penalty. */
  readonly l2: number;
  /** Weight of the L1 penalty. */
  readonly l1: number;
  /**
   * Which matrix kernels run: `"wasm-simd"` (WebAssembly SIMD, with the JS
   * kernels for the remainders of its blocks) or `"js"` (the JS kernels only).
   */
  readonly kernels: "wasm-simd" | "js";
  /**
   * Threads a step runs on: {@linkcode CompiledMlpOptions.threads} where
   * worker threads can run, else 1.
   */
  readonly threads: number;
  /** The most threads a kernel call of the latest step ran on (1 until the workers start). */
  get threadsUsed(): number {
    return this.#used;
  }
  /** The latest total loss (penalties included), from `forward()`. */
  get total(): number {
    return this.#total;
  }
  /** The latest data loss (no penalty), from `forward()`. */
  get dataLoss(): number {
    return this.#dataLoss;
  }
  /** The latest batch accuracy, from `forward()` (classification; NaN for regression). */
  get accuracy(): number {
    return this.#accuracy;
  }
  /** The latest batch mean squared error, from `forward()` (regression; NaN for classification). */
  get mse(): number {
    return this.#mse;
  }
  /** The latest batch R^2, from `forward()` (regression; NaN for classification). */
  get r2(): number {
    return this.#r2;
  }

  readonly #params: readonly Value[];
  readonly #lossFn: LossFunction;
  // The penalties in the order the loss adds them, with their weights.
  readonly #penalties: readonly [Penalty, number][];
  readonly #acts: readonly ActivationFunction[];
  readonly #p: Float64Array;
  readonly #g: Float64Array;
  // The SIMD kernels, and each layer's weights transposed for them, biases last.
  readonly #simd: SimdKernels | undefined;
  // The worker threads that take ranges of the SIMD kernels' calls, if any.
  readonly #pool: ThreadPool | undefined;
  #used = 1;
  readonly #wt: Float64Array;
  readonly #sizes: Int32Array;
  readonly #offsets: Int32Array;
  readonly #nin: number;
  readonly #k: number;
  // The whole batch's inputs and outputs, batch-major.
  readonly #x: Float64Array;
  readonly #out: Float64Array;
  // The passes: each one's first row and its views of the batch-wide arrays.
  readonly #passes: readonly Pass[];
  // Per hidden layer, for one pass: the activations A and the local
  // derivative D of each activation, batch-major (D also for the last layer).
  readonly #a: Float64Array[];
  readonly #d: Float64Array[];
  // The pass whose activations A and D hold.
  #current = -1;
  // Per sample: the loss's label form (see LossFunction.label).
  readonly #lab: Float64Array;
  // Per sample: the class that accuracy compares with (a -1 label is class 0).
  readonly #cls: Float64Array;
  // Per sample, per output: the grad of each output after the loss's backward.
  readonly #gout: Float64Array;
  // Per sample scratch of the loss (hinge pre-activations, lse, mse diffs ...).
  readonly #aux: Float64Array;
  // The samples of a pass that the backward pass goes through.
  readonly #rows: Int32Array;
  // Two scratch arrays for one pass: the grads of one layer's sums or inputs.
  readonly #ga: Float64Array;
  readonly #gb: Float64Array;
  // Reverse topological order of the last layer's neurons, per sample (k each).
  readonly #order: Int32Array;
  // Whether forward() reads the Values and backward() writes their grads.
  readonly #syncModel: boolean;
  // Whether #g holds the grads of a backward pass.
  #hasGrads = false;
  #total = NaN;
  #dataLoss = NaN;
  #accuracy = NaN;
  #mse = NaN;
  #r2 = NaN;

  /**
   * Lays out the program for `model` and batches of `batchSize` samples.
   *
   * @throws {RangeError} when `batchSize` is not a positive integer, the loss
   * does not fit the model's outputs or the problem, or a penalty is negative.
   * @throws {TypeError} when `simd` is not a boolean.
   */
  constructor(model: Mlp, batchSize: number, options: CompiledMlpOptions = {}) {
    const plan = checkPlan(model, batchSize, options);
    const { k, sizes, rows } = plan;
    this.batchSize = batchSize;
    this.loss = plan.loss;
    this.problem = plan.problem;
    this.l2 = options.l2 ?? 0;
    this.l1 = options.l1 ?? 0;
    this.#lossFn = LOSS_FUNCTIONS[plan.loss];
    this.#penalties = plan.penalties;
    this.#params = model.parameters();
    this.#sizes = Int32Array.from(sizes);
    this.#acts = model.layers.map((layer) => ACTIVATION_FUNCTIONS[layer.neurons[0].activation]);
    this.#offsets = Int32Array.from(plan.offsets);
    this.#nin = model.nin;
    this.#k = k;
    const arena = planArena(plan, batchSize);
    this.#simd = arena.simd;
    this.kernels = arena.simd === undefined ? "js" : "wasm-simd";
    this.#pool = startPool(arena.simd, plan.threads);
    this.threads = this.#pool?.size ?? 1;
    if (this.#pool !== undefined) FORGOTTEN.register(this, this.#pool);
    this.#p = arena.f64();
    this.#g = arena.f64();
    this.#wt = arena.f64(true);
    this.#x = arena.f64();
    this.#out = arena.f64();
    this.#lab = new Float64Array(batchSize);
    this.#cls = new Float64Array(batchSize);
    this.#gout = arena.f64();
    this.#aux = new Float64Array(k * batchSize);
    this.#order = arena.i32();
    this.#passes = passesOf(
      rows,
      batchSize,
      model.nin,
      k,
      this.#x,
      this.#out,
      this.#gout,
      this.#order,
    );
    this.#d = sizes.map((_, l) => l === 0 ? new Float64Array(0) : arena.f64());
    this.#a = sizes.map((_, l) =>
      l === 0 || l === sizes.length - 1 ? new Float64Array(0) : arena.f64()
    );
    this.#ga = arena.f64();
    this.#gb = arena.f64();
    this.#rows = arena.i32();
    this.#syncModel = options.syncModel ?? true;
    if (!this.#syncModel) this.readModel();
  }

  /** Resolves once the worker threads have started (at once without threads). */
  async threadsReady(): Promise<void> {
    await this.#pool?.whenReady();
  }

  /** Stops the worker threads, if any; the model then runs on the calling thread. */
  dispose(): void {
    this.#pool?.dispose();
  }

  /** Calls {@linkcode CompiledMlp.dispose}. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * SIMD kernel `name` over `[0, total)`, split over the threads (in whole
   * `unit`s, by `args(start, count)`) when it does `work` multiply-adds or more.
   */
  #call(
    name: KernelName,
    total: number,
    unit: number,
    work: number,
    args: (start: number, count: number) => number[],
  ): void {
    if (this.#pool === undefined) {
      (this.#simd![name] as (...a: number[]) => void)(...args(0, total));
    } else this.#used = Math.max(this.#used, this.#pool.run(name, total, unit, work, args));
  }

  /**
   * Runs the forward pass and the loss on one batch with the model's current
   * parameters, and returns the total loss (penalties included).
   *
   * @throws {RangeError} when the batch does not have `batchSize` rows of
   * `nin` features, or a label does not fit the loss (same messages as the
   * `Value` losses).
   */
  forward(x: readonly (readonly number[])[], y: readonly number[]): number {
    const n = this.batchSize;
    if (x.length !== n || y.length !== n) {
      throw new RangeError(
        `Cannot run the compiled model as the batch must have ${n} samples and labels: current lengths are ${x.length} and ${y.length}`,
      );
    }
    this.#readLabels(y);
    this.#used = 1;
    this.#load(x);
    for (let c = 0; c < this.#passes.length; c++) this.#run(c);
    const out = this.#out;
    const dataLoss = this.#lossFn.forward(out, this.#lab, this.#aux, n, this.#k) * (1 / n);
    let total = dataLoss;
    for (const [penalty, alpha] of this.#penalties) total = total + penalty.forward(this.#p, alpha);
    this.#dataLoss = dataLoss;
    this.#total = total;
    if (this.problem === "regression") {
      this.#mse = meanSquaredError(out, this.#lab);
      this.#r2 = r2Score(out, this.#lab);
    } else this.#accuracy = countCorrect(out, this.#k, this.#cls, n) / n;
    return total;
  }

  /**
   * The model's outputs on one batch with its current parameters, no loss:
   * row `s` is `out[s * k]` to `out[s * k + k - 1]` for `k` outputs. The
   * numbers are bit for bit those of `model.predict()`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CompiledMlp, Mlp } from "../../mod.ts";
   * const model = new Mlp(2, [4, 3], { seed: 1 });
   * const out = new CompiledMlp(model, 2).predict([[0.5, 1], [-1, 2]]);
   * assert.deepEqual(Array.from(out.subarray(3, 6)), model.predict([-1, 2]));
   * ```
   *
   * @throws {RangeError} when the batch does not have `batchSize` rows of `nin` features.
   */
  predict(x: readonly (readonly number[])[]): Float64Array {
    if (x.length !== this.batchSize) {
      throw new RangeError(
        `Cannot run the compiled model as the batch must have ${this.batchSize} samples: current length is ${x.length}`,
      );
    }
    this.#load(x);
    for (let c = 0; c < this.#passes.length; c++) this.#run(c);
    return this.#out.slice();
  }

  /** Loads the batch's inputs and the model's parameters. */
  #load(x: readonly (readonly number[])[]): void {
    const n = this.batchSize;
    const nin = this.#nin;
    const xs = this.#x;
    for (let s = 0; s < n; s++) {
      const row = x[s];
      if (!Array.isArray(row)) {
        throw new TypeError(
          `Cannot run the model as 'x[${s}]' must be an array of ${nin} numbers: current value is ${typeof row}`,
        );
      }
      if (row.length !== nin) {
        throw new RangeError(
          `Cannot run the model as the input must have ${nin} features: current length is ${row.length}`,
        );
      }
      for (let i = 0; i < nin; i++) {
        const v = row[i];
        // A string (or anything else not a number) would give NaN outputs without a word.
        if (typeof v !== "number") {
          throw new TypeError(
            `Cannot run the model as 'x[${s}][${i}]' must be a number: current value is ${
              typeof v === "string" ? JSON.stringify((v as string).slice(0, 40)) : typeof v
            }`,
          );
        }
        xs[s * nin + i] = v;
      }
    }
    if (this.#syncModel) this.readModel();
  }

  /**
   * Reads the model's parameters, the `Value`s, into the flat arrays: the
   * next `forward()` runs with them. Call it after changing a `Value` from
   * outside (a weight set by hand, weights loaded) when `syncModel` is false.
   */
  readModel(): void {
    const params = this.#params;
    const p = this.#p;
    for (let i = 0; i < p.length; i++) p[i] = params[i].data;
    this.#pack();
  }

  /**
   * Writes the flat arrays' parameters into the model's `Value`s, and the
   * grads of the latest `backward()` (if any) into their `grad`s, so that
   * whoever reads the model (a snapshot, `toJSON()`, `predict()`) sees the
   * parameters the compiled model trains. Only needed when `syncModel` is
   * false.
   */
  writeModel(): void {
    const params = this.#params;
    const p = this.#p;
    const g = this.#g;
    for (let i = 0; i < p.length; i++) {
      const v = params[i];
      v.data = p[i];
      if (this.#hasGrads) v.grad = g[i];
    }
  }

  /**
   * Updates the flat arrays' parameters with `optimizer`, from the grads of
   * the latest `backward()`: `optimizer.stepArrays()`, the same floats as
   * `optimizer.step()` on the `Value`s. For `syncModel: false`, where the
   * `Value`s are left alone (see `writeModel()`).
   *
   * @throws {RangeError} when the optimizer was made over another number of parameters.
   */
  step(optimizer: Optimizer): void {
    optimizer.stepArrays(this.#p, this.#g);
    this.#pack();
  }

  /**
   * Copies the parameters of `from`, a compiled model of the same layers
   * (say, the one that trains, for this one that evaluates), into the flat
   * arrays: the next `forward()` runs with them.
   *
   * @throws {RangeError} when `from` has another number of parameters.
   */
  copyParams(from: CompiledMlp): void {
    if (from.#p.length !== this.#p.length) {
      throw new RangeError(
        `Cannot copy the parameters as the models must have ${this.#p.length} parameters: current count is ${from.#p.length}`,
      );
    }
    this.#p.set(from.#p);
    if (this.#simd !== undefined && from.#simd !== undefined) this.#wt.set(from.#wt);
    else this.#pack();
  }

  /** Lays out each layer's weights transposed for the SIMD forward kernel, biases last. */
  #pack(): void {
    if (this.#simd === undefined) return;
    const p = this.#p;
    const sizes = this.#sizes;
    const wt = this.#wt;
    for (let l = 1; l < sizes.length; l++) {
      const nin = sizes[l - 1];
      const nout = sizes[l];
      const base = this.#offsets[l - 1];
      // Blocks of 8 neurons: 8 streams read, one cache line written per input.
      for (let j0 = 0; j0 < nout; j0 += 8) {
        const j1 = Math.min(nout, j0 + 8);
        for (let i = 0; i <= nin; i++) {
          const t = base + i * nout;
          for (let j = j0; j < j1; j++) wt[t + j] = p[base + j * (nin + 1) + i];
        }
      }
    }
  }

  /** Runs every layer on pass `c`'s rows, with the loaded inputs and parameters. */
  #run(c: number): void {
    const pass = this.#passes[c];
    const sizes = this.#sizes;
    const last = sizes.length - 1;
    const simd = this.#simd;
    const n = pass.rows;
    let xin = pass.x;
    for (let l = 1; l <= last; l++) {
      const out = l === last ? pass.out : this.#a[l];
      const nin = sizes[l - 1];
      const nout = sizes[l];
      const base = this.#offsets[l - 1];
      if (simd === undefined) forwardLayer(this.#p, base, xin, nin, out, nout, 0, n, 0);
      else {
        // SIMD for blocks of 4 samples x 4 (or 2) neurons, JS for the rest.
        const ns = n - n % 4;
        const nj = nout - nout % 2;
        const wt = this.#wt.byteOffset + base * 8;
        const [xb, zb] = [xin.byteOffset, out.byteOffset];
        // Split by sample, 4 at a time.
        this.#call("forward", ns, 4, ns * nj * nin, (s, c) => {
          return [wt, xb + s * nin * 8, zb + s * nout * 8, nin, nout, c, nj];
        });
        forwardLayer(this.#p, base, xin, nin, out, nout, 0, ns, nj);
        forwardLayer(this.#p, base, xin, nin, out, nout, ns, n, 0);
      }
      const act = this.#acts[l - 1];
      const size = n * nout;
      if (simd !== undefined && act.simdTwin !== undefined) {
        // The SIMD twin for pairs, the kernel for an odd last one.
        const even = size - size % 2;
        const [zb, db] = [out.byteOffset, this.#d[l].byteOffset];
        this.#call(act.simdTwin, even, 2, even, (e, c) => [zb + e * 8, db + e * 8, c]);
        if (even < size) act.kernel(out.subarray(even), this.#d[l].subarray(even), 1);
      } else act.kernel(out, this.#d[l], size);
      xin = out;
    }
    this.#current = c;
  }

  /**
   * Adds d(total loss)/d(parameter) of the latest `forward()` into each
   * parameter's `grad`, exactly as `Value.backward()` on the same graph does.
   */
  backward(): void {
    const g = this.#g;
    const p = this.#p;
    g.fill(0);
    // The penalties go backward first, the last added first.
    for (let i = this.#penalties.length - 1; i >= 0; i--) {
      const [penalty, alpha] = this.#penalties[i];
      penalty.backward(p, alpha, g);
    }
    this.#gout.fill(0);
    const n = this.batchSize;
    const k = this.#k;
    this.#lossFn.backward(this.#out, this.#lab, this.#aux, this.#gout, this.#order, n, k);
    // The last pass first, as Value.backward() meets the samples last first;
    // a pass whose activations were overwritten runs forward again.
    for (let c = this.#passes.length - 1; c >= 0; c--) {
      if (this.#current !== c) this.#run(c);
      this.#backwardLayers(this.#passes[c]);
    }
    this.#hasGrads = true;
    if (!this.#syncModel) return;
    const params = this.#params;
    for (let i = 0; i < g.length; i++) params[i].grad += g[i];
  }

  #readLabels(y: readonly number[]): void {
    const lab = this.#lab;
    const k = this.#k;
    const loss = this.#lossFn;
    const problem = this.problem;
    for (let s = 0; s < y.length; s++) {
      const ys = y[s];
      lab[s] = loss.label(ys, s, k, problem);
      this.#cls[s] = ys === -1 ? 0 : ys;
    }
  }

  /**
   * The layers' backward pass, layer by layer from the last. Each weight's
   * grad adds one term per sample, last sample first, and each input's grad
   * one term per neuron, in the order `Value.backward()` meets the neurons.
   */
  #backwardLayers(pass: Pass): void {
    const sizes = this.#sizes;
    const p = this.#p;
    const g = this.#g;
    const last = sizes.length - 1;
    const rows = this.#rows;
    const simd = this.#simd;
    const m = this.#activeRows(pass);
    if (m === 0) return;
    // gz: the grads of a layer's sums; gx: of its inputs, which become ga,
    // the grads of the previous layer's outputs; all three for the active
    // rows only, packed.
    const gz = this.#ga;
    const gx = this.#gb;
    const k = sizes[last];
    for (let t = 0; t < m; t++) {
      for (let j = 0; j < k; j++) gx[t * k + j] = pass.gout[rows[t] * k + j];
    }
    const ga = gx;
    for (let l = last; l >= 1; l--) {
      const nin = sizes[l - 1];
      const nout = sizes[l];
      const base = this.#offsets[l - 1];
      const der = this.#d[l];
      for (let t = 0; t < m; t++) {
        const s = rows[t] * nout;
        const at = t * nout;
        for (let j = 0; j < nout; j++) gz[at + j] = der[s + j] * ga[at + j];
      }
      const x = l === 1 ? pass.x : this.#a[l - 1];
      if (simd === undefined) weightGrads(g, base, x, nin, gz, nout, rows, m, 0, false);
      else {
        // SIMD for blocks of 2 neurons x 8 (or 2) inputs and their biases, JS for the rest.
        const ni = nin - nin % 2;
        const nj = nout - nout % 2;
        const gb = g.byteOffset + base * 8;
        const zb = gz.byteOffset;
        const [xb, rb, stride] = [x.byteOffset, rows.byteOffset, (nin + 1) * 8];
        // Split by neuron, 2 at a time.
        this.#call("weightGrads", nj, 2, nj * ni * m, (j, c) => {
          return [gb + j * stride, xb, rb, zb + j * 8, nin, nout, c, ni, m];
        });
        this.#call("biasGrads", nj, 2, nj * m, (j, c) => {
          return [gb + j * stride, zb + j * 8, nin, nout, c, m];
        });
        weightGrads(g, base, x, nin, gz, nout, rows, m, ni, true);
      }
      if (l === 1) break;
      const ni = simd === undefined ? 0 : nin - nin % 2;
      const w = p.byteOffset + base * 8;
      const [zb, xb] = [gz.byteOffset, gx.byteOffset];
      if (l === last) {
        // Split by sample.
        const [rb, ob] = [rows.byteOffset, pass.order.byteOffset];
        if (simd !== undefined) {
          this.#call("orderedInputGrads", m, 1, m * ni * nout, (s, c) => {
            return [w, zb + s * nout * 8, xb + s * nin * 8, nin, nout, rb + s * 4, ob, c, ni];
          });
        }
        if (ni < nin) orderedInputGrads(p, base, gz, nout, gx, nin, rows, m, pass.order, ni);
      } else {
        // SIMD for blocks of 2 samples x 8 (or 2) inputs, JS for the rest.
        const ns = simd === undefined ? 0 : m - m % 2;
        if (simd !== undefined) {
          // Split by sample, 2 at a time.
          this.#call("inputGrads", ns, 2, ns * ni * nout, (s, c) => {
            return [w, zb + s * nout * 8, xb + s * nin * 8, nin, nout, c, ni];
          });
        }
        inputGrads(p, base, gz, nout, gx, nin, m, ns, ni);
      }
    }
  }

  /**
   * Lists in `#rows` the pass's samples whose output grads are not all 0,
   * and returns how many. A sample whose output grads are all 0 adds only
   * zeros to every grad, so it is left out, unless a parameter or an
   * activation is not finite (then `0 * x` may be NaN, and every sample counts).
   */
  #activeRows(pass: Pass): number {
    const rows = this.#rows;
    const n = pass.rows;
    const k = this.#k;
    const gout = pass.gout;
    let m = 0;
    for (let s = 0; s < n; s++) {
      for (let j = 0; j < k; j++) {
        if (gout[s * k + j] !== 0) {
          rows[m++] = s;
          break;
        }
      }
    }
    if (m === n) return n;
    const sizes = this.#sizes;
    let finite = allFinite(this.#p) && allFinite(pass.x);
    for (let l = 1; l < sizes.length && finite; l++) {
      const size = n * sizes[l];
      if (l < sizes.length - 1) finite = allFinite(this.#a[l].subarray(0, size));
      if (finite) finite = allFinite(this.#d[l].subarray(0, size));
    }
    if (finite) return m;
    for (let t = 0; t < n; t++) rows[t] = t;
    return n;
  }
}

/** Stops the workers of a model collected without `dispose()` (when the collector gets to it). */
const FORGOTTEN = new FinalizationRegistry((pool: ThreadPool) => pool.dispose());

/** The worker threads of a model that runs on `threads` threads, if they can start. */
function startPool(simd: SimdKernels | undefined, threads: number): ThreadPool | undefined {
  if (simd === undefined || threads < 2) return undefined;
  try {
    return new ThreadPool(simd, threads);
  } catch {
    // No worker from this script's URL (a bundle started from a Blob URL): one thread.
    return undefined;
  }
}

/** Whether every number of `a` is finite. */
function allFinite(a: Float64Array): boolean {
  // x * 0 is 0 for a finite x and NaN for the rest; four sums run at once.
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  let z3 = 0;
  let i = 0;
  for (; i + 3 < a.length; i += 4) {
    z0 += a[i] * 0;
    z1 += a[i + 1] * 0;
    z2 += a[i + 2] * 0;
    z3 += a[i + 3] * 0;
  }
  for (; i < a.length; i++) z0 += a[i] * 0;
  return z0 + z1 + z2 + z3 === 0;
}

// The kernels. Each sum keeps the graph's order (a neuron's sum starts from
// its bias and adds w * x input by input; a weight's grad adds one term per
// sample, last sample first; an input's grad adds one term per neuron, last
// neuron first) and no sum is split or reordered: the speed comes from
// computing several independent sums at once (register blocking: blocks of
// outputs x samples held in locals) and cache blocking (a weight's grad
// stored after each chunk of samples and continued by the next, the same
// terms in the same order), never from reassociating one.

/**
 * One layer's weighted sums: `z[s * nout + j] = b_j + sum_i w_ji * x[s * nin + i]`,
 * where neuron j's weights start at `p[base + j * (nin + 1)]` and its bias follows them,
 * for samples `[from, to)` and neurons `[j0, nout)`. Blocks of 4 neurons x 2 samples.
 */
function forwardLayer(
  p: Float64Array,
  base: number,
  x: Float64Array,
  nin: number,
  z: Float64Array,
  nout: number,
  from: number,
  to: number,
  j0: number,
): void {
  const stride = nin + 1;
  const n = to;
  let s = from;
  for (; s + 1 < n; s += 2) {
    const x0 = s * nin;
    const x1 = x0 + nin;
    const z0 = s * nout;
    const z1 = z0 + nout;
    let j = j0;
    for (; j + 3 < nout; j += 4) {
      const o0 = base + j * stride;
      const o1 = o0 + stride;
      const o2 = o1 + stride;
      const o3 = o2 + stride;
      let a0 = p[o0 + nin];
      let a1 = p[o1 + nin];
      let a2 = p[o2 + nin];
      let a3 = p[o3 + nin];
      let b0 = a0;
      let b1 = a1;
      let b2 = a2;
      let b3 = a3;
      for (let i = 0; i < nin; i++) {
        const u = x[x0 + i];
        const v = x[x1 + i];
        const w0 = p[o0 + i];
        const w1 = p[o1 + i];
        const w2 = p[o2 + i];
        const w3 = p[o3 + i];
        a0 += w0 * u;
        a1 += w1 * u;
        a2 += w2 * u;
        a3 += w3 * u;
        b0 += w0 * v;
        b1 += w1 * v;
        b2 += w2 * v;
        b3 += w3 * v;
      }
      z[z0 + j] = a0;
      z[z0 + j + 1] = a1;
      z[z0 + j + 2] = a2;
      z[z0 + j + 3] = a3;
      z[z1 + j] = b0;
      z[z1 + j + 1] = b1;
      z[z1 + j + 2] = b2;
      z[z1 + j + 3] = b3;
    }
    for (; j < nout; j++) {
      const o = base + j * stride;
      let a = p[o + nin];
      let b = a;
      for (let i = 0; i < nin; i++) {
        const w = p[o + i];
        a += w * x[x0 + i];
        b += w * x[x1 + i];
      }
      z[z0 + j] = a;
      z[z1 + j] = b;
    }
  }
  if (s < n) forwardSample(p, base, x, nin, z, nout, s, j0);
}

/** {@linkcode forwardLayer} for the one sample `s` left over by its pairs of samples. */
function forwardSample(
  p: Float64Array,
  base: number,
  x: Float64Array,
  nin: number,
  z: Float64Array,
  nout: number,
  s: number,
  j0: number,
): void {
  const stride = nin + 1;
  const x0 = s * nin;
  for (let j = j0; j < nout; j++) {
    const o = base + j * stride;
    let a = p[o + nin];
    for (let i = 0; i < nin; i++) a += p[o + i] * x[x0 + i];
    z[s * nout + j] = a;
  }
}

/**
 * Adds each sample's terms into one layer's weight and bias grads, last
 * sample first: `g[w_ji] += x[rows[t], i] * gz[t, j]` and `g[b_j] += gz[t, j]`
 * for the `n` samples `rows[t]` (ascending), whose sums' grads `gz` are packed,
 * but for the inputs `[0, done)` of each pair of neurons, and their biases
 * when `pairBiases` says they are done. The samples go in chunks that fit in
 * L2, the last chunk first; each grad is stored after a chunk and goes on
 * with the next one's terms, so its terms are still added one by one, last
 * sample first.
 */
function weightGrads(
  g: Float64Array,
  base: number,
  x: Float64Array,
  nin: number,
  gz: Float64Array,
  nout: number,
  rows: Int32Array,
  n: number,
  done: number,
  pairBiases: boolean,
): void {
  const chunk = Math.max(1, Math.floor(32768 / (nin + nout)));
  for (let hi = n; hi > 0; hi -= chunk) {
    const lo = Math.max(0, hi - chunk);
    weightGradsChunk(g, base, x, nin, gz, nout, rows, lo, hi, done, pairBiases);
    if (nout % 2 === 1) lastWeightGrads(g, base, x, nin, gz, nout, rows, lo, hi, nout - 1);
  }
}

/**
 * {@linkcode weightGrads} for the samples `[lo, hi)` and the pairs of
 * neurons. Blocks of 2 neurons x 4 inputs.
 */
function weightGradsChunk(
  g: Float64Array,
  base: number,
  x: Float64Array,
  nin: number,
  gz: Float64Array,
  nout: number,
  rows: Int32Array,
  lo: number,
  hi: number,
  done: number,
  pairBiases: boolean,
): void {
  const stride = nin + 1;
  for (let j = 0; j + 1 < nout; j += 2) {
    const o0 = base + j * stride;
    const o1 = o0 + stride;
    let i = done;
    for (; i + 3 < nin; i += 4) {
      let a0 = g[o0 + i];
      let a1 = g[o0 + i + 1];
      let a2 = g[o0 + i + 2];
      let a3 = g[o0 + i + 3];
      let b0 = g[o1 + i];
      let b1 = g[o1 + i + 1];
      let b2 = g[o1 + i + 2];
      let b3 = g[o1 + i + 3];
      for (let s = hi - 1; s >= lo; s--) {
        const xs = rows[s] * nin + i;
        const zs = s * nout + j;
        const u0 = x[xs];
        const u1 = x[xs + 1];
        const u2 = x[xs + 2];
        const u3 = x[xs + 3];
        const z0 = gz[zs];
        const z1 = gz[zs + 1];
        a0 += u0 * z0;
        a1 += u1 * z0;
        a2 += u2 * z0;
        a3 += u3 * z0;
        b0 += u0 * z1;
        b1 += u1 * z1;
        b2 += u2 * z1;
        b3 += u3 * z1;
      }
      g[o0 + i] = a0;
      g[o0 + i + 1] = a1;
      g[o0 + i + 2] = a2;
      g[o0 + i + 3] = a3;
      g[o1 + i] = b0;
      g[o1 + i + 1] = b1;
      g[o1 + i + 2] = b2;
      g[o1 + i + 3] = b3;
    }
    // The last inputs, then the biases (a bias's input is 1: its term is gz itself).
    for (; i < nin; i++) {
      let a = g[o0 + i];
      let b = g[o1 + i];
      for (let s = hi - 1; s >= lo; s--) {
        const u = x[rows[s] * nin + i];
        const zs = s * nout + j;
        a += u * gz[zs];
        b += u * gz[zs + 1];
      }
      g[o0 + i] = a;
      g[o1 + i] = b;
    }
    if (pairBiases) continue;
    let c0 = g[o0 + nin];
    let c1 = g[o1 + nin];
    for (let s = hi - 1; s >= lo; s--) {
      const zs = s * nout + j;
      c0 += gz[zs];
      c1 += gz[zs + 1];
    }
    g[o0 + nin] = c0;
    g[o1 + nin] = c1;
  }
}

/**
 * {@linkcode weightGradsChunk} for neuron `j` alone (an odd layer's last),
 * all its inputs and its bias. Blocks of 4 inputs, each sample's row read in turn.
 */
function lastWeightGrads(
  g: Float64Array,
  base: number,
  x: Float64Array,
  nin: number,
  gz: Float64Array,
  nout: number,
  rows: Int32Array,
  lo: number,
  hi: number,
  j: number,
): void {
  const o = base + j * (nin + 1);
  let i = 0;
  for (; i + 3 < nin; i += 4) {
    let a0 = g[o + i];
    let a1 = g[o + i + 1];
    let a2 = g[o + i + 2];
    let a3 = g[o + i + 3];
    for (let s = hi - 1; s >= lo; s--) {
      const xs = rows[s] * nin + i;
      const z = gz[s * nout + j];
      a0 += x[xs] * z;
      a1 += x[xs + 1] * z;
      a2 += x[xs + 2] * z;
      a3 += x[xs + 3] * z;
    }
    g[o + i] = a0;
    g[o + i + 1] = a1;
    g[o + i + 2] = a2;
    g[o + i + 3] = a3;
  }
  for (; i < nin; i++) {
    let a = g[o + i];
    for (let s = hi - 1; s >= lo; s--) a += x[rows[s] * nin + i] * gz[s * nout + j];
    g[o + i] = a;
  }
  let c = g[o + nin];
  for (let s = hi - 1; s >= lo; s--) c += gz[s * nout + j];
  g[o + nin] = c;
}

/**
 * One hidden layer's input grads, per (packed) sample: `gx[t, i] = sum_j w_ji * gz[t, j]`
 * from 0, last neuron first, but for the inputs `[0, iDone)` of the samples
 * `[0, sDone)` (an even number). Blocks of 2 samples x 4 inputs.
 */
function inputGrads(
  p: Float64Array,
  base: number,
  gz: Float64Array,
  nout: number,
  gx: Float64Array,
  nin: number,
  n: number,
  sDone: number,
  iDone: number,
): void {
  const stride = nin + 1;
  let s = 0;
  for (; s + 1 < n; s += 2) {
    const z0 = s * nout;
    const z1 = z0 + nout;
    const x0 = s * nin;
    const x1 = x0 + nin;
    let i = s < sDone ? iDone : 0;
    for (; i + 3 < nin; i += 4) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let j = nout - 1; j >= 0; j--) {
        const o = base + j * stride + i;
        const u = gz[z0 + j];
        const v = gz[z1 + j];
        const w0 = p[o];
        const w1 = p[o + 1];
        const w2 = p[o + 2];
        const w3 = p[o + 3];
        a0 += w0 * u;
        a1 += w1 * u;
        a2 += w2 * u;
        a3 += w3 * u;
        b0 += w0 * v;
        b1 += w1 * v;
        b2 += w2 * v;
        b3 += w3 * v;
      }
      gx[x0 + i] = a0;
      gx[x0 + i + 1] = a1;
      gx[x0 + i + 2] = a2;
      gx[x0 + i + 3] = a3;
      gx[x1 + i] = b0;
      gx[x1 + i + 1] = b1;
      gx[x1 + i + 2] = b2;
      gx[x1 + i + 3] = b3;
    }
    for (; i < nin; i++) {
      let a = 0;
      let b = 0;
      for (let j = nout - 1; j >= 0; j--) {
        const w = p[base + j * stride + i];
        a += w * gz[z0 + j];
        b += w * gz[z1 + j];
      }
      gx[x0 + i] = a;
      gx[x1 + i] = b;
    }
  }
  for (; s < n; s++) {
    for (let i = 0; i < nin; i++) {
      let a = 0;
      for (let j = nout - 1; j >= 0; j--) a += p[base + j * stride + i] * gz[s * nout + j];
      gx[s * nin + i] = a;
    }
  }
}

/**
 * The last layer's input grads, with the neurons of each sample `rows[t]`
 * met in the order the loss's backward pass gives (`order`, `nout` per
 * sample), for the inputs `[from, nin)`.
 */
function orderedInputGrads(
  p: Float64Array,
  base: number,
  gz: Float64Array,
  nout: number,
  gx: Float64Array,
  nin: number,
  rows: Int32Array,
  n: number,
  order: Int32Array,
  from: number,
): void {
  const stride = nin + 1;
  for (let s = 0; s < n; s++) {
    const x0 = s * nin;
    const at = rows[s] * nout;
    gx.fill(0, x0 + from, x0 + nin);
    for (let r = 0; r < nout; r++) {
      const j = order[at + r];
      const o = base + j * stride;
      const u = gz[s * nout + j];
      for (let i = from; i < nin; i++) gx[x0 + i] += p[o + i] * u;
    }
  }
}
