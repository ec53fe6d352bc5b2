/**
 * The writer of `model.json`'s contents: a run's setup and how it went, in
 * the file's key order. Deno-free, so `train` and the playground page write
 * the same file.
 *
 * @module
 */
import {
  countParameters,
  DENOGRAD_VERSION,
  MODEL_FILE_FORMAT,
  type ModelFile,
} from "./model_file.ts";
import type { RunSetup } from "./setup.ts";

/** How a run went: what `model.json` records besides its setup. */
export type RunRecord = Pick<
  ModelFile,
  | "status"
  | "stoppedAtStep"
  | "error"
  | "stepsDone"
  | "final"
  | "wallTimeMs"
  | "command"
  | "resumedFrom"
  | "model"
  | "optimizer"
>;

/** The contents of `model.json` for a run of `setup` that went as `record` says. */
export function modelFileOf(setup: RunSetup, record: RunRecord): ModelFile {
  const r = record;
  // Keys in reading order: what happened first, the big arrays last.
  return {
    format: MODEL_FILE_FORMAT,
    version: DENOGRAD_VERSION,
    status: r.status,
    ...(r.stoppedAtStep !== undefined ? { stoppedAtStep: r.stoppedAtStep } : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
    stepsDone: r.stepsDone,
    ...(r.final ? { final: r.final } : {}),
    wallTimeMs: r.wallTimeMs,
    createdAt: new Date().toISOString(),
    command: r.command,
    ...(r.resumedFrom !== undefined ? { resumedFrom: r.resumedFrom } : {}),
    config: setup.config,
    dataset: setup.source,
    inputNames: setup.inputNames,
    featureNames: setup.featureNames,
    classNames: setup.classNames,
    parameterCount: countParameters([setup.nin, ...setup.nouts]),
    history: "history.csv",
    ...(r.model ? { model: r.model } : {}),
    ...(r.optimizer ? { optimizer: r.optimizer } : {}),
  };
}
