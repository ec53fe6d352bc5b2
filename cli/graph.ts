/**
 * `denograd graph`: the computation graph of a saved model's forward pass on
 * one point, with every value's data and grad, as micrograd's `draw_dot`
 * draws it: as SVG laid out by the library (`toSvg`, no Graphviz and no
 * download) or as Graphviz DOT. A graph too large to read is not written: the
 * default then draws the output's neuron, and `--neuron` draws any other.
 *
 * @module
 */
import {
  ACTIVATION_FUNCTIONS,
  graphStats,
  GraphTooLargeError,
  type Mlp,
  type Neuron,
  toDot,
  toSvg,
  Value,
} from "../mod.ts";
import { EXIT, show, UsageError } from "./_errors.ts";
import { parseFlags } from "./_flags.ts";
import { compileFeatures, parseDecimal } from "../mod.ts";
import { type ModelFile, readModelFile } from "./model_file.ts";
import type { CommandIo } from "./train.ts";

/** The most values any picture holds, even with `--force`: beyond it no picture is readable. */
export const MAX_GRAPH_NODES = 20_000;

/** The largest picture written without `--force`: about a screen. */
export const SCREEN = { width: 1920, height: 1080 } as const;

/** The `graph` help text. */
export const GRAPH_HELP = `Draw the computation graph of a model's forward pass on one point.

Usage: denograd graph --model FILE --point X1,X2 [--neuron L1.N3] [--format svg|dot] > graph.svg

Runs the model on the point and draws every value with its data and grad, as
micrograd's draw_dot does (each w*x, the + that makes a neuron's z, its
activation): the whole forward pass of one output, after one backward() from
it, when it fits on a screen (${SCREEN.width}x${SCREEN.height} px). A larger
model gets the neuron that makes that output instead, and a note says how to
see more. SVG is laid out by denograd itself; DOT is for Graphviz.

  --model FILE     a model.json written by 'denograd train' (required)
  --point LIST     the input, one number per input of the data (the model's feature
                   crosses are applied), e.g. 0.5,-0.2 (required)
  --output INDEX   which output to draw, from 0 (default 0)
  --neuron NAME    draw one neuron instead: its inputs on the point, weights,
                   bias, forward pass, and the grads of its output, as in
                   micrograd's lecture. Layers and neurons count from 0, as the
                   parameters' labels do: L0.N3 is the 4th neuron of the first
                   hidden layer; the last layer's neurons make the outputs
  --full           draw the whole forward pass, not a neuron, however large
                   (with --force when it is larger than a screen)
  --format FORMAT  svg or dot (default svg; dot is for Graphviz)
  --force          write a picture larger than a screen anyway (at most
                   ${MAX_GRAPH_NODES.toLocaleString("en-US")} values)
  --debug          print stack traces
  -h, --help       show this help
`;

/** A neuron's place: layer and index, both from 0. */
interface NeuronName {
  layer: number;
  index: number;
}

/** Reads `--neuron`: `L<layer>.N<index>`, as the parameters' labels name neurons. */
function parseNeuron(text: string, model: Mlp): NeuronName {
  const m = /^L(0|[1-9]\d{0,5})\.N(0|[1-9]\d{0,6})$/.exec(text);
  if (m === null) {
    const loose = /^l0*(\d+)\.n0*(\d+)$/i.exec(text.trim());
    const hint = loose ? `; did you mean L${loose[1]}.N${loose[2]}?` : "";
    throw new UsageError(
      `Cannot graph as '--neuron' must name a neuron as L<layer>.N<index>, e.g. L0.N3${hint}: current value is ${
        show(text)
      }`,
    );
  }
  const layer = Number(m[1]);
  const index = Number(m[2]);
  const layers = model.nouts.length;
  if (layer >= layers) {
    throw new UsageError(
      `Cannot graph as '--neuron' names layer L${layer} but the model's layers are L0 to L${
        layers - 1
      }: current value is ${show(text)}`,
    );
  }
  const width = model.nouts[layer];
  if (index >= width) {
    throw new UsageError(
      `Cannot graph as '--neuron' names neuron N${index} but layer L${layer} has N0 to N${
        width - 1
      }: current value is ${show(text)}`,
    );
  }
  return { layer, index };
}

