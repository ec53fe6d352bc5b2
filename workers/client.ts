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
  /**
   * Given the worker when the run ended by the worker's own `done` or
   * `error` message, instead of terminating it: it takes another start (a
   * sweep reuses it). A worker that crashed is terminated all the same.
   */
  release?: (worker: Worker) => void;
}

/** Training workers kept for reuse, as a sweep's trials take them one after another. */
export interface TrainerPool {
  /** A worker from {@linkcode spawnTrainer}, idle: a kept one, or a fresh one. */
  take(): Worker;
  /** Keeps an idle worker for the next {@linkcode TrainerPool.take}. */
  give(worker: Worker): void;
}

/**
 * Whether Deno's `worker-options` unstable feature is on, so a worker can
 * be started without permissions. Deno quits (exit 70) rather than throw
 * when it is off, so this is judged from how Deno was started: the flag
 * on its command line (read from `/proc/self/cmdline` where allowed), or
 * this repository's `deno.json` (which turns the feature on) found beside a
 * local entry point and not overridden by `--no-config` or `--config`.
 * In a worker, which has no `Deno.mainModule`, pass the entry point's URL.
 */
export function workerOptionsOn(mainModule?: string): boolean {
  const args = commandLine();
  if (args?.some((a) => a === "--unstable-worker-options" || a === "--unstable")) return true;
  if (args?.includes("--no-config")) return false;
  // An explicit config (as `deno install` writes into its shim) turns the feature on or not.
  const at = args?.findIndex((a) => /^(--config|-c)(=|$)/.test(a)) ?? -1;
  if (at >= 0) {
    const path = args![at].includes("=")
      ? args![at].slice(args![at].indexOf("=") + 1)
      : args![at + 1];
    return path !== undefined && configTurnsOn(path);
  }
  // deno.json is found from a local entry point's folder upwards; a remote one has none.
  // A worker has no Deno.mainModule: it is given by the thread that started it.
  const main = mainModule ?? (Deno.mainModule as string | undefined);
  return main !== undefined && main.startsWith("file:") && import.meta.url.startsWith("file:");
}

/** Whether the Deno config file at `path` lists the `worker-options` unstable feature. */
function configTurnsOn(path: string): boolean {
  try {
    if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return false;
    return /"unstable"\s*:\s*\[[^\]]*"worker-options"/.test(Deno.readTextFileSync(path));
  } catch {
    return false;
  }
}

/** The process's command line, when Linux shows it and reading it is allowed; else undefined. */
function commandLine(): string[] | undefined {
  try {
    const path = "/proc/self/cmdline";
    if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return undefined;
    const args = Deno.readTextFileSync(path).split("\0");
    // Deno's own flags come before the entry point; the program's after it.
    const takesValue = [
      "--config",
      "-c",
      "--import-map",
      "--location",
      "--seed",
      "--cert",
      "--lock",
    ];
    const main = args.findIndex((a, i) =>
      i > 1 && !a.startsWith("-") && !takesValue.includes(args[i - 1])
    );
    return main < 0 ? args : args.slice(0, main);
  } catch {
    return undefined;
  }
}

/** Whether the fallback notice has been given (it is given once per process). */
let fallbackNoticed = false;

/** Options for {@linkcode spawnTrainer}. */
export interface SpawnTrainerOptions {
  /**
   * Told once per process when the worker cannot be started without
   * permissions (Deno started without `--unstable-worker-options`, or not
   * from this repository's `deno.json`) and runs with the process's own.
   *
   * @default {(text) => console.error(text)}
   */
  onNotice?: (text: string) => void;
  /**
   * The process's entry point (`Deno.mainModule`), for a caller in a worker,
   * where `Deno.mainModule` is undefined.
   *
   * @default {Deno.mainModule}
   */
  mainModule?: string;
}

/**
 * Starts the training worker as a module worker with no permissions (Deno
 * needs the `worker-options` unstable feature, which `deno.json` turns on),
 * ready for {@linkcode trainInWorker}. Where that feature is off, the worker
 * inherits the process's permissions instead, and `onNotice` is told once.
 */
export function spawnTrainer(options: SpawnTrainerOptions = {}): Worker {
  const url = new URL("./trainer.ts", import.meta.url);
  // Deno loads a worker's module with the process's read access, and a
  // failed load ends the process: check it first, as an error that says so.
  if (url.protocol === "file:") {
    const path = decodeURIComponent(url.pathname);
    if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") {
      throw new Deno.errors.NotCapable(
        `Requires read access to "${path}", run again with the --allow-read flag`,
      );
    }
  } else if (Deno.permissions.querySync({ name: "import", host: url.host }).state !== "granted") {
    throw new Deno.errors.NotCapable(
      `Requires import access to "${url.host}", run again with the --allow-import flag`,
    );
  }
  if (workerOptionsOn(options.mainModule)) {
    const deno = { permissions: threadPermissions(url) };
    // deno-lint-ignore no-explicit-any
    const sandboxed = { type: "module", deno } as any as WorkerOptions;
    warmUpSchemas();
    return new Worker(url, sandboxed);
  }
  if (!fallbackNoticed) {
    fallbackNoticed = true;
    (options.onNotice ?? ((text) => console.error(text)))(
      "Note: the training worker runs with this process's permissions, as Deno's worker options are not on (add --unstable-worker-options to sandbox it)",
    );
  }
  const worker = new Worker(url, { type: "module" });
  // While the worker loads, get the checks of its messages ready here too.
  warmUpSchemas();
  return worker;
}

/**
 * The trainer's permissions: none, but reading the library's compiled path
 * (`nn/compiled/`), from which a step's worker threads start (`threads`).
 */
function threadPermissions(trainer: URL): Record<string, unknown> {
  const none = { env: false, net: false, ffi: false, run: false, write: false, sys: false };
  if (trainer.protocol !== "file:") return { ...none, read: false, import: false };
  const compiled = decodeURIComponent(new URL("../nn/compiled/", trainer).pathname);
  return { ...none, read: [compiled], import: false };
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
  const { onProgress, onSnapshot, signal, release } = options;
  const worker = options.worker ?? spawnTrainer();
  const seen: ProgressMessage["metrics"][] = [];
  const t0 = performance.now();
  return new Promise<WorkerOutcome>((resolve) => {
    const post = (message: ToWorker) => worker.postMessage(message);
    const finish = (outcome: WorkerOutcome, idle = false) => {
      signal?.removeEventListener("abort", onAbort);
      if (idle && release) {
        worker.onmessage = worker.onerror = worker.onmessageerror = null;
        release(worker);
      } else worker.terminate();
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
          finish({ ...message, history: seen }, true);
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
