/**
 * What the report page is fed: one stream of {@linkcode PageMessage}s,
 * whether it comes from the data embedded in `report.html`, from the CLI's
 * live stream (`--serve`), or from a worker in the browser. Plain JSON; the
 * types are shared by the CLI (which writes them) and the page (which reads
 * them).
 *
 * @module
 */
import type { Step } from "../../workers/protocol.ts";
import type { GridBounds } from "../../workers/grid.ts";
import type { ModelShape } from "../../workers/snapshots.ts";

/** Classification (labels are class indices) or regression (labels are real targets). */
export type Problem = "classification" | "regression";

/** What the run is, sent before anything else. */
export interface RunInfo {
  /** The data's name, as the title shows it (`moons`, or a CSV file's name). */
  dataset: string;
  /** What the model learns. */
  problem: Problem;
  /** The model's inputs' names (feature expressions, or the data's inputs). */
  featureNames: string[];
  /** The data's own inputs: the plane's axes. */
  inputNames: string[];
  /** The model's inputs as expressions over `inputNames`, when they are feature crosses. */
  features?: string[];
  /** The classes' names (classification only). */
  classNames: string[];
  /** Steps asked for. */
  steps: number;
  /** The model's shape, which snapshots fill with parameters. */
  model: ModelShape;
  /** The loss minimised. */
  loss: string;
  /** The L2 penalty's weight. */
  l2: number;
  /**
   * The points, for 1-D or 2-D data: features, label (class index or
   * target) and whether each was held out for testing.
   */
  points?: { x: number[][]; y: number[]; test: boolean[] };
  /**
   * Each of the data's inputs' smallest, largest and mean value, for data of
   * more than two inputs (the network's tiles span them).
   */
  inputStats?: { min: number[]; max: number[]; mean: number[] };
  /** The square the boundary spans (2-D data). */
  bounds?: GridBounds;
  /** Cells per side of the boundary grid. */
  gridSize: number;
}

/** A decision grid as JSON: as `Grid` in the protocol, with plain arrays. */
export interface GridJson extends GridBounds {
  /** Cells per side. */
  size: number;
  /** The class per cell, row by row from `yMin`. */
  classes: number[];
  /** How sure the model is per cell, 0 to 1. */
  confidence: number[];
}

/** The model after `step` updates (0: before training). */
export interface SnapshotJson {
  /** Updates applied. */
  step: number;
  /** That step's metrics, exactly as `history.csv` has them (a report's timeline). */
  metrics?: Step;
  /** Every parameter, in the order of `Mlp.parameters()` (`null` where not finite). */
  params: (number | null)[];
  /** Their grads at the last step (`null` where not finite). */
  grads: (number | null)[];
}

/** Counts of true class (rows) against predicted class (columns). */
export interface Confusion {
  /** On the training data. */
  train: number[][];
  /** On the held-out data, when there is some. */
  test?: number[][];
}

/** Predicted against true targets (regression runs). */
export interface Fit {
  /** The targets. */
  truth: number[];
  /** The model's predictions. */
  predicted: number[];
  /** Whether each point was held out. */
  test: boolean[];
}

/** How the run ended, and what to show about it. */
export interface RunEnd {
  /** How it ended. */
  status: "completed" | "cancelled" | "failed";
  /** One line: "Completed 100 steps", "Cancelled at step 40 of 100". */
  statusText: string;
  /** The final metrics and the time, in one line. */
  headline: string;
  /** The summary table: label and text, in order. */
  summary: [string, string][];
  /** The command that reruns the run. */
  command: string;
  /** Classification runs with a usable model. */
  confusion?: Confusion;
  /** Regression runs with a usable model. */
  fit?: Fit;
  /** Where the CLI wrote the files (the live page shows it). */
  files?: { report: string; model: string; history: string };
  /** The whole history, when the page saw it thinned (a live run's end). */
  history?: HistoryColumns;
}

/** Every message the page accepts, in the order a run sends them: run, then progress and snapshots, then end. */
export type PageMessage =
  | { type: "run"; info: RunInfo }
  | { type: "progress"; newSteps: Step[]; done: number; steps: number; elapsedMs: number }
  | {
    type: "snapshot";
    snapshot: SnapshotJson;
    timeline: boolean;
    grid?: GridJson;
    /** The network diagram as SVG, drawn off the main thread (the playground's worker). */
    network?: string;
  }
  | { type: "end"; end: RunEnd };

/** The history as columns (smaller than one object per step); absent test columns are empty. */
export interface HistoryColumns {
  /** Step numbers, from 1. */
  step: number[];
  /** Loss with the penalty. */
  loss: number[];
  /** Loss without the penalty. */
  dataLoss: number[];
  /** Training accuracy (classification). */
  accuracy: (number | null)[];
  /** Training R^2 (regression). */
  r2?: (number | null)[];
  /** Learning rate. */
  lr: number[];
  /** Held-out loss. */
  testLoss: (number | null)[];
  /** Held-out accuracy. */
  testAccuracy: (number | null)[];
  /** Held-out R^2 (regression). */
  testR2?: (number | null)[];
}

/** The data embedded in `report.html`: the whole run at once. */
export interface ReportPayload {
  /** What the run is. */
  info: RunInfo;
  /** The history, thinned. */
  history: HistoryColumns;
  /** The timeline. */
  snapshots: SnapshotJson[];
  /** How it ended. */
  end: RunEnd;
}

/**
 * The embedded data as the messages a live run would have sent, so one view
 * draws both.
 */
export function messagesOf(report: ReportPayload): PageMessage[] {
  const steps = stepsOf(report.history);
  const out: PageMessage[] = [{ type: "run", info: report.info }];
  if (steps.length > 0) {
    out.push({
      type: "progress",
      newSteps: steps,
      done: steps.at(-1)!.step,
      steps: report.info.steps,
      elapsedMs: 0,
    });
  }
  for (const snapshot of report.snapshots) out.push({ type: "snapshot", snapshot, timeline: true });
  out.push({ type: "end", end: report.end });
  return out;
}

/** The history's columns as one object per step. */
export function stepsOf(h: HistoryColumns): Step[] {
  return h.step.map((step, i) => {
    const s: Step = {
      step,
      loss: h.loss[i],
      dataLoss: h.dataLoss[i],
      lr: h.lr[i],
    };
    const set = (key: "accuracy" | "r2" | "testLoss" | "testAccuracy" | "testR2", v: unknown) => {
      if (typeof v === "number") s[key] = v;
    };
    set("accuracy", h.accuracy[i]);
    set("r2", h.r2?.[i]);
    set("testLoss", h.testLoss[i]);
    set("testAccuracy", h.testAccuracy[i]);
    set("testR2", h.testR2?.[i]);
    return s;
  });
}
