/**
 * `denograd predict`: reads points from a CSV file or stdin and writes each
 * point's predicted class and the model's raw scores as CSV.
 *
 * @module
 */
import {
  CompiledMlp,
  CsvError,
  type Mlp,
  parseCsvPoints,
  parseDecimal,
  predictClass,
} from "../mod.ts";
import { escapeControls, EXIT, show, UsageError } from "./_errors.ts";
import { INPUT_LIMITS, readStreamCapped, readTextCapped } from "./_fs.ts";
import { parseFlags } from "./_flags.ts";
import { readModelFile } from "./model_file.ts";
import type { CommandIo } from "./train.ts";

/** The `predict` help text. */
export const PREDICT_HELP = `Predict classes for points with a trained model.

Usage: denograd predict --model FILE [--input FILE] > predictions.csv

Reads CSV points from --input or stdin (up to ${
  INPUT_LIMITS.points / 1024 / 1024
} MiB), with the CSV reader of 'train':
the first row is a header only if none of its cells is a number. Each row has
one decimal number per feature, optionally followed by a label column, which
is ignored. Writes CSV to stdout: a header, then per point its class and the
model's scores (one per output). Class names that start with = + - @ get a
leading ' so a spreadsheet shows them as text.

  --model FILE   a model.json written by 'denograd train' (required)
  --input FILE   the points (default: stdin)
  --debug        print stack traces
  -h, --help     show this help
`;

/**
 * Quotes a CSV cell when it needs it, and defuses a spreadsheet formula: a
 * cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (and
 * is not a plain number) gets a leading `'`, as spreadsheets expect, so
 * opening the file runs nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvCell } from "./predict.ts";
 * assert.equal(csvCell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
 * assert.equal(csvCell("@SUM(A1)"), "'@SUM(A1)");
 * assert.equal(csvCell("-1"), "-1");
 * assert.equal(csvCell('a "b", c'), '"a ""b"", c"');
 * ```
 */
export function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) && !Number.isFinite(parseDecimal(text))
    ? `'${text}`
    : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * Parses CSV points with `nin` features each (with the CSV reader of
 * `train`: a first row is a header only if none of its cells is a number).
 *
 * @throws {UsageError} naming the first bad line and column.
 */
export function parsePoints(text: string, nin: number, source: string): number[][] {
  let points: number[][];
  try {
    points = parseCsvPoints(text, { features: nin });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    if (/has no rows|header but no data rows/.test(error.message)) {
      throw new UsageError(`Cannot predict as ${source} has no points`);
    }
    // "line 2, column 2 of stdin must be a number: ..."
    const why = error.message.replace(/^Cannot parse the CSV as /, "");
    const at = /^line \d+(, column \d+)?( \("(?:[^"\\]|\\.)*"\))?/.exec(why)?.[0];
    throw new UsageError(
      `Cannot predict as ${
        at === undefined
          ? `${source} is malformed: ${why}`
          : `${at} of ${source}${why.slice(at.length)}`
      }`,
    );
  }
  return points;
}

/** Points per batch of the compiled model: memory stays bounded however many points come. */
const BATCH = 256;

/** The model's outputs for every point, in batches of the compiled model. */
function predictAll(model: Mlp, points: number[][]): Float64Array {
  const k = model.nouts[model.nouts.length - 1];
  const out = new Float64Array(points.length * k);
  const size = Math.min(BATCH, points.length);
  const compiled = new CompiledMlp(model, size);
  for (let start = 0; start < points.length; start += size) {
    const batch = points.slice(start, start + size);
    // The last batch is padded with its first point; the padding's outputs are dropped.
    while (batch.length < size) batch.push(batch[0]);
    const scores = compiled.predict(batch);
    const n = Math.min(size, points.length - start);
    out.set(scores.subarray(0, n * k), start * k);
  }
  return out;
}

/** Runs `predict` with `args`; resolves with the exit code. */
export async function predictCommand(
  args: string[],
  io: CommandIo,
  stdin: ReadableStream<Uint8Array> = Deno.stdin.readable,
): Promise<number> {
  const { values } = parseFlags("predict", args, {
    model: { type: "string" },
    input: { type: "string" },
    debug: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(PREDICT_HELP);
    return EXIT.ok;
  }
  if (typeof values.model !== "string") {
    throw new UsageError("Cannot predict as '--model' is missing: give the model.json to use");
  }
  const { file, model } = await readModelFile(values.model, "predict");
  let text: string;
  let source: string;
  if (typeof values.input === "string" && values.input !== "-") {
    source = show(values.input);
    text = await readTextCapped(values.input, INPUT_LIMITS.points, {
      verb: "predict",
      what: `'--input' ${source}`,
    });
  } else {
    source = "stdin";
    if (stdin === Deno.stdin.readable && Deno.stdin.isTerminal()) {
      throw new UsageError(
        "Cannot predict as no points were given: pass '--input FILE' or pipe CSV points into stdin",
      );
    }
    text = await readStreamCapped(stdin, INPUT_LIMITS.points, { verb: "predict", what: "stdin" });
  }
  const points = parsePoints(text, model.nin, source);
  const width = model.nouts[model.nouts.length - 1];
  const header = width === 1
    ? ["class", "score"]
    : ["class", ...file.classNames.map((name) => `score_${name}`)];
  const lines = [header.map(csvCell).join(",")];
  const outputs = predictAll(model, points);
  for (let i = 0; i < points.length; i++) {
    const scores = Array.from(outputs.subarray(i * width, (i + 1) * width));
    const k = predictClass(scores);
    lines.push([csvCell(file.classNames[k] ?? String(k)), ...scores.map(String)].join(","));
  }
  // On a terminal, a class name's control bytes are shown escaped, not acted on.
  io.stdout((io.tty ? lines.map(escapeControls) : lines).join("\n") + "\n");
  return EXIT.ok;
}
