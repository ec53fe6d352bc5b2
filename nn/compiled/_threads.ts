/**
 * Two cores, same numbers: worker threads that run the SIMD kernels over the
 * compiled model's one shared `WebAssembly.Memory`, each with its own
 * instance of the same module.
 *
 * A kernel call over a range (samples or neurons) is cut into one range per
 * thread; the calling thread writes each worker's arguments into a shared
 * `Int32Array`, wakes them (`Atomics.notify`), runs its own range, and waits
 * (`Atomics.wait`) until every worker is done: `step()` stays synchronous.
 * Every output's sum is computed whole, in order, by one thread, with the
 * same kernel, so the numbers do not depend on the thread count.
 *
 * Threads pay only for big calls: a call is split when it does at least
 * {@linkcode THREAD_MIN_WORK} multiply-adds (about 0.1 ms on one core, against
 * a wake-up and a wait of some 10 to 50 µs), and runs whole on the calling
 * thread below that. Until the workers have started (they start
 * asynchronously; a browser starts them only once the creating thread
 * returns to its event loop), every call runs on the calling thread.
 *
 * @module
 */
import { SIMD_KERNEL_NAMES, type SimdKernels } from "./_simd.ts";

/** A SIMD kernel's name. */
export type KernelName = typeof SIMD_KERNEL_NAMES[number];

/**
 * The fewest multiply-adds (or elements, for an element-wise kernel) a
 * kernel call must do to be split over threads; `auto` uses threads only
 * when a layer's forward pass over the batch is at least this big.
 */
export const THREAD_MIN_WORK: number = 2 ** 18;

/** The split threshold in force: {@linkcode THREAD_MIN_WORK}, which tests lower to split small calls. */
export const splitting: { minWork: number } = { minWork: THREAD_MIN_WORK };

/** The most threads a step runs on (`auto` takes the cores, up to this). */
export const MAX_THREADS = 64;

// The control array: the generation (bumped per job), the workers still
// busy, the workers started, a stop flag, then one slot per worker.
const GEN = 0;
const PENDING = 1;
const READY = 2;
const STOP = 3;
const SLOTS = 4;
/** Ints per worker's slot: the kernel's index, then up to 9 arguments. */
export const SLOT = 10;

/** What a worker is sent when it starts. */
export interface ThreadStart {
  /** The memory the kernels read and write. */
  memory: WebAssembly.Memory;
  /** The control array's buffer. */
  control: SharedArrayBuffer;
  /** Which slot is this worker's. */
  index: number;
}

/**
 * Whether this environment can run a step on worker threads: shared
 * memory (a page must be cross-origin isolated), workers, and a thread
 * allowed to block (a browser's main thread is not).
 */
export function threadsAvailable(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (
    typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object" ||
    typeof Worker !== "function" || g.crossOriginIsolated === false
  ) return false;
  try {
    // A browser's main thread may not wait: it throws here.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The threads a step runs on: `threads` itself, or for `auto` the cores
 * (up to {@linkcode MAX_THREADS}) when the biggest layer's forward pass
 * (`work` multiply-adds) is at least {@linkcode THREAD_MIN_WORK}, else 1.
 */
export function threadCount(threads: number | "auto", work: number): number {
  if (threads !== "auto") return threads;
  if (work < THREAD_MIN_WORK) return 1;
  const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)
    ?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(MAX_THREADS, cores));
}

/** The workers of one compiled model, and the calling thread's own kernels. */
export class ThreadPool {
  /** The threads a split call runs on, the calling thread included. */
  readonly size: number;
  readonly #simd: SimdKernels;
  readonly #workers: Worker[] = [];
  readonly #control: Int32Array<SharedArrayBuffer>;
  readonly #args: number[][];
  #disposed = false;

