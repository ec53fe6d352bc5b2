/**
 * Progress output for `train`: a redrawn bar on a terminal, a plain line
 * every so often otherwise, or one JSON object per update with ndjson.
 * Steps are numbered from 1 (step k is the k-th update); each step's
 * figures are measured before its update, and the loss is labelled as
 * with or without the L2 penalty.
 *
 * @module
 */
import type { ProgressMessage } from "../workers/protocol.ts";

/** Where progress goes and how it looks. */
export interface Progress {
  /** Shows one update. */
  update(message: ProgressMessage): void;
  /** Ends the bar (if any) so the next line starts clean. */
  end(): void;
}

/** Options for {@linkcode makeProgress}. */
export interface ProgressOptions {
  /** `text` or `ndjson`. */
  format: "text" | "ndjson";
  /** Show nothing. */
  quiet: boolean;
  /** Whether output is a terminal (a bar) or not (plain lines). */
  tty: boolean;
  /** Writes a chunk of output. */
  write: (text: string) => void;
  /** Terminal width, for the bar, or a function that reads it at each redraw. */
  columns?: number | (() => number | undefined);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function eta(message: ProgressMessage): string {
  const left = message.steps - message.done;
  if (message.done === 0 || left <= 0) return "0s";
  const s = (message.elapsedMs / message.done) * left / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}

/**
 * A step's figures, each labelled: they are measured on that step's forward
 * pass, before its update; "loss" includes the L2 penalty and "data" is the
 * loss without it (shown when they differ).
 */
function metricsText(m: ProgressMessage, short: boolean): string {
  const { loss, dataLoss, accuracy, r2, testAccuracy, testR2 } = m.metrics;
  const parts = [
    loss === dataLoss
      ? `loss ${loss.toFixed(4)}`
      : `loss ${loss.toFixed(4)} (${short ? "data" : "data loss"} ${
        dataLoss.toFixed(4)
      } + penalty)`,
  ];
  if (accuracy !== undefined) parts.push(`${short ? "acc" : "accuracy"} ${pct(accuracy)}`);
  if (r2 !== undefined) parts.push(`R^2 ${r2.toFixed(3)}`);
  if (testAccuracy !== undefined) {
    parts.push(`test ${short ? "acc" : "accuracy"} ${pct(testAccuracy)}`);
  }
  if (testR2 !== undefined) parts.push(`test R^2 ${testR2.toFixed(3)}`);
  return parts.join("  ");
}

/** Makes the progress output that `options` asks for. */
export function makeProgress(options: ProgressOptions): Progress {
  const { write } = options;
  if (options.quiet) return { update() {}, end() {} };
  if (options.format === "ndjson") return ndjsonProgress(write);
  if (options.tty) return barProgress(options);
  return lineProgress(write);
}

/** One JSON object a line per update. */
function ndjsonProgress(write: (text: string) => void): Progress {
  return {
    update(m) {
      write(
        JSON.stringify({
          type: "progress",
          ...m.metrics,
          done: m.done,
          steps: m.steps,
          elapsedMs: Math.round(m.elapsedMs),
        }) + "\n",
      );
    },
    end() {},
  };
}

/** A bar redrawn in place on a terminal, at most about 10 times a second. */
function barProgress(options: ProgressOptions): Progress {
  const { write } = options;
  let lastDraw = -Infinity;
  let drawn = false;
  let pending: ProgressMessage | undefined;
  let last: ProgressMessage | undefined;
  const draw = (m: ProgressMessage) => {
    const wide = options.columns;
    const columns = (typeof wide === "function" ? wide() : wide) || 80;
    const tail = ` step ${String(m.done).padStart(String(m.steps).length)}/${m.steps}  ${
      metricsText(m, true)
    }  ETA ${eta(m)}`;
    // The bar gives way first on a narrow terminal, so the numbers and the ETA stay.
    const width = Math.min(30, columns - 1 - tail.length);
    const full = width >= 5 ? Math.round((m.done / m.steps) * width) : 0;
    const bar = width >= 5 ? "█".repeat(full) + "░".repeat(width - full) : "";
    write(`\r\x1b[2K${(bar + tail).trimStart().slice(0, columns - 1)}`);
    drawn = true;
    lastDraw = performance.now();
    pending = undefined;
    last = m;
  };
  return {
    update(m) {
      // At most about 10 redraws a second; the last update is drawn by end().
      if (performance.now() - lastDraw >= 100 || m.done === m.steps) draw(m);
      else pending = m;
    },
    end() {
      if (!drawn) return;
      // Redrawn even when up to date: it wipes what the terminal echoed on
      // the bar's line (the "^C" of a Ctrl-C).
      draw(pending ?? last!);
      write("\n");
      drawn = false;
    },
  };
}

/** A plain line every 10% of the steps or every 2 s, for output that is not a terminal. */
function lineProgress(write: (text: string) => void): Progress {
  let lastLine = -Infinity;
  let lastDone = 0;
  let pending: ProgressMessage | undefined;
  const line = (m: ProgressMessage) => {
    write(
      `step ${m.done}/${m.steps} (before its update)  ${metricsText(m, false)}  lr ${
        m.metrics.lr.toPrecision(3)
      }\n`,
    );
    lastLine = performance.now();
    lastDone = m.done;
    pending = undefined;
  };
  return {
    update(m) {
      // A line every 10% of the steps, or every 2 s on a slow run.
      const tenth = Math.floor((m.done * 10) / m.steps) > Math.floor((lastDone * 10) / m.steps);
      if (tenth || performance.now() - lastLine >= 2000 || m.done === m.steps) line(m);
      else pending = m;
    },
    end() {
      if (pending) line(pending);
    },
  };
}
