/**
 * `denograd predict`: reads points from a CSV file or stdin and writes each
 * point's predicted class and the model's raw scores as CSV.
 *
 * @module
 */
import { predictClass } from "../mod.ts";
import { EXIT, show, UsageError } from "./_errors.ts";
import { parseFlags } from "./_flags.ts";
import { readModelFile } from "./model_file.ts";
import type { CommandIo } from "./train.ts";

/** The `predict` help text. */
export const PREDICT_HELP = `Predict classes for points with a trained model.

Usage: denograd predict --model FILE [--input FILE] > predictions.csv

Reads CSV points (a header row is optional) from --input or stdin. Each row
has one number per feature, optionally followed by a label column, which is
ignored. Writes CSV to stdout: a header, then per point its class and the
model's scores (one per output).

  --model FILE   a model.json written by 'denograd train' (required)
  --input FILE   the points (default: stdin)
  --debug        print stack traces
  -h, --help     show this help
`;

/** Splits one CSV line into cells (with RFC 4180 quotes). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell.trim() === "") {
      quoted = true;
      cell = "";
    } else if (ch === ",") {
      out.push(cell);
      cell = "";
    } else cell += ch;
  }
  out.push(cell);
  return out;
}

/** Quotes a CSV cell when it needs it. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const isNumber = (s: string) => s.trim() !== "" && Number.isFinite(Number(s));

/**
 * Parses CSV points with `nin` features each, skipping a header row.
 *
 * @throws {UsageError} naming the first bad line.
 */
export function parsePoints(text: string, nin: number, source: string): number[][] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const points: number[][] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const row = cells(line);
    const features = row.slice(0, nin);
    if (points.length === 0 && i === lines.findIndex((l) => l.trim() !== "")) {
      if (!features.every(isNumber)) return; // a header
    }
    if (row.length !== nin && row.length !== nin + 1) {
      throw new UsageError(
        `Cannot predict as line ${i + 1} of ${source} must have ${nin} numbers (or ${
          nin + 1
        } with a label): current count is ${row.length}`,
      );
    }
    const bad = features.findIndex((s) => !isNumber(s));
    if (bad >= 0) {
      throw new UsageError(
        `Cannot predict as line ${i + 1}, column ${
          bad + 1
        } of ${source} must be a number: current value is ${show(features[bad])}`,
      );
    }
    points.push(features.map(Number));
  });
  if (points.length === 0) {
    throw new UsageError(`Cannot predict as ${source} has no points`);
  }
  return points;
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
    try {
      text = await Deno.readTextFile(values.input);
    } catch (error) {
      const why = error instanceof Deno.errors.NotFound
        ? "no file is there"
        : (error as Error).message;
      throw new UsageError(`Cannot predict as '--input' ${source} cannot be read: ${why}`);
    }
  } else {
    source = "stdin";
    if (stdin === Deno.stdin.readable && Deno.stdin.isTerminal()) {
      throw new UsageError(
        "Cannot predict as no points were given: pass '--input FILE' or pipe CSV points into stdin",
      );
    }
    text = await new Response(stdin).text();
  }
  const points = parsePoints(text, model.nin, source);
  const width = model.nouts[model.nouts.length - 1];
  const header = width === 1
    ? ["class", "score"]
    : ["class", ...file.classNames.map((name) => `score_${name}`)];
  const lines = [header.map(csvCell).join(",")];
  for (const x of points) {
    const scores = model.predict(x);
    const k = predictClass(scores);
    lines.push([csvCell(file.classNames[k] ?? String(k)), ...scores.map(String)].join(","));
  }
  io.stdout(lines.join("\n") + "\n");
  return EXIT.ok;
}