  /** Starts `size - 1` workers over the memory of `simd` (a shared one). */
  constructor(simd: SimdKernels, size: number) {
    this.size = size;
    this.#simd = simd;
    const control = new SharedArrayBuffer((SLOTS + SLOT * size) * 4);
    this.#control = new Int32Array(control);
    this.#args = Array.from({ length: size }, () => []);
    const url = new URL("./_thread_worker.ts", import.meta.url).href;
    for (let t = 1; t < size; t++) {
      const worker = new Worker(url, { type: "module" });
      // A worker that cannot start (no read access to its module) leaves the pool unready: one thread.
      worker.onerror = (e) => {
        e.preventDefault();
        this.dispose();
      };
      const start: ThreadStart = { memory: simd.memory, control, index: t };
      worker.postMessage(start);
      this.#workers.push(worker);
    }
  }

  /** Whether every worker has started (until then, calls run on the calling thread). */
  get ready(): boolean {
    return !this.#disposed && Atomics.load(this.#control, READY) === this.size - 1;
  }

  /** Resolves once every worker has started, or after `timeoutMs`. */
  async whenReady(timeoutMs = 30_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (!this.ready && !this.#disposed && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.ready;
  }

  /**
   * Runs kernel `name` over `[0, total)` (a multiple of `unit`), cut into
   * one range of whole units per thread; `args(start, count)` gives a
   * range's arguments. Runs whole on this thread when `work` is below
   * {@linkcode THREAD_MIN_WORK} or the workers have not started.
   *
   * @returns how many threads ran it.
   */
  run(
    name: KernelName,
    total: number,
    unit: number,
    work: number,
    args: (start: number, count: number) => number[],
  ): number {
    const units = total / unit;
    const n = Math.min(this.size, units);
    const kernel = this.#simd[name] as (...a: number[]) => void;
    if (n < 2 || work < splitting.minWork || !this.ready) {
      if (total > 0) kernel(...args(0, total));
      return 1;
    }
    const c = this.#control;
    const index = SIMD_KERNEL_NAMES.indexOf(name);
    // Thread t takes units [t * units / n, (t + 1) * units / n).
    for (let t = 0; t < n; t++) {
      const from = Math.floor(t * units / n) * unit;
      const to = Math.floor((t + 1) * units / n) * unit;
      this.#args[t] = args(from, to - from);
    }
    for (let t = 1; t < this.size; t++) {
      const at = SLOTS + SLOT * t;
      c[at] = t < n ? index : -1;
      const a = t < n ? this.#args[t] : [];
      for (let k = 0; k < a.length; k++) c[at + 1 + k] = a[k];
    }
    Atomics.store(c, PENDING, this.size - 1);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    kernel(...this.#args[0]);
    for (;;) {
      const left = Atomics.load(c, PENDING);
      if (left === 0) break;
      Atomics.wait(c, PENDING, left);
    }
    return n;
  }

  /** Stops and terminates the workers. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    Atomics.store(this.#control, STOP, 1);
    Atomics.add(this.#control, GEN, 1);
    Atomics.notify(this.#control, GEN);
    for (const worker of this.#workers) worker.terminate();
    this.#workers.length = 0;
  }
}

/**
 * A worker's loop: waits for each new generation, runs its slot's kernel
 * call, and counts itself done; returns when told to stop.
 */
export function serveKernels(start: ThreadStart, simd: SimdKernels): void {
  const c = new Int32Array(start.control);
  const at = SLOTS + SLOT * start.index;
  const kernels = SIMD_KERNEL_NAMES.map((name) => simd[name] as (...a: number[]) => void);
  let gen = Atomics.load(c, GEN);
  Atomics.add(c, READY, 1);
  // A worker told to stop before it started (terminate() may not stop a worker that is loading) returns at once.
  while (Atomics.load(c, STOP) === 0) {
    Atomics.wait(c, GEN, gen);
    gen = Atomics.load(c, GEN);
    if (Atomics.load(c, STOP) !== 0) return;
    const k = c[at];
    if (k >= 0) {
      kernels[k](
        c[at + 1],
        c[at + 2],
        c[at + 3],
        c[at + 4],
        c[at + 5],
        c[at + 6],
        c[at + 7],
        c[at + 8],
        c[at + 9],
      );
    }
    if (Atomics.sub(c, PENDING, 1) === 1) Atomics.notify(c, PENDING);
  }
}
