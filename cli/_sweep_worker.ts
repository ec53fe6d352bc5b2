/**
 * A sweep's trial worker: runs whole trials, each the `train` command itself
 * (set-up, training in its own sandboxed worker, report, writes), one after
 * another, so that the sweep's main thread only hands trials out. Its
 * training worker is kept from one trial to the next. Signals reach it as
 * they reach the main thread: a first Ctrl-C stops the running trial, which
 * still writes its files.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { spawnTrainer, type TrainerPool } from "../workers/client.ts";
import { EXIT, UsageError } from "./_errors.ts";
import { type FromTrialWorker, parseToTrialWorker } from "./_sweep_protocol.ts";
import { trainCommand } from "./train.ts";

/** The idle training workers (at most one: trials run one at a time here). */
const idle: Worker[] = [];
let mainModule = "";
const trainers: TrainerPool = {
  take: () => idle.pop() ?? spawnTrainer({ mainModule }),
  give: (worker) => void idle.push(worker),
};

self.onmessage = async (event: MessageEvent<unknown>) => {
  const message = parseToTrialWorker(event.data);
  switch (message.type) {
    case "trial": {
      mainModule = message.mainModule;
      const { code, stderr } = await runTrial(message.args);
      const end: FromTrialWorker = { type: "trial-end", index: message.index, code, stderr };
      self.postMessage(end);
      break;
    }
    default: {
      const never: never = message.type;
      throw new TypeError(`Cannot handle the message: ${JSON.stringify(never)}`);
    }
  }
};

/** Runs `train` quietly: its exit code and what it printed on stderr (an error as one line). */
async function runTrial(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  try {
    const code = await trainCommand(args, {
      stdout: () => {},
      stderr: (text) => void (stderr += text),
      tty: false,
    }, { trainers });
    return { code, stderr };
  } catch (error) {
    const usage = error instanceof UsageError || error instanceof Deno.errors.NotCapable;
    return {
      code: usage ? EXIT.usage : EXIT.failed,
      stderr: `${stderr}${(error as Error).message}`,
    };
  }
}
