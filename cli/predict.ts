/**
 * `denograd predict`: reads points from a CSV file or stdin and writes each
 * point's predicted class and the model's raw scores as CSV.
 *
 * @module
 */
import {
  compileFeatures,
  CsvError,
  parseCsvPoints,
  parseDecimal,
  predictBatch,
  predictClass,
} from "../mod.ts";
import { escapeControls, EXIT, show, UsageError } from "./_errors.ts";
import { INPUT_LIMITS, readStreamCapped, readTextCapped } from "./_fs.ts";
import { parseFlags } from "./_flags.ts";
import { readModelFile } from "./model_file.ts";
import type { CommandIo } from "./train.ts";

/** The `predict` help text. */
export const PREDICT_HELP =
  `Predict classes (or values, for regression) for points with a trained model.

Usage: denograd predict --model FILE [--input FILE] > predictions.csv

Reads CSV points from --input or stdin (up to ${
    INPUT_LIMITS.points / 1024 / 1024
  } MiB), with the CSV reader of 'train':
the first row is a header only if none of its cells is a number. Each row has
one decimal number per input of the data the model was trained on (its
feature crosses are applied as in training), optionally followed by a label
column, which is ignored. A header's names are matched to the model's inputs
(its columns may come in any order; a name that is not an input is refused). Writes CSV to stdout: a header, then per point its
class and the model's scores (one per output), or for a regression its
prediction. Class names that start with = + - @ get a leading ' so a
spreadsheet shows them as text.

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
export function parsePoints(
  text: string,
  nin: number,
  source: string,
  inputs?: readonly string[],
): number[][] {
  let points: number[][];
  try {
    points = parseCsvPoints(text, { features: nin, ...(inputs ? { inputs } : {}) });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    if (/has no rows|header but no data rows/.test(error.message)) {
      throw new UsageError(`Cannot predict as ${source} has no points`);
    }
    if (/^Cannot parse the CSV as the header/.test(error.message)) {
      throw new UsageError(
        `Cannot predict as ${
          escapeControls(error.message.replace(/^Cannot parse the CSV as /, ""))
            .replace(/^the header/, `the header of ${source}`)
        }`,
      );
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

/** The model's inputs for each point: its feature expressions over the data's inputs. */
function featuresOf(points: number[][], exprs: string[], inputs: string[]): number[][] {
  let features;
  try {
    features = compileFeatures(exprs, inputs);
  } catch (error) {
    throw new UsageError(
      `Cannot predict as the model's features cannot be read: ${(error as Error).message}`,
    );
  }
  return points.map((p, i) => {
    const out = features.apply(p);
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new UsageError(
        `Cannot predict as the feature ${show(exprs[bad])} of point ${
          i + 1
        } is not a finite number: ${out[bad]}`,
      );
    }
    return out;
  });
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
  // Points are in the data's own inputs; the model takes its features of them, as in training.
  // A run of version 0.1 names no inputs: its features are its inputs.
  const inputs = file.inputNames ?? file.featureNames;
  const crossed = file.featureNames.join(",") !== inputs.join(",");
  // A header's names are matched to the inputs, so its columns may come in any order.
  const raw = parsePoints(text, inputs.length, source, inputs);
  const points = crossed ? featuresOf(raw, file.featureNames, inputs) : raw;
  const width = model.nouts[model.nouts.length - 1];
  const regression = file.config.problem === "regression";
  const header = regression
    ? ["prediction"]
    : width === 1
    ? ["class", "score"]
    : ["class", ...file.classNames.map((name) => `score_${name}`)];
  const lines = [header.map(csvCell).join(",")];
  // Compiled, a bounded number of rows per pass: memory stays bounded however many points come.
  const outputs = predictBatch(model, points);
  for (let i = 0; i < points.length; i++) {
    const scores = Array.from(outputs.subarray(i * width, (i + 1) * width));
    if (regression) {
      lines.push(String(scores[0]));
      continue;
    }
    const k = predictClass(scores);
    lines.push([csvCell(file.classNames[k] ?? String(k)), ...scores.map(String)].join(","));
  }
  // On a terminal, a class name's control bytes are shown escaped, not acted on.
  io.stdout((io.tty ? lines.map(escapeControls) : lines).join("\n") + "\n");
  return EXIT.ok;
}
