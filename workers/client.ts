/**
 * Runs the training worker from the main thread: start it with no
 * permissions, pass progress on, cancel it on an abort signal, and resolve
 * with its last word.
 *
 * @module
 */
import {
  type DoneMessage,
  type ErrorMessage,
  parseFromWorker,
  type ProgressMessage,
  type SnapshotMessage,
  type StartMessage,
  type Step,
  type ToWorker,
  warmUpSchemas,
} from "./protocol.ts";

/** Options for {@linkcode trainInWorker}. */
export interface TrainInWorkerOptions {
  /** Called with each progress message. */
  onProgress?: (message: ProgressMessage) => void;
  /** Called with each snapshot of the model (sent when the start message's `watch` asks). */
  onSnapshot?: (message: SnapshotMessage) => void;
  /** Aborting it asks the worker to stop after its current step and send what it has. */
  signal?: AbortSignal;
  /**
   * A worker from {@linkcode spawnTrainer}, started early so its start-up
   * overlaps other work; by default a fresh one. It is terminated at the end.
   */
  worker?: Worker;
}

/**
 * Starts the training worker as a module worker with no permissions (Deno
 * needs `--unstable-worker-options` for that), ready for {@linkcode trainInWorker}.
 */
export function spawnTrainer(): Worker {
  const worker = new Worker(new URL("./trainer.ts", import.meta.url), {
    type: "module",
    deno: { permissions: "none" },
  } as WorkerOptions);
  // While the worker loads, get the checks of its messages ready here too.
  warmUpSchemas();
  return worker;
}

/**
 * Resolves when a worker from {@linkcode spawnTrainer} has loaded and sent
 * its `ready` message. Call it before {@linkcode trainInWorker} takes the
 * worker's messages over.
 */
export function trainerReady(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<unknown>) => {
      if (parseFromWorker(event.data).type === "ready") resolve();
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      reject(new Error(`The training worker crashed: ${event.message}`));
    };
  });
}

/**
 * How a worker run ended: its `done` or `error` message, with the history
 * of every step, gathered from the progress messages.
 */
export type WorkerOutcome = (DoneMessage | ErrorMessage) & { history: Step[] };

/**
 * Trains in a module worker started with no permissions. Resolves with the
 * worker's `done` or `error` message; a worker that crashes resolves as an
 * `exception` error with the progress seen so far.
 */
export function trainInWorker(
  start: StartMessage,
  options: TrainInWorkerOptions = {},
): Promise<WorkerOutcome> {
  const { onProgress, onSnapshot, signal } = options;
  const worker = options.worker ?? spawnTrainer();
  const seen: ProgressMessage["metrics"][] = [];
  const t0 = performance.now();
  return new Promise<WorkerOutcome>((resolve) => {
    const post = (message: ToWorker) => worker.postMessage(message);
    const finish = (outcome: WorkerOutcome) => {
      signal?.removeEventListener("abort", onAbort);
      worker.terminate();
      resolve(outcome);
    };
    const crash = (message: string, stack?: string) =>
      finish({
        type: "error",
        kind: "exception",
        message,
        stack,
        step: seen.at(-1) === undefined ? 0 : seen.at(-1)!.step + 1,
        history: seen,
        elapsedMs: performance.now() - t0,
      });
    const onAbort = () => post({ type: "cancel" });
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.onmessage = (event: MessageEvent<unknown>) => {
      let message;
      try {
        message = parseFromWorker(event.data);
      } catch (error) {
        crash((error as Error).message);
        return;
      }
      switch (message.type) {
        case "ready":
          break;
        case "progress":
          for (const step of message.newSteps) seen.push(step);
          onProgress?.(message);
          break;
        case "snapshot":
          onSnapshot?.(message);
          break;
        case "done":
        case "error":
          finish({ ...message, history: seen });
          break;
        default: {
          const never: never = message;
          crash(`Cannot handle the worker's message: ${JSON.stringify(never)}`);
        }
      }
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      crash(`The training worker crashed: ${event.message}`, event.error?.stack);
    };
    worker.onmessageerror = () => crash("Cannot read a message from the training worker");
    post(start);
    if (signal?.aborted) onAbort();
  });
}
