/**
 * `history.csv`: one row per step, written beside `model.json` and read
 * back by `--resume`. Deno-free, so the playground page writes
 * the same file, and shows a step's loss exactly as this file does.
 *
 * @module
 */
import { type Step, StepSchema } from "../workers/protocol.ts";

/** The file's columns: a step's key and the column's name, in order. */
export const HISTORY_COLUMNS: readonly [keyof Step, string][] = [
  ["step", "step"],
  ["loss", "loss"],
  ["dataLoss", "data_loss"],
  ["accuracy", "accuracy"],
  ["mse", "mse"],
  ["r2", "r2"],
  ["lr", "lr"],
  ["testLoss", "test_loss"],
  ["testAccuracy", "test_accuracy"],
  ["testMse", "test_mse"],
  ["testR2", "test_r2"],
];

/**
 * One cell: the number as JavaScript writes it (the shortest text that reads
 * back to the same double), or empty when absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { historyCell } from "./history_csv.ts";
 * assert.equal(historyCell(0.1 + 0.2), "0.30000000000000004");
 * assert.equal(historyCell(undefined), "");
 * ```
 */
export function historyCell(value: number | undefined): string {
  return value === undefined ? "" : String(value);
}

/** The history as CSV, one row per step. */
export function historyCsv(history: Step[]): string {
  // The columns the run has: accuracy for classification, r2 for regression, test ones with a test set.
  const columns = HISTORY_COLUMNS.filter(([key]) => history.some((h) => h[key] !== undefined));
  const lines = [(columns.length > 0 ? columns : HISTORY_COLUMNS).map(([, c]) => c).join(",")];
  for (const h of history) lines.push(columns.map(([key]) => historyCell(h[key])).join(","));
  return lines.join("\n") + "\n";
}

/** Reads back what {@linkcode historyCsv} wrote; `undefined` when it is not such a file. */
export function parseHistoryCsv(text: string): Step[] | undefined {
  const [head, ...rows] = text.trimEnd().split("\n");
  const columns = head.split(",");
  const keys = columns.map((c) => HISTORY_COLUMNS.find(([, name]) => name === c)?.[0]);
  if (keys.some((k) => k === undefined) || !columns.includes("step")) return undefined;
  const steps: Step[] = [];
  for (const row of rows) {
    const cells = row.split(",");
    const step: Record<string, number> = {};
    cells.forEach((cell, i) => {
      if (cell !== "") step[keys[i]!] = Number(cell);
    });
    const parsed = StepSchema.safeParse(step);
    if (!parsed.success) return undefined;
    steps.push(parsed.data);
  }
  return steps;
}
