/**
 * A sweep's trial worker: runs whole trials, each the `train` command itself
 * (set-up, training, report, writes), one after another, so that the
 * sweep's main thread only hands trials out. It trains in its own thread
 * ({@linkcode serveTrainer} on a `MessageChannel`), not in a worker of its
 * own: in Deno a worker started from a worker takes about half a second to
 * start, which a sweep of small trials pays on every lane. The trainer is
 * kept from one trial to the next. Signals reach it as
 * they reach the main thread: a first Ctrl-C stops the running trial, which
 * still writes its files.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { TrainerPool } from "../workers/client.ts";
import { serveTrainer } from "../workers/trainer.ts";
import { EXIT, UsageError } from "./_errors.ts";
import { type FromTrialWorker, parseToTrialWorker } from "./_sweep_protocol.ts";
import { trainCommand } from "./train.ts";
import { primeChartJs } from "./_chart_js.ts";

/** The idle trainer (at most one: trials run one at a time here). */
const idle: Worker[] = [];
const trainers: TrainerPool = {
  take: () => idle.pop() ?? localTrainer(),
  give: (worker) => void idle.push(worker),
};

/** A trainer in this thread, behind the part of `Worker` that the train command uses. */
function localTrainer(): Worker {
  const { port1, port2 } = new MessageChannel();
  serveTrainer(port2);
  const trainer = {
    get onmessage() {
      return port1.onmessage;
    },
    set onmessage(f) {
      port1.onmessage = f;
    },
    onerror: null,
    onmessageerror: null,
    postMessage: (message: unknown) => port1.postMessage(message),
    terminate() {
      port1.close();
      port2.close();
    },
  };
  return trainer as unknown as Worker;
}

/** Chart.js, which the sweep's main thread reads once and sends every trial worker for its reports. */
const chartJs = Promise.withResolvers<string>();
chartJs.promise.catch(() => {});
primeChartJs(chartJs.promise);

self.onmessage = async (event: MessageEvent<unknown>) => {
  const message = parseToTrialWorker(event.data);
  switch (message.type) {
    case "chart-js":
      chartJs.resolve(message.text);
      break;
    case "no-assets":
      chartJs.reject(new Error(message.message));
      break;
    case "trial": {
      const { code, stderr } = await runTrial(message.args);
      const end: FromTrialWorker = { type: "trial-end", index: message.index, code, stderr };
      self.postMessage(end);
      break;
    }
    default: {
      const never: never = message;
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