/**
 * A neuron's forward pass as micrograd's lecture draws it: each `w*x` its own
 * node, one `+` of the bias and the terms (the pre-activation `z`, its data
 * the very number the model computes), then the activation.
 */
function neuronOps(neuron: Neuron, inputs: readonly Value[], name: string): Value {
  const terms = inputs.map((x, i) => {
    const t = neuron.w[i].mul(x);
    t.label = `w${i}*${x.label}`;
    return t;
  });
  const z = Value.sum([neuron.b, ...terms]);
  z.label = `${name}.z`;
  const out = ACTIVATION_FUNCTIONS[neuron.activation].value(z);
  out.label = name;
  return out;
}

/** The most terms `w·x` a neuron's picture shows without `--force`; it then fits on a screen. */
export const MAX_TERMS = 16;

/**
 * One neuron's forward pass on the point: its inputs (the point, or the
 * previous layer's outputs on it) as labelled leaves, then `backward()` from
 * its output. A neuron of more than `maxTerms` inputs shows its `maxTerms`
 * largest terms `w·x` and sums the others into one value; `note` says so.
 */
function neuronGraph(
  model: Mlp,
  point: number[],
  { layer, index }: NeuronName,
  featureNames: readonly string[],
  maxTerms: number,
): { root: Value; note: string } {
  let acts = point;
  for (let l = 0; l < layer; l++) acts = model.layers[l].forward(acts).map((v) => v.data);
  const inputs = acts.map((x, i) =>
    new Value(x, { label: layer === 0 ? featureNames[i] ?? `x${i + 1}` : `L${layer - 1}.N${i}` })
  );
  const neuron = model.layers[layer].neurons[index];
  const name = `L${layer}.N${index}`;
  let out: Value;
  let note = "";
  if (inputs.length <= maxTerms) {
    out = neuronOps(neuron, inputs, name);
  } else {
    // The largest contributions, in input order; the rest summed into one leaf.
    const bySize = inputs.map((_, i) => i).sort((a, b) =>
      Math.abs(neuron.w[b].data * acts[b]) - Math.abs(neuron.w[a].data * acts[a]) || a - b
    );
    const shown = bySize.slice(0, maxTerms).sort((a, b) => a - b);
    const hidden = bySize.slice(maxTerms);
    let restSum = 0;
    for (const i of hidden) restSum += neuron.w[i].data * acts[i];
    const terms = shown.map((i) => {
      const t = neuron.w[i].mul(inputs[i]);
      t.label = `w${i}*${inputs[i].label}`;
      return t;
    });
    const rest = new Value(restSum, { label: `${hidden.length} more terms` });
    const z = Value.sum([neuron.b, ...terms, rest]);
    z.label = `${name}.z`;
    out = ACTIVATION_FUNCTIONS[neuron.activation].value(z);
    note =
      `${name} has ${inputs.length} inputs: the picture shows the ${maxTerms} largest terms w*x and sums the other ${hidden.length} into one value (its data may differ from the model's in the last digits); --force draws every term.`;
  }
  out.label = name;
  // One backward pass, from grads of 0: the model's parameters may carry an earlier pass's.
  model.zeroGrad();
  out.backward();
  return { root: out, note };
}

/** Why the picture of `root` does not fit on a screen, or null when it does. */
function tooLarge(root: Value): GraphTooLargeError | null {
  try {
    toSvg(root, { maxWidth: SCREEN.width, maxHeight: SCREEN.height });
    return null;
  } catch (e) {
    if (!(e instanceof GraphTooLargeError)) throw e;
    // A graph far too large is refused before its layout, with a lower bound
    // of its size; lay out one of moderate size to say how large it is.
    if (e.nodes > 3000) return e;
    const svg = toSvg(root, { maxWidth: Infinity, maxHeight: Infinity });
    const [width, height] = ["width", "height"].map((a) =>
      Number(new RegExp(`${a}="([\\d.]+)"`).exec(svg)?.[1])
    );
    return new GraphTooLargeError(e.nodes, width, height, SCREEN.width, SCREEN.height);
  }
}

function size(e: GraphTooLargeError): string {
  return `about ${Math.ceil(e.width)}x${Math.ceil(e.height)} px`;
}

