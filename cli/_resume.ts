/**
 * `train --resume`: reads a run's `model.json` and history, and checks the
 * whole of it before anything trains or is written: the optimizer's kind,
 * settings, step count, learning rate and every array of its state against
 * the run, and the data against what the run was trained on. Each problem is
 * one {@linkcode UsageError} line (exit 2).
 *
 * @module
 */
import {
  makeOptimizer,
  type Mlp,
  type OptimizerName,
  type OptimizerState,
  SETTING_KEYS,
  SETTINGS,
} from "../mod.ts";
import type { Step } from "../workers/protocol.ts";
import { show, UsageError } from "./_errors.ts";
import { parseHistoryCsv } from "./history_csv.ts";
import type { PartialConfig } from "./config.ts";
import { type ModelFile, readModelFile } from "./model_file.ts";
import type { RunSetup } from "./setup.ts";

/** A run to go on from: its file, weights, optimizer state and history. */
export interface Resume {
  /** The `model.json` given to `--resume`. */
  file: string;
  /** Its contents, checked. */
  run: ModelFile & { model: NonNullable<ModelFile["model"]>; optimizer: OptimizerState };
  /** Its model, rebuilt. */
  model: Mlp;
  /** Its history, one row per step done. */
  history: Step[];
}

/** The state type each optimizer writes. */
const STATE_TYPE: Readonly<Record<OptimizerName, OptimizerState["type"]>> = {
  sgd: "sgd",
  momentum: "sgd",
  adam: "adam",
  adamw: "adam",
};

/** The settings a resumed run keeps: the rows whose `resume` is `"keep"`. */
export const KEPT_ON_RESUME = SETTING_KEYS.filter((k) => SETTINGS[k].resume === "keep");

function refuse(file: string, problem: string): never {
  throw new UsageError(`Cannot train as '--resume' ${show(file)} ${problem}`);
}

/** Reads the history beside `run`'s file: one row per step done, numbered from 1. */
async function readHistory(file: string, run: ModelFile): Promise<Step[]> {
  const historyFile = new URL(run.history, new URL(file, `file://${Deno.cwd()}/`)).pathname;
  let text: string;
  try {
    text = await Deno.readTextFile(historyFile);
  } catch {
    return refuse(file, `needs its history ${show(historyFile)} beside it, and it cannot be read`);
  }
  const history = parseHistoryCsv(text);
  if (
    history === undefined || history.length !== run.stepsDone ||
    history.some((h, i) => h.step !== i + 1)
  ) {
    throw new UsageError(
      `Cannot train as the history ${show(historyFile)} of '--resume' ${
        show(file)
      } must have one row per step done (${run.stepsDone}), numbered from 1`,
    );
  }
  return history;
}

/**
 * Checks the optimizer state against the run: its kind, its settings and
 * every array (by loading it into the optimizer the run makes), its step
 * count and its learning rate (the last step's).
 */
function checkOptimizer(file: string, run: Resume["run"], model: Mlp, history: Step[]): void {
  const state = run.optimizer;
  const name = run.config.optimizer;
  if (state.type !== STATE_TYPE[name]) {
    refuse(file, `holds ${state.type} optimizer state, but its run's optimizer is ${name}`);
  }
  if (state.steps !== run.stepsDone) {
    refuse(
      file,
      `is inconsistent: its optimizer has made ${state.steps} steps but the run ${run.stepsDone}`,
    );
  }
  const last = history.at(-1);
  if (last !== undefined && state.lr !== last.lr) {
    refuse(
      file,
      `is inconsistent: its optimizer's lr is ${state.lr} but the run's last step used ${last.lr}`,
    );
  }
  const params = model.parameters();
  const momentumBuffers = state.type === "sgd" && state.momentum !== 0 && state.steps > 0;
  if (state.type === "sgd" && state.buffers.length !== (momentumBuffers ? params.length : 0)) {
    refuse(
      file,
      `holds a broken optimizer state: 'buffers' must have ${
        momentumBuffers ? params.length : 0
      } entries: current count is ${state.buffers.length}`,
    );
  }
  try {
    makeOptimizer(name, params).loadState(state);
  } catch (error) {
    refuse(
      file,
      `holds optimizer state that does not fit its run (${name}): ${
        (error as Error).message.replace(/^Cannot load the state as (its )?/, "")
      }`,
    );
  }
}

/**
 * Reads and checks the run that `--resume` names, with its history: all of
 * it that can be checked without the data.
 *
 * @throws {UsageError} naming the first problem.
 */
export async function readResume(file: string): Promise<Resume> {
  const { file: run, model } = await readModelFile(file, "train", "--resume");
  if (run.optimizer === undefined || run.model === undefined) {
    return refuse(file, "has no optimizer state to go on from");
  }
  const checked = run as Resume["run"];
  if (run.model.activation !== run.config.activation) {
    refuse(
      file,
      `is inconsistent: its model's activation is ${run.model.activation} but its run's ${run.config.activation}`,
    );
  }
  const history = await readHistory(file, run);
  checkOptimizer(file, checked, model, history);
  return { file, run: checked, model, history };
}

/**
 * The settings a resumed run starts from, for the flags to go over: the
 * run's, with the learning rate of its last step (a resumed schedule goes on
 * from there). Refuses flags that change a setting the run keeps (a row
 * whose `resume` is `"keep"`).
 *
 * @throws {UsageError} when a flag changes a setting the run keeps.
 */
export function resumedSettings(resume: Resume, flags: PartialConfig): PartialConfig {
  const had = resume.run.config;
  for (const key of KEPT_ON_RESUME) {
    if (flags[key] !== undefined && JSON.stringify(flags[key]) !== JSON.stringify(had[key])) {
      throw new UsageError(
        `Cannot train as '--${SETTINGS[key].flag}' cannot change when resuming: the run has ${
          show(had[key])
        }, current value is ${show(flags[key])}`,
      );
    }
  }
  return { ...had, lr: resume.run.optimizer.lr };
}

/** The names in `got` against those in `want`, for a message: undefined when they agree. */
function differs(got: readonly string[], want: readonly string[]): boolean {
  return got.length !== want.length || got.some((g, i) => g !== want[i]);
}

/**
 * Checks that the data, as set up again, is what the run was trained on:
 * the same inputs (by name and count), features, classes and model shape.
 *
 * @throws {UsageError} naming what changed.
 */
export function checkResumeData(resume: Resume, setup: RunSetup): void {
  const { file, run, model } = resume;
  const names = (xs: readonly string[]) => xs.length === 0 ? "none" : xs.join(", ");
  const inputs = run.inputNames ?? run.featureNames;
  if (differs(setup.inputNames, inputs)) {
    refuse(
      file,
      `was trained on inputs ${names(inputs)}, but its data ${show(run.config.dataset)} now has ${
        names(setup.inputNames)
      }`,
    );
  }
  if (differs(setup.featureNames, run.featureNames)) {
    refuse(
      file,
      `was trained on features ${names(run.featureNames)}, but they are now ${
        names(setup.featureNames)
      }`,
    );
  }
  if (differs(setup.classNames, run.classNames)) {
    refuse(
      file,
      `was trained on classes ${names(run.classNames)}, but its data ${
        show(run.config.dataset)
      } now has ${names(setup.classNames)}`,
    );
  }
  const shape = [setup.nin, ...setup.nouts].join("-");
  const had = [model.nin, ...model.nouts].join("-");
  if (shape !== had) refuse(file, `holds a model ${had}, but its settings make a ${shape}`);
}
