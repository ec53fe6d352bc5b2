/**
 * Two cores, same numbers: worker threads that run the SIMD kernels over the
 * compiled model's one shared `WebAssembly.Memory`, each with its own
 * instance of the same module.
 *
 * A kernel call over a range (samples or neurons) is cut into chunks (up to
 * {@linkcode CHUNKS_PER_THREAD} per thread) of whole blocks; the calling
 * thread writes each chunk's arguments into a shared `Int32Array`, wakes the
 * workers (`Atomics.notify`), and every thread, the calling one included,
 * claims chunks one by one (`Atomics.add` on a counter) until none is left;
 * the calling thread then waits (`Atomics.wait`) for the chunks others are
 * still running: `step()` stays synchronous, and a worker that the system
 * does not run at that moment slows nothing, its chunks being taken by the
 * others. Every output's sum is computed whole, in order, by one thread, with
 * the same kernel, so the numbers do not depend on the thread count, nor on
 * which thread takes which chunk.
 *
 * Threads pay only for big calls: a call is split when it does at least
 * {@linkcode THREAD_MIN_WORK} multiply-adds (about 0.1 ms on one core, against
 * a wake-up and a wait of some 10 to 50 µs), and runs whole on the calling
 * thread below that. Until the workers have started (they start
 * asynchronously; a browser starts them only once the creating thread
 * returns to its event loop), the calling thread takes every chunk.
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

/**
 * How calls are split: the threshold in force ({@linkcode THREAD_MIN_WORK},
 * which tests lower to split small calls), and whether the calling thread
 * takes chunks too (tests turn it off, so that the workers run every chunk).
 */
export const splitting: { minWork: number; callerTakes: boolean } = {
  minWork: THREAD_MIN_WORK,
  callerTakes: true,
};

/** The most threads a step runs on (`auto` takes the cores, up to this). */
export const MAX_THREADS = 32;

/** Chunks per thread a split call is cut into, so that a thread held up by the system slows no one. */
export const CHUNKS_PER_THREAD = 4;

// The control array: the generation (bumped per call), the workers
// started, a stop flag, the next chunk to claim, the chunks done, the
// chunks in all, the threads that took one (a bit each), then one slot per chunk.
const GEN = 0;
const READY = 1;
const STOP = 2;
const CLAIM = 3;
const DONE = 4;
const TOTAL = 5;
const USED = 6;
const TABLE = 8;
/** Ints per chunk: the kernel's index, then up to 9 arguments. */
const SLOT = 10;
/** What the claim counter holds between calls: past any chunk count. */
const CLOSED = 1 << 30;

/** What a worker is sent when it starts. */
export interface ThreadStart {
  /** The memory the kernels read and write. */
  memory: WebAssembly.Memory;
  /** The control array's buffer. */
  control: SharedArrayBuffer;
  /** Which thread this is (the calling thread is 0). */
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

type Kernel = (...args: number[]) => void;

/**
 * Claims and runs chunks of the current call until none is left, as thread
 * `index`; the last chunk done wakes the calling thread.
 */
function runChunks(c: Int32Array<SharedArrayBuffer>, kernels: Kernel[], index: number): void {
  for (;;) {
    const i = Atomics.add(c, CLAIM, 1);
    const total = Atomics.load(c, TOTAL);
    if (i >= total) return;
    const at = TABLE + SLOT * i;
    kernels[c[at]](
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
    Atomics.or(c, USED, 1 << index);
    if (Atomics.add(c, DONE, 1) + 1 === total) Atomics.notify(c, DONE);
  }
}

/** The workers of one compiled model, and the calling thread's own kernels. */
export class ThreadPool {
  /** The threads a split call runs on, the calling thread included. */
  readonly size: number;
  readonly #kernels: Kernel[];
  readonly #workers: Worker[] = [];
  readonly #control: Int32Array<SharedArrayBuffer>;
  #disposed = false;

  /** Starts `size - 1` workers over the memory of `simd` (a shared one). */
  constructor(simd: SimdKernels, size: number) {
    this.size = size;
    this.#kernels = SIMD_KERNEL_NAMES.map((name) => simd[name] as Kernel);
    const control = new SharedArrayBuffer((TABLE + SLOT * size * CHUNKS_PER_THREAD) * 4);
    this.#control = new Int32Array(control);
    this.#control[CLAIM] = CLOSED;
    const url = new URL("./_thread_worker.ts", import.meta.url).href;
    for (let t = 1; t < size; t++) {
      const worker = new Worker(url, { type: "module" });
      // A worker that cannot start (no read access to its module): the others do its share.
      worker.onerror = (e) => e.preventDefault();
      const start: ThreadStart = { memory: simd.memory, control, index: t };
      worker.postMessage(start);
      this.#workers.push(worker);
    }
  }

  /** Whether every worker has started. */
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
   * chunks of whole units that the threads claim; `args(start, count)` gives
   * a chunk's arguments. Runs whole on this thread when `work` is below
   * {@linkcode THREAD_MIN_WORK}.
   *
   * @returns how many threads took a chunk.
   */
  run(
    name: KernelName,
    total: number,
    unit: number,
    work: number,
    args: (start: number, count: number) => number[],
  ): number {
    const units = total / unit;
    const index = SIMD_KERNEL_NAMES.indexOf(name);
    if (units < 2 || work < splitting.minWork || this.#disposed) {
      if (total > 0) this.#kernels[index](...args(0, total));
      return 1;
    }
    const c = this.#control;
    const chunks = Math.min(units, this.size * CHUNKS_PER_THREAD);
    // Chunk i takes units [i * units / chunks, (i + 1) * units / chunks).
    for (let i = 0; i < chunks; i++) {
      const from = Math.floor(i * units / chunks) * unit;
      const to = Math.floor((i + 1) * units / chunks) * unit;
      const a = args(from, to - from);
      const at = TABLE + SLOT * i;
      c[at] = index;
      for (let k = 0; k < a.length; k++) c[at + 1 + k] = a[k];
    }
    Atomics.store(c, TOTAL, chunks);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, USED, 0);
    Atomics.store(c, CLAIM, 0);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    if (splitting.callerTakes) runChunks(c, this.#kernels, 0);
    for (;;) {
      const done = Atomics.load(c, DONE);
      if (done >= chunks) break;
      Atomics.wait(c, DONE, done);
    }
    // Closed: a worker that wakes late claims nothing while the next call is written.
    Atomics.store(c, CLAIM, CLOSED);
    let used = Atomics.load(c, USED) >>> 0;
    let n = 0;
    for (; used !== 0; used >>>= 1) n += used & 1;
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
 * A worker's loop: waits for each new call and claims its chunks; returns
 * when told to stop (also when told before it started: `terminate()` may
 * not stop a worker that is still loading).
 */
export function serveKernels(start: ThreadStart, simd: SimdKernels): void {
  const c = new Int32Array(start.control);
  const kernels = SIMD_KERNEL_NAMES.map((name) => simd[name] as Kernel);
  let gen = Atomics.load(c, GEN);
  Atomics.add(c, READY, 1);
  while (Atomics.load(c, STOP) === 0) {
    runChunks(c, kernels, start.index);
    Atomics.wait(c, GEN, gen);
    gen = Atomics.load(c, GEN);
  }
}
