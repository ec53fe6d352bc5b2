/**
 * `denograd graph`: the computation graph of a saved model's forward pass on
 * one point, as Graphviz DOT or as SVG drawn by Graphviz compiled to
 * WebAssembly (`@viz-js/viz`, offline).
 *
 * @module
 */
import { graphStats, toDot, Value } from "../mod.ts";
import { EXIT, show, UsageError } from "./_errors.ts";
import { parseFlags } from "./_flags.ts";
import { parseDecimal } from "../mod.ts";
import { readModelFile } from "./model_file.ts";
import type { CommandIo } from "./train.ts";

/** The largest graph drawn without `--force`. */
export const MAX_GRAPH_NODES = 2000;

/** The `graph` help text. */
export const GRAPH_HELP = `Draw the computation graph of a model's forward pass on one point.

Usage: denograd graph --model FILE --point X1,X2 [--format dot|svg] > graph.dot

Runs the model on the point, calls backward() on the chosen output, and writes
every Value with its data and grad, as micrograd's draw_dot does.

  --model FILE     a model.json written by 'denograd train' (required)
  --point LIST     the input, one number per feature, e.g. 0.5,-0.2 (required)
  --output INDEX   which output to draw, from 0 (default 0)
  --format FORMAT  dot or svg (default dot); svg needs no Graphviz install
  --force          draw a graph above ${MAX_GRAPH_NODES} nodes anyway
  --debug          print stack traces
  -h, --help       show this help
`;

/** Runs `graph` with `args`; resolves with the exit code. */
export async function graphCommand(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags("graph", args, {
    model: { type: "string" },
    point: { type: "string" },
    output: { type: "string" },
    format: { type: "string" },
    force: { type: "boolean" },
    debug: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(GRAPH_HELP);
    return EXIT.ok;
  }
  const format = values.format ?? "dot";
  if (format !== "dot" && format !== "svg") {
    throw new UsageError(
      `Cannot graph as '--format' must be dot or svg: current value is ${show(format)}`,
    );
  }
  if (typeof values.model !== "string") {
    throw new UsageError("Cannot graph as '--model' is missing: give the model.json to draw");
  }
  if (typeof values.point !== "string") {
    throw new UsageError("Cannot graph as '--point' is missing: give the input, e.g. 0.5,-0.2");
  }
  const { file, model } = await readModelFile(values.model, "graph");
  const parts = values.point.split(",");
  const point = parts.map(parseDecimal);
  if (point.length !== model.nin || !point.every(Number.isFinite)) {
    throw new UsageError(
      `Cannot graph as '--point' must be ${model.nin} comma-separated numbers (${
        file.featureNames.join(", ")
      }): current value is ${show(values.point)}`,
    );
  }
  const width = model.nouts[model.nouts.length - 1];
  const index = typeof values.output === "string" ? parseDecimal(values.output) : 0;
  if (!Number.isInteger(index) || index < 0 || index >= width) {
    throw new UsageError(
      `Cannot graph as '--output' must be an integer from 0 to ${width - 1}: current value is ${
        show(values.output)
      }`,
    );
  }
  const inputs = point.map((x, i) => new Value(x, { label: file.featureNames[i] }));
  const root = model.forward(inputs)[index];
  root.label ||= width === 1 ? "score" : `score_${file.classNames[index]}`;
  const { nodes } = graphStats(root);
  if (nodes > MAX_GRAPH_NODES && !values.force) {
    throw new UsageError(
      `Cannot graph as the graph has ${nodes} nodes, too many to read (the limit is ${MAX_GRAPH_NODES}): use a smaller model or pass --force`,
    );
  }
  root.backward();
  const dot = toDot(root);
  if (format === "dot") {
    io.stdout(dot);
    return EXIT.ok;
  }
  const { instance } = await import("@viz-js/viz");
  const viz = await instance();
  // Graphviz in WebAssembly has no fonts to measure: it sizes text by the
  // metrics it knows, which include Courier but not "monospace", whose labels
  // would overflow their boxes.
  const sized = dot.replace(/fontname=monospace/g, "fontname=Courier");
  io.stdout(viz.renderString(sized, { format: "svg" }));
  return EXIT.ok;
}
