/**
 * The `denograd` command line: `train`, `predict`, `graph` and `datasets`.
 * Every expected failure is one line on stderr and an exit code (2 for bad
 * usage or input, 1 for a failed run, 130 when interrupted); `--debug` adds
 * the stack trace.
 *
 * @example
 * ```sh
 * deno task train --dataset spiral --layers 32,32 --optimizer adam --steps 300
 * ```
 *
 * @module
 */
import { didYouMean, escapeControls, EXIT, show, UsageError } from "./_errors.ts";
import { enterUserFolder } from "./_fs.ts";
import type { CommandIo } from "./train.ts";

/** The top-level help text. */
export const MAIN_HELP =
  `denograd: train a small MLP (micrograd in TypeScript) and get an HTML report.

Usage: denograd <command> [flags]

Commands:
  train      train a model in a worker; write model.json, history.csv, report.html
  predict    predict classes for CSV points with a trained model.json
  graph      write the computation graph of a forward pass as DOT or SVG
  datasets   list the built-in datasets
  sweep      train many runs (a grid or a random search) into one folder
  compare    one offline page comparing runs or sweeps
  playground write the playground: one page to change and train a model in the browser

Run 'denograd <command> --help' for a command's flags.
`;

/**
 * Each command, its module loaded when it runs: a command loads only its own
 * code (a sweep's main thread, which hands trials to workers, starts sooner).
 */
const COMMANDS = {
  train: async () => (await import("./train.ts")).trainCommand,
  predict: async () => (await import("./predict.ts")).predictCommand,
  graph: async () => (await import("./graph.ts")).graphCommand,
  datasets: async () => (await import("./datasets.ts")).datasetsCommand,
  sweep: async (args: string[]) => {
    // The trial workers load their code while this thread loads the sweep's.
    (await import("./_sweep_lanes.ts")).startEarlyTrialWorkers(args);
    return (await import("./sweep.ts")).sweepCommand;
  },
  compare: async () => (await import("./compare.ts")).compareCommand,
  playground: async () => (await import("./playground.ts")).playgroundCommand,
} as const;

function encode(write: (bytes: Uint8Array) => unknown): (text: string) => void {
  const encoder = new TextEncoder();
  return (text) => void write(encoder.encode(text));
}

/**
 * Why standard output failed (`> /dev/full`), if it did: the run goes on,
 * writes its files, then reports it in one line and exits with 1.
 */
let stdoutError: Error | undefined;

/** The terminal-backed output of the real process. */
export function processIo(): CommandIo {
  const tty = Deno.stdout.isTerminal();
  return {
    stdout: encode(writeAll((b) => Deno.stdout.writeSync(b), (e) => stdoutError ??= e)),
    stderr: encode(writeAll((b) => Deno.stderr.writeSync(b))),
    tty,
    // Read at each use: the terminal may be resized during a run.
    get columns() {
      try {
        return tty ? Deno.consoleSize().columns : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

function writeAll(
  write: (b: Uint8Array) => number,
  onError?: (error: Error) => void,
): (b: Uint8Array) => void {
  let closed = false;
  return (bytes) => {
    if (closed) return;
    try {
      let off = 0;
      while (off < bytes.length) off += write(bytes.subarray(off));
    } catch (error) {
      // The reader went away (`| head`): the run goes on and still writes its files.
      closed = true;
      if (error instanceof Deno.errors.BrokenPipe) return;
      // Any other failure (a full disk) is reported once the files are written.
      if (onError) onError(error as Error);
      else throw error;
    }
  };
}

/** One line, with the control bytes of echoed values escaped. */
function oneLine(text: string): string {
  return escapeControls(text.replace(/\s*[\r\n]+\s*/g, " "));
}

/** Runs the CLI with `args`; resolves with the exit code. */
export async function main(args: string[], io: CommandIo = processIo()): Promise<number> {
  const debug = args.includes("--debug");
  const [name, ...rest] = args;
  try {
    if (name === "--help" || name === "-h" || name === "help") {
      io.stdout(MAIN_HELP);
      return EXIT.ok;
    }
    if (name === undefined) {
      throw new UsageError(
        "Cannot run as no command is given: expected train, predict, graph, datasets, sweep or compare; see 'denograd --help'",
      );
    }
    if (!Object.hasOwn(COMMANDS, name)) {
      throw new UsageError(
        `Cannot run as ${
          show(name)
        } is not a command: expected train, predict, graph, datasets, sweep or compare${
          didYouMean(name, Object.keys(COMMANDS))
        }`,
      );
    }
    const run = await COMMANDS[name as keyof typeof COMMANDS](rest);
    const code = await run(rest, io);
    if (stdoutError !== undefined) {
      io.stderr(`denograd ${name}: cannot write to stdout: ${oneLine(stdoutError.message)}\n`);
      return code === EXIT.ok ? EXIT.failed : code;
    }
    return code;
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) {
      // "Requires read access to "x", run again with the --allow-read flag": the exact permission.
      io.stderr(`Cannot ${name} as Deno lacks a permission: ${oneLine(error.message)}\n`);
      if (debug) io.stderr(`${error.stack}\n`);
      return EXIT.usage;
    }
    if (error instanceof UsageError) {
      // One line, even when the message quotes text with line breaks.
      io.stderr(`${oneLine(error.message)}\n`);
      if (debug) io.stderr(`${error.stack}\n`);
      return EXIT.usage;
    }
    const message = (error as Error)?.message ?? String(error);
    io.stderr(`denograd ${name} failed: ${oneLine(message)}\n`);
    if (debug) io.stderr(`${(error as Error)?.stack ?? error}\n`);
    return EXIT.failed;
  }
}

if (import.meta.main) {
  // Under `deno task`, paths are relative to where the user typed the command.
  enterUserFolder();
  Deno.exit(await main(Deno.args));
}
