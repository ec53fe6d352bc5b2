/**
 * What the compare page is given: one record per run, made by
 * `cli/compare.ts` and embedded in the page as JSON.
 *
 * @module
 */

/** One run's figures for the compare page. */
export interface CompareRun {
  /** The run's folder, as given. */
  id: string;
  /** How it ended: completed, cancelled or failed. */
  status: string;
  /** The settings that differ between the runs, as `model.json` records them. */
  config: Record<string, unknown>;
  /** Classification or regression. */
  problem: string;
  /** Steps done. */
  steps: number;
  /** Training time in milliseconds. */
  wallTimeMs: number;
  /** The figures after the last update, and the best of the history (null when absent). */
  metrics: Record<MetricKey, number | null>;
  /** The curves, thinned: the step, the data loss and accuracy (or R²) at each point. */
  curve: { step: number[]; loss: number[]; metric: number[] };
  /**
   * The decision boundary on a small square grid, row by row from the
   * bottom: base64 bytes, each `class * 16 + confidence * 15`; for a
   * regression (`classes` 0), the prediction over the largest magnitude
   * mapped from [-1, 1] to [0, 255]. Absent when the data is not a plane of
   * two inputs. `outputs` is the model's (one for two classes told apart by
   * sign): with `classes` it picks each class's colour as the report does.
   */
  thumb?: { size: number; cells: string; classes: number; outputs: number };
}

/** The metrics shown per run. */
export const METRIC_KEYS = [
  "finalLoss",
  "bestLoss",
  "finalMetric",
  "bestMetric",
  "testLoss",
  "testMetric",
] as const;

/** One of {@linkcode METRIC_KEYS}. */
export type MetricKey = typeof METRIC_KEYS[number];

/** What the page embeds. */
export interface ComparePayload {
  /** The settings whose values differ between runs, in table order. */
  varying: string[];
  /** "accuracy", "R²" or "accuracy / R²" when both kinds are there. */
  metricName: string;
  /** The runs. */
  runs: CompareRun[];
}
