/**
 * Signal handling for a whole `train` run, the writes included: SIGINT
 * (Ctrl-C), SIGTERM, SIGHUP and SIGQUIT (Ctrl-\\) all stop training after
 * the current step; the run's files are still written, and the exit code is
 * 128 + the signal's number (130, 143, 129, 131). A second signal (a second Ctrl-C) quits
 * at once, removing any temporary file of a write in progress.
 *
 * @module
 */
import { EXIT } from "./_errors.ts";
import { removePendingTemps } from "./_fs.ts";

/** The signals that stop a run, with their exit codes. */
export const STOP_SIGNALS = {
  SIGINT: EXIT.interrupted,
  SIGTERM: EXIT.terminated,
  SIGHUP: EXIT.hangup,
  SIGQUIT: EXIT.quit,
} as const;

/** A signal that stops a run. */
export type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * A second SIGINT sooner than this after the first is taken as the same
 * Ctrl-C (`deno task` forwards the terminal's SIGINT to the process that
 * already received it), not as a request to quit at once.
 */
export const SIGINT_ECHO_MS = 250;

/** The signal watch of one run, from {@linkcode watchSignals}. */
export interface RunSignals {
  /** Aborted by the first stop signal. */
  readonly signal: AbortSignal;
  /** The first stop signal received, if any. */
  readonly received: StopSignal | undefined;
  /** The exit code the first signal asks for, if any: 130, 143, 129 or 131. */
  readonly exitCode: number | undefined;
  /** Calls `fn` with the first stop signal (at once if it came already). */
  onStop(fn: (signal: StopSignal) => void): void;
  /** Calls `fn` before quitting at once on a second signal (synchronous). */
  onQuit(fn: () => void): void;
  /** Stops watching. */
  dispose(): void;
}

/**
 * Watches SIGINT, SIGTERM, SIGHUP and SIGQUIT (those the platform has) until
 * `dispose()`. The first aborts `signal`; a second one quits the process
 * at once with its exit code, after removing temporary files and calling
 * the `onQuit` callbacks.
 */
export function watchSignals(): RunSignals {
  const controller = new AbortController();
  const stops: ((signal: StopSignal) => void)[] = [];
  const quits: (() => void)[] = [];
  const listeners: [StopSignal, () => void][] = [];
  let received: StopSignal | undefined;
  let firstAt = 0;
  const on = (name: StopSignal) => {
    const now = performance.now();
    if (received === undefined) {
      received = name;
      firstAt = now;
      controller.abort();
      for (const fn of stops) fn(name);
      return;
    }
    // The same Ctrl-C twice (`deno task` forwards the terminal's SIGINT).
    if (name === "SIGINT" && received === "SIGINT" && now - firstAt < SIGINT_ECHO_MS) return;
    removePendingTemps();
    for (const fn of quits) {
      try {
        fn();
      } catch {
        // Quitting anyway.
      }
    }
    Deno.exit(STOP_SIGNALS[name]);
  };
  for (const name of Object.keys(STOP_SIGNALS) as StopSignal[]) {
    const listener = () => on(name);
    try {
      Deno.addSignalListener(name, listener);
      listeners.push([name, listener]);
    } catch {
      // Not on this platform (Windows has SIGINT only).
    }
  }
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    get exitCode() {
      return received === undefined ? undefined : STOP_SIGNALS[received];
    },
    onStop(fn) {
      stops.push(fn);
      if (received !== undefined) fn(received);
    },
    onQuit(fn) {
      quits.push(fn);
    },
    dispose() {
      for (const [name, listener] of listeners.splice(0)) {
        try {
          Deno.removeSignalListener(name, listener);
        } catch {
          // Gone already.
        }
      }
    },
  };
}