/** What `graph` draws, from its flags. */
interface GraphRequest {
  model: string;
  point: string;
  format: "dot" | "svg";
  neuron?: string;
  output?: string;
  full: boolean;
  force: boolean;
}

/** Checks the flags of `graph` that do not need the model. */
function readGraphRequest(values: Record<string, unknown>): GraphRequest {
  const format = values.format ?? "svg";
  if (format !== "dot" && format !== "svg") {
    throw new UsageError(
      `Cannot graph as '--format' must be dot or svg: current value is ${show(format)}`,
    );
  }
  if (values.neuron !== undefined && values.full) {
    throw new UsageError(
      "Cannot graph as '--neuron' and '--full' ask for different pictures: give one of them",
    );
  }
  if (values.neuron !== undefined && values.output !== undefined) {
    throw new UsageError(
      "Cannot graph as '--neuron' and '--output' both choose what to draw: give one of them",
    );
  }
  if (typeof values.model !== "string") {
    throw new UsageError("Cannot graph as '--model' is missing: give the model.json to draw");
  }
  if (typeof values.point !== "string") {
    throw new UsageError("Cannot graph as '--point' is missing: give the input, e.g. 0.5,-0.2");
  }
  return {
    model: values.model,
    point: values.point,
    format,
    neuron: values.neuron === undefined ? undefined : String(values.neuron),
    output: typeof values.output === "string" ? values.output : undefined,
    full: values.full === true,
    force: values.force === true,
  };
}

/** The model's inputs at `--point`, given in the data's own inputs (features applied). */
function modelPoint(file: ModelFile, text: string): number[] {
  // The point is in the data's own inputs; a model of feature crosses takes its features of it.
  const inputs = file.inputNames ?? file.featureNames;
  const raw = text.split(",").map(parseDecimal);
  if (raw.length !== inputs.length || !raw.every(Number.isFinite)) {
    throw new UsageError(
      `Cannot graph as '--point' must be ${inputs.length} comma-separated numbers (${
        inputs.join(", ")
      }): current value is ${show(text)}`,
    );
  }
  const crossed = file.featureNames.join(",") !== inputs.join(",");
  const point = crossed ? compileFeatures(file.featureNames, inputs).apply(raw) : raw;
  if (!point.every(Number.isFinite)) {
    throw new UsageError(
      `Cannot graph as the model's features of '--point' must be finite: current values are ${
        show(point)
      }`,
    );
  }
  return point;
}

/** One neuron's picture (`--neuron`), refused when larger than a screen unless forced. */
function drawNeuron(
  model: Mlp,
  point: number[],
  file: ModelFile,
  request: GraphRequest & { neuron: string },
  io: CommandIo,
): Value {
  const name = parseNeuron(request.neuron, model);
  const drawn = neuronGraph(
    model,
    point,
    name,
    file.featureNames,
    request.force ? Infinity : MAX_TERMS,
  );
  if (drawn.note !== "") io.stderr(`Note: ${drawn.note}\n`);
  const big = request.force ? null : tooLarge(drawn.root);
  if (big !== null) {
    throw new UsageError(
      `Cannot graph as neuron ${request.neuron}'s picture would be ${
        size(big)
      }, larger than a screen (its layer has ${
        model.layers[name.layer].neurons[0].w.length
      } inputs): pass --force to write it anyway`,
    );
  }
  return drawn.root;
}

/**
 * The whole forward pass to output `index`, counted before it is built (a
 * huge model would take long to build, and no one could read it); or `null`
 * with its size when it is too large.
 */
function wholePass(
  model: Mlp,
  point: number[],
  file: ModelFile,
  index: number,
  force: boolean,
): { whole: Value | null; big: GraphTooLargeError | null; estimate: number } {
  const params = model.layers.reduce(
    (n, l) => n + l.neurons.length * (l.neurons[0].w.length + 1),
    0,
  );
  const estimate = params + model.nin + 2 * model.nouts.reduce((a, b) => a + b, 0);
  if (estimate > MAX_GRAPH_NODES) return { whole: null, big: null, estimate };
  // Layer by layer, as Mlp.forward() goes, to name each neuron's output.
  let acts: Value[] = point.map((x, i) => new Value(x, { label: file.featureNames[i] }));
  model.layers.forEach((layer, l) => {
    const prev = acts;
    acts = layer.neurons.map((n, j) => neuronOps(n, prev, `L${l}.N${j}`));
  });
  const whole = acts[index];
  whole.label = scoreLabel(file, model, index);
  // One backward pass, from grads of 0: the model's parameters may carry an earlier pass's.
  model.zeroGrad();
  whole.backward();
  return { whole, big: force ? null : tooLarge(whole), estimate };
}

/** The label of output `index`: its class's score. */
function scoreLabel(file: ModelFile, model: Mlp, index: number): string {
  return model.nouts[model.nouts.length - 1] === 1 ? "score" : `score_${file.classNames[index]}`;
}

/**
 * The whole forward pass to output `index`; when too large, the output
 * neuron alone (with a note), or a refusal with `--full`.
 */
function drawOutput(
  model: Mlp,
  point: number[],
  file: ModelFile,
  index: number,
  request: GraphRequest,
  io: CommandIo,
): Value {
  const { whole, big, estimate } = wholePass(model, point, file, index, request.force);
  if (whole !== null && big === null) return whole;
  const last = model.nouts.length - 1;
  if (request.full) {
    throw new UsageError(
      whole === null
        ? `Cannot graph as the whole forward pass has about ${
          estimate.toLocaleString("en-US")
        } values, more than the ${
          MAX_GRAPH_NODES.toLocaleString("en-US")
        } any picture may hold: draw one neuron with --neuron L${last}.N${index}`
        : `Cannot graph as the whole forward pass would be ${
          size(big!)
        }, larger than a screen: pass --force to write it anyway, or draw one neuron with --neuron L${last}.N${index}`,
    );
  }
  const drawn = neuronGraph(
    model,
    point,
    { layer: last, index },
    file.featureNames,
    request.force ? Infinity : MAX_TERMS,
  );
  const what = whole === null
    ? `has about ${estimate.toLocaleString("en-US")} values`
    : `would be ${size(big!)}`;
  io.stderr(
    `Note: the whole forward pass ${what}, too large to read, so this is the neuron that makes ${
      scoreLabel(file, model, index)
    }, L${last}.N${index}. Draw another with --neuron L<layer>.N<index>, or everything with --full.${
      drawn.note === "" ? "" : ` ${drawn.note}`
    }\n`,
  );
  const neuronBig = request.force ? null : tooLarge(drawn.root);
  if (neuronBig !== null) {
    throw new UsageError(
      `Cannot graph as even the output neuron L${last}.N${index}'s picture would be ${
        size(neuronBig)
      }, larger than a screen: pass --force to write it anyway`,
    );
  }
  return drawn.root;
}

/** Runs `graph` with `args`; resolves with the exit code. */
export async function graphCommand(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags("graph", args, {
    model: { type: "string" },
    point: { type: "string" },
    output: { type: "string" },
    neuron: { type: "string" },
    full: { type: "boolean" },
    format: { type: "string" },
    force: { type: "boolean" },
    debug: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(GRAPH_HELP);
    return EXIT.ok;
  }
  const request = readGraphRequest(values);
  const { file, model } = await readModelFile(request.model, "graph");
  const point = modelPoint(file, request.point);
  const width = model.nouts[model.nouts.length - 1];
  const index = request.output !== undefined ? parseDecimal(request.output) : 0;
  if (!Number.isInteger(index) || index < 0 || index >= width) {
    throw new UsageError(
      `Cannot graph as '--output' must be an integer from 0 to ${width - 1}: current value is ${
        show(values.output)
      }`,
    );
  }
  const root = request.neuron !== undefined
    ? drawNeuron(model, point, file, { ...request, neuron: request.neuron }, io)
    : drawOutput(model, point, file, index, request, io);
  const { nodes } = graphStats(root);
  if (nodes > MAX_GRAPH_NODES) {
    throw new UsageError(
      `Cannot graph as the picture would hold ${
        nodes.toLocaleString("en-US")
      } values, more than the ${
        MAX_GRAPH_NODES.toLocaleString("en-US")
      } any picture may hold: draw one neuron with --neuron`,
    );
  }
  io.stdout(
    request.format === "dot"
      ? toDot(root)
      : toSvg(root, { maxWidth: Infinity, maxHeight: Infinity }) + "\n",
  );
  return EXIT.ok;
}
