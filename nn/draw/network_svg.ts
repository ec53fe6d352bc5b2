/**
 * The network diagram of an {@linkcode Mlp} as SVG text, in the style of
 * TensorFlow Playground: inputs on the left, one column per layer, each
 * weight a curve coloured by its sign and as thick as its magnitude, and, for
 * a model of two inputs, a small heatmap in each neuron of its own output
 * over the input plane. No DOM and no `Deno.*`: it runs in Deno, a browser
 * page, a worker and a Jupyter notebook.
 *
 * @module
 */
import { escapeXml } from "./value_svg.ts";
import type { Mlp } from "../model/mlp.ts";
import {
  HEX_COLOUR,
  hexOf as hex,
  NEGATIVE,
  paperColour,
  POSITIVE,
  rgbOf,
  scaleColour,
} from "./palette.ts";
import { compileFeatures } from "../data/features.ts";
import { pngDataUrl } from "./_png.ts";

/** Options for {@linkcode networkSvg}. */
export interface NetworkSvgOptions {
  /**
   * The most neurons drawn per column (inputs included). A wider layer shows
   * its `maxNeurons` most important neurons, most important first (by the sum
   * of the magnitudes of their outgoing weights), and says how many more it
   * has; weights are drawn between drawn neurons only.
   *
   * @default {16}
   */
  maxNeurons?: number;
  /**
   * Draw in each neuron its output over the data, as TensorFlow Playground
   * does: for 2-D data a heatmap over the plane; for 1-D data a curve over
   * x; for more inputs a heatmap over the two most important ones, the others
   * at `center`. Only when `resolution² × parameters` is at most 5 million,
   * a fraction of a second (else the note under the picture says they were
   * left out).
   *
   * @default {true}
   */
  heatmaps?: boolean;
  /**
   * The data's plane: `[xMin, xMax, yMin, yMax]` over the two inputs drawn
   * (for 1-D data, `[xMin, xMax]` is the curve's range).
   *
   * @default {[-2, 2, -2, 2]}
   */
  extent?: readonly [number, number, number, number];
  /**
   * Heatmap pixels per side, from 2 to 128.
   *
   * @default {16}
   */
  resolution?: number;
  /**
   * Names of the model's inputs, shown left of them (escaped).
   *
   * @default {features, or ["x1", "x2", ...]}
   */
  inputNames?: readonly string[];
  /**
   * Names of the outputs, shown right of them (escaped).
   *
   * @default {["y"] for one output, else ["y0", "y1", ...]}
   */
  outputNames?: readonly string[];
  /**
   * The model's inputs as feature crosses of the data's inputs, e.g.
   * `["x1^2", "x2^2"]`: each picture feeds the model these features of each
   * point of the plane, as training did. None by default: the model's inputs
   * are the data's.
   */
  features?: readonly string[];
  /**
   * The data's inputs, which `features` are written over and the plane's axes
   * are named after.
   *
   * @default {["x1", "x2"] with features, else inputNames}
   */
  dataInputNames?: readonly string[];
  /**
   * For data of more than two inputs: the value each input not on the
   * plane's axes is held at (the data's mean, say).
   *
   * @default {0 for each}
   */
  center?: readonly number[];
  /**
   * For data of more than two inputs: each input's `[min, max]`, so that
   * the tiles span the data along the two inputs drawn (in place of
   * `extent`).
   */
  ranges?: readonly (readonly [number, number])[];
  /** An `id` for the `<svg>` element, e.g. `"network"`; none by default. */
  id?: string;
  /**
   * The colour the picture is drawn on, `#rrggbb` (a dark page's card, say):
   * its ground and neurons are filled with it, and its heatmaps and their
   * colour scale fade into it at 0, as a page's plane does
   * ({@linkcode paperColour}). A page restyles the rest (text, outlines)
   * through the classes every part carries: `nw-ground`, `nw-box`,
   * `nw-text`, `nw-muted`, `nw-rule`, `nw-curve`.
   *
   * @default {white, the heatmaps on TensorFlow Playground's scale (grey at 0)}
   */
  paper?: string;
}

/** Playground's colours, from the one palette: negative, zero, positive. */
const HEX_NEGATIVE = hex(NEGATIVE);
const HEX_ZERO = "#c8cacb";
const HEX_POSITIVE = hex(POSITIVE);

const NODE = 36; // a neuron's square
const PITCH = 50; // from one neuron to the next, down a column
const COLUMN = 150; // from one column to the next
const LEFT = 80; // room for the input names
const RIGHT = 90; // room for the output names
const TOP = 42; // room for the column headings
const HEATMAP_BUDGET = 5_000_000;

/** A number for a tooltip: 4 decimals, or 4 digits of exponent for the very large and small. */
function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e5 || a < 1e-4) ? x.toExponential(3) : x.toFixed(4);
}

/** A coordinate, to one decimal. */
function px(x: number): number {
  return Math.round(x * 10) / 10;
}

function checkOptions(model: Mlp, options: NetworkSvgOptions) {
  const {
    maxNeurons = 16,
    heatmaps = true,
    extent = [-2, 2, -2, 2],
    resolution = 16,
    outputNames = [],
    features,
    id,
    paper,
  } = options;
  const fail = (what: string, want: string, got: unknown): never => {
    throw new RangeError(
      `Cannot draw the network as '${what}' must be ${want}: current value is ${
        JSON.stringify(got)
      }`,
    );
  };
  if (!Number.isInteger(maxNeurons) && maxNeurons !== Infinity || maxNeurons < 1) {
    fail("maxNeurons", "a positive integer or Infinity", maxNeurons);
  }
  if (!Number.isInteger(resolution) || resolution < 2 || resolution > 128) {
    fail("resolution", "an integer from 2 to 128", resolution);
  }
  if (
    !Array.isArray(extent) || extent.length !== 4 || !extent.every(Number.isFinite) ||
    !(extent[0] < extent[1]) || !(extent[2] < extent[3])
  ) {
    fail("extent", "[xMin, xMax, yMin, yMax] with each min below its max", extent);
  }
  if (paper !== undefined && !HEX_COLOUR.test(String(paper))) {
    fail("paper", "a colour as #rrggbb", paper);
  }
  if (features !== undefined && features.length !== model.nin) {
    fail("features", `one expression per input of the model (${model.nin})`, features);
  }
  const nout = model.nouts[model.nouts.length - 1];
  const inputs = Array.from(
    { length: model.nin },
    (_, i) => String(options.inputNames?.[i] ?? features?.[i] ?? `x${i + 1}`),
  );
  const outputs = Array.from(
    { length: nout },
    (_, i) => String(outputNames[i] ?? (nout === 1 ? "y" : `y${i}`)),
  );
  const dataInputs = (options.dataInputNames ?? (features ? ["x1", "x2"] : inputs)).map(String);
  // The model's inputs at a point of the data: its features, or the point itself.
  const toModel: (point: readonly number[]) => readonly number[] = features
    ? compileFeatures(features, dataInputs).apply
    : (point) => point;
  const center = dataInputs.map((_, i) => options.center?.[i] ?? 0);
  return {
    maxNeurons,
    heatmaps,
    extent,
    resolution,
    inputs,
    outputs,
    dataInputs,
    toModel,
    center,
    id,
    paper,
    colour: colouring(paper),
  };
}

/** The largest finite magnitude in `values`. */
function largest(values: Float64Array): number {
  let max = 0;
  for (const v of values) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  return max;
}

/** How a value in [-1, 1] is coloured: Playground's scale, or fading into `paper`. */
type Colouring = (t: number, rgb: Uint8Array | number[], at: number) => void;

function colouring(paper: string | undefined): Colouring {
  if (paper === undefined) return scaleColour;
  const ground = rgbOf(paper);
  return (t, rgb, at) => paperColour(t, ground, rgb, at);
}

/** A heatmap of `values` (row-major, top row first), each scaled by the largest magnitude. */
function heatmap(values: Float64Array, resolution: number, colour: Colouring): string {
  const max = largest(values);
  const rgb = new Uint8Array(values.length * 3);
  for (let i = 0; i < values.length; i++) colour(max === 0 ? 0 : values[i] / max, rgb, i * 3);
  return pngDataUrl(resolution, resolution, rgb);
}

/**
 * Every drawn neuron's output over the data: `tiles[c][k]` holds the k-th
 * drawn neuron of column `c` (column 0 is the model's inputs) at each point
 * of `points` (the data's inputs), the model fed its features of each.
 */
function outputsOver(
  model: Mlp,
  order: number[][],
  points: number[][],
  toModel: (point: readonly number[]) => readonly number[],
): Float64Array[][] {
  const tiles = order.map((o) => o.map(() => new Float64Array(points.length)));
  points.forEach((point, cell) => {
    let out = toModel(point);
    order[0].forEach((i, k) => tiles[0][k][cell] = out[i]);
    model.layers.forEach((layer, l) => {
      out = layer.forward(out).map((v) => v.data);
      order[l + 1].forEach((j, k) => tiles[l + 1][k][cell] = out[j]);
    });
  });
  return tiles;
}

/**
 * Which neurons each column draws, in order: all, in index order, when they
 * fit; else the `max` with the largest sum of outgoing |w| (the outputs, which
 * have none, by index), most important first.
 */
function drawnNeurons(model: Mlp, max: number): number[][] {
  const sizes = [model.nin, ...model.nouts];
  return sizes.map((n, c) => {
    const all = Array.from({ length: n }, (_, i) => i);
    if (n <= max) return all;
    if (c === sizes.length - 1) return all.slice(0, max);
    const weight = all.map((i) => {
      let sum = 0;
      for (const next of model.layers[c].neurons) {
        const w = Math.abs(next.w[i].data);
        if (Number.isFinite(w)) sum += w;
      }
      return sum;
    });
    return all.sort((a, b) => weight[b] - weight[a] || a - b).slice(0, max);
  });
}

/**
 * Draws the network diagram of `model` as SVG text.
 *
 * Each neuron is a `<g data-neuron="L0.N3">` (layers and neurons counted from
 * 0, as the parameters' labels are), each weight a `<path
 * data-weight="L0.N3.w0">` and each bias a `<rect data-bias="L0.N3.b">`;
 * inputs are `<g data-input="x1">`. Every input and neuron also carries
 * `data-node` (`in0`, `L0.N3`), and each weight `data-from` and `data-to`
 * naming its two ends, so that a page can highlight them. Weights are blue
 * when positive and orange when negative, and thicker and more opaque the
 * larger they are relative to the largest. Hovering a weight, a bias or a
 * neuron shows its value and its grad (a `<title>`). Each heatmap is an
 * `<image data-max>`, its colours scaled to that largest |value|; each curve
 * a `<polyline data-max>`. Every name is escaped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp, networkSvg } from "../../mod.ts";
 * const model = new Mlp(2, [4, 1], { seed: 1 });
 * const svg = networkSvg(model, { extent: [-1.5, 2.5, -1, 1.5] });
 * assert.ok(svg.startsWith("<svg"));
 * assert.equal(svg.match(/data-neuron=/g)!.length, 5);
 * assert.equal(svg.match(/data-weight=/g)!.length, 2 * 4 + 4 * 1);
 * ```
 *
 * @example A model of feature crosses: its tiles are of x1^2 and x2^2
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp, networkSvg } from "../../mod.ts";
 * const model = new Mlp(2, [1], { seed: 1 });
 * const svg = networkSvg(model, { features: ["x1^2", "x2^2"] });
 * assert.match(svg, /data-input="x1\^2"/);
 * ```
 *
 * @throws {RangeError} when an option is out of range.
 */
export function networkSvg(model: Mlp, options: NetworkSvgOptions = {}): string {
  const opts = checkOptions(model, options);
  const sizes = [model.nin, ...model.nouts];
  const order = drawnNeurons(model, opts.maxNeurons);
  const drawn = order.map((o) => o.length);
  const rows = Math.max(...drawn);
  const width = LEFT + (sizes.length - 1) * COLUMN + NODE + RIGHT;
  const cx = (c: number) => LEFT + c * COLUMN + NODE / 2;
  const cy = (c: number, k: number) => TOP + (rows - drawn[c]) * PITCH / 2 + k * PITCH + NODE / 2;
  const params = model.layers.reduce(
    (n, l) => n + l.neurons.length * (l.neurons[0].w.length + 1),
    0,
  );
  const plane = planeOf(model, opts, options);
  const heatmapsFit = plane.points.length * params <= HEATMAP_BUDGET;
  const tiles = opts.heatmaps && heatmapsFit
    ? outputsOver(model, order, plane.points, opts.toModel)
    : null;
  const draw: Drawing = { model, opts, sizes, order, drawn, rows, cx, cy, tiles, plane };
  const notDrawn = sizes.flatMap((n, c) =>
    n > drawn[c] ? [`${c === 0 ? "inputs" : `L${c - 1}`}: ${drawn[c]} of ${n}`] : []
  );
  const wrapped = wrap(notes(draw, notDrawn, heatmapsFit, params), width);
  const moreRow = notDrawn.length > 0 ? 18 : 0;
  const scaleRow = tiles !== null && !plane.oneD ? 22 : 0;
  const height = TOP + rows * PITCH + moreRow + scaleRow + wrapped.length * 14 + 8;
  const { x0, x1, y0, y1 } = plane;
  const idAttr = opts.id === undefined ? "" : ` id="${escapeXml(opts.id)}"`;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg"${idAttr} data-extent="${
      [x0, x1, y0, y1].join(" ")
    }" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11" role="img" aria-label="${
      escapeXml(`Network ${sizes.join("-")}`)
    }">`,
    `<rect class="nw-ground" width="${width}" height="${height}" fill="${
      opts.paper ?? "#ffffff"
    }"/>`,
  ];
  // Column headings.
  sizes.forEach((n, c) => {
    const what = c === 0
      ? `${n} input${n === 1 ? "" : "s"}`
      : `L${c - 1}: ${n} ${model.layers[c - 1].neurons[0].activation}`;
    out.push(
      `<text class="nw-text" x="${cx(c)}" y="${TOP - 18}" text-anchor="middle" fill="#333">${
        escapeXml(what)
      }</text>`,
    );
  });
  // Weights under the neurons, then the neurons, then what is below them.
  out.push(...weightPaths(draw), ...inputGroups(draw), ...neuronGroups(draw));
  out.push(...footer(draw, wrapped, TOP + rows * PITCH + moreRow, scaleRow));
  out.push("</svg>");
  return out.join("\n");
}

/** What the parts of {@linkcode networkSvg}'s picture share: the model, where each neuron sits, the tiles. */
interface Drawing {
  model: Mlp;
  opts: ReturnType<typeof checkOptions>;
  sizes: number[];
  order: number[][];
  drawn: number[];
  rows: number;
  cx: (c: number) => number;
  cy: (c: number, k: number) => number;
  tiles: Float64Array[][] | null;
  plane: Plane;
}

/** The data's plane (or line) that each tile shows, and the points sampled over it. */
interface Plane {
  dims: number;
  oneD: boolean;
  axes: number[];
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  points: number[][];
}

/** What each tile shows: a curve over x (1-D data), or a heatmap over two of the data's inputs. */
function planeOf(
  model: Mlp,
  opts: ReturnType<typeof checkOptions>,
  options: NetworkSvgOptions,
): Plane {
  const { resolution, extent } = opts;
  const dims = opts.dataInputs.length;
  const oneD = dims === 1;
  const samples = oneD ? 4 * resolution : resolution * resolution;
  let axes = [0, 1];
  if (dims > 2) {
    // The two data inputs the first layer weighs most (by model input when there are no crosses).
    const byWeight = options.features ? [0, 1] : drawnNeurons(model, 2)[0];
    axes = byWeight.slice().sort((a, b) => a - b);
  }
  const span = (i: number) => options.ranges?.[i];
  const spans = dims > 2 && span(axes[0]) && span(axes[1])
    ? [...span(axes[0])!, ...span(axes[1])!]
    : extent;
  const [x0, x1, y0, y1] = spans.every(Number.isFinite) && spans[0] < spans[1] &&
      spans[2] < spans[3]
    ? spans
    : extent;
  const points: number[][] = [];
  if (oneD) {
    for (let i = 0; i < samples; i++) points.push([x0 + i / (samples - 1) * (x1 - x0)]);
  } else {
    for (let r = 0; r < resolution; r++) {
      const y = y1 - (r + 0.5) / resolution * (y1 - y0);
      for (let c = 0; c < resolution; c++) {
        const point = opts.center.slice();
        point[axes[0]] = x0 + (c + 0.5) / resolution * (x1 - x0);
        point[axes[1]] = y;
        points.push(point);
      }
    }
  }
  return { dims, oneD, axes, x0, x1, y0, y1, points };
}

/** The notes under the picture: what is not drawn, and the key. */
function notes(draw: Drawing, notDrawn: string[], heatmapsFit: boolean, params: number): string[] {
  const { opts, plane: { oneD, axes, dims, x0, x1 } } = draw;
  const lines: string[] = [];
  if (notDrawn.length > 0) {
    lines.push(
      `Drawn at most ${opts.maxNeurons} per layer (${
        notDrawn.join("; ")
      }), the most important first: largest sum of outgoing |weight|.`,
    );
  }
  if (opts.heatmaps && !heatmapsFit) {
    lines.push("Heatmaps left out: the model is too large to evaluate over the plane here.");
  }
  const names = opts.dataInputs;
  if (draw.tiles !== null) {
    lines.push(
      oneD
        ? `Each curve: the neuron's output over ${names[0]} from ${fmtShort(x0)} to ${
          fmtShort(x1)
        } (dashed: 0), scaled to its largest |value|.`
        : `Each tile: the neuron's output over ${names[axes[0]]} (across) and ${
          names[axes[1]]
        } (up)${
          dims > 2
            ? `, ${
              names.flatMap((n, i) =>
                axes.includes(i) ? [] : [`${n} = ${fmtShort(opts.center[i])}`]
              ).join(", ")
            }`
            : ""
        }; colour scale below, each tile scaled to its largest |value|.`,
    );
  }
  lines.push(
    `${draw.sizes.join("-")}, ${
      params.toLocaleString("en-US")
    } parameters. Weights: blue > 0 > orange; hover or tap for values and grads.`,
  );
  return lines;
}

/** Notes wrapped to the picture's width (about 5.3 px a character at 10 px). */
function wrap(lines: string[], width: number): string[] {
  const perLine = Math.max(30, Math.floor((width - 16) / 5.3));
  return lines.flatMap((line) => {
    const out: string[] = [];
    let cur = "";
    for (const word of line.split(" ")) {
      if (cur !== "" && cur.length + 1 + word.length > perLine) {
        out.push(cur);
        cur = word;
      } else cur = cur === "" ? word : `${cur} ${word}`;
    }
    return [...out, cur];
  });
}

/** Blue for a positive number, orange for a negative one, grey for 0. */
function signColour(x: number): string {
  return x > 0 ? HEX_POSITIVE : x < 0 ? HEX_NEGATIVE : HEX_ZERO;
}

/** The `data-node` name of the i-th neuron of column `c`. */
function nodeId(c: number, i: number): string {
  return c === 0 ? `in${i}` : `L${c - 1}.N${i}`;
}

/** The weights between drawn neurons, as a `<g>` of curves. */
function weightPaths(draw: Drawing): string[] {
  const { model, order, drawn, cx, cy, opts } = draw;
  let maxWeight = 0;
  for (const layer of model.layers) {
    for (const n of layer.neurons) {
      for (const w of n.w) {
        if (Number.isFinite(w.data)) maxWeight = Math.max(maxWeight, Math.abs(w.data));
      }
    }
  }
  const out = [`<g fill="none" stroke-linecap="round">`];
  model.layers.forEach((layer, l) => {
    const src = l;
    const dst = l + 1;
    order[dst].forEach((j, jk) => {
      const neuron = layer.neurons[j];
      order[src].forEach((i, ik) => {
        const w = neuron.w[i];
        const share = maxWeight === 0 || !Number.isFinite(w.data)
          ? 0
          : Math.abs(w.data) / maxWeight;
        const xa = cx(src) + NODE / 2;
        const ya = cy(src, ik);
        const xb = cx(dst) - NODE / 2;
        // Spread the ends over the neuron's side, as Playground does.
        const yb = cy(dst, jk) + (ik - (drawn[src] - 1) / 2) / drawn[src] * (NODE - 8);
        const mid = (xa + xb) / 2;
        const name = `L${l}.N${j}.w${i}`;
        const from = src === 0 ? opts.inputs[i] : `L${l - 1}.N${i}`;
        out.push(
          `<path data-weight="${name}" data-from="${nodeId(src, i)}" data-to="${
            nodeId(dst, j)
          }" d="M${px(xa)} ${px(ya)}C${px(mid)} ${px(ya)} ${px(mid)} ${px(yb)} ${px(xb)} ${
            px(yb)
          }" stroke="${signColour(w.data)}" stroke-width="${
            px(0.5 + 2.5 * share)
          }" stroke-opacity="${px(0.2 + 0.8 * share)}"><title>${
            escapeXml(
              `${name} = ${fmt(w.data)}, grad ${fmt(w.grad)} (${from} to L${l}.N${j})`,
            )
          }</title></path>`,
        );
      });
    });
  });
  out.push(`</g>`);
  return out;
}

/** The tile of the k-th drawn neuron of column `c` at `(x, y)`: a heatmap or a curve, or nothing. */
function picture(draw: Drawing, c: number, k: number, x: number, y: number): string {
  if (draw.tiles === null) return "";
  const values = draw.tiles[c][k];
  const max = largest(values);
  if (!draw.plane.oneD) {
    return `<image data-max="${max}" x="${x + 1}" y="${y + 1}" width="${NODE - 2}" height="${
      NODE - 2
    }" preserveAspectRatio="none" style="image-rendering:pixelated" href="${
      heatmap(values, draw.opts.resolution, draw.opts.colour)
    }"/>`;
  }
  const half = NODE / 2 - 3;
  const mid = y + NODE / 2;
  const pts = Array.from(values, (v, i) => {
    const t = max === 0 || !Number.isFinite(v) ? 0 : v / max;
    return `${px(x + 2 + i / (values.length - 1) * (NODE - 4))},${px(mid - t * half)}`;
  });
  return `<line class="nw-rule" x1="${x + 1}" y1="${mid}" x2="${
    x + NODE - 1
  }" y2="${mid}" stroke="#999" stroke-dasharray="2 2"/>` +
    `<polyline class="nw-curve" data-max="${max}" points="${
      pts.join(" ")
    }" fill="none" stroke="#333" stroke-width="1.3"/>`;
}

/** The drawn inputs, each a `<g data-input>` with its name and tile. */
function inputGroups(draw: Drawing): string[] {
  const { cx, cy, opts } = draw;
  return draw.order[0].map((i, k) => {
    const x = cx(0) - NODE / 2;
    const y = cy(0, k) - NODE / 2;
    const name = escapeXml(opts.inputs[i]);
    return `<g data-input="${name}" data-node="in${i}"><title>${name}</title><rect class="nw-box" x="${x}" y="${y}" width="${NODE}" height="${NODE}" fill="${
      opts.paper ?? "#ffffff"
    }" stroke="#999"/>${picture(draw, 0, k, x, y)}<text class="nw-text" x="${x - 6}" y="${
      y + NODE / 2 + 4
    }" text-anchor="end" fill="#333">${name}</text></g>`;
  });
}

/** The drawn neurons, each a `<g data-neuron>` with its tile, its bias and (outputs) its name. */
function neuronGroups(draw: Drawing): string[] {
  const { model, order, cx, cy, opts } = draw;
  const out: string[] = [];
  model.layers.forEach((layer, l) => {
    const c = l + 1;
    const last = l === model.layers.length - 1;
    order[c].forEach((j, k) => {
      const neuron = layer.neurons[j];
      const x = cx(c) - NODE / 2;
      const y = cy(c, k) - NODE / 2;
      const name = `L${l}.N${j}`;
      const b = neuron.b;
      const label = last ? opts.outputs[j] : "";
      const summary = `${name}${label === "" ? "" : ` (${label})`}: ${neuron.activation}, bias ${
        fmt(b.data)
      }, grad ${fmt(b.grad)}`;
      out.push(
        `<g data-neuron="${name}" data-node="${name}"><title>${escapeXml(summary)}</title>` +
          `<rect class="nw-box" x="${x}" y="${y}" width="${NODE}" height="${NODE}" fill="${
            opts.paper ?? "#ffffff"
          }" stroke="#777"/>${picture(draw, c, k, x, y)}` +
          `<rect data-bias="${name}.b" x="${x - 7}" y="${
            y + NODE - 6
          }" width="6" height="6" fill="${signColour(b.data)}"><title>${
            escapeXml(`${name}.b = ${fmt(b.data)}, grad ${fmt(b.grad)}`)
          }</title></rect>` +
          (label === ""
            ? ""
            : `<text class="nw-text" x="${x + NODE + 6}" y="${y + NODE / 2 + 4}" fill="#333">${
              escapeXml(label)
            }</text>`) +
          `</g>`,
      );
    });
  });
  return out;
}

/** What is not drawn, under each column, then the colour scale, then the notes. */
function footer(draw: Drawing, wrapped: string[], below: number, scaleRow: number): string[] {
  const { sizes, drawn, cx, rows, opts } = draw;
  const out: string[] = [];
  sizes.forEach((n, c) => {
    if (n > drawn[c]) {
      out.push(
        `<text class="nw-muted" x="${cx(c)}" y="${
          TOP + rows * PITCH + 4
        }" text-anchor="middle" fill="#555">+${(n - drawn[c]).toLocaleString("en-US")} more</text>`,
      );
    }
  });
  if (scaleRow > 0) {
    const stops = [-1, -0.5, 0, 0.5, 1].map((t) => {
      const rgb = [0, 0, 0];
      opts.colour(t, rgb, 0);
      return `<stop offset="${(t + 1) / 2}" stop-color="${hex(rgb)}"/>`;
    });
    out.push(
      `<g data-scale="tiles"><defs><linearGradient id="${escapeXml(opts.id ?? "network")}-scale">${
        stops.join("")
      }</linearGradient></defs>` +
        `<text class="nw-muted" x="8" y="${below + 11}" fill="#555" font-size="10">tiles</text>` +
        `<text class="nw-muted" x="62" y="${
          below + 11
        }" fill="#555" font-size="10" text-anchor="end">&#8722;max</text>` +
        `<rect class="nw-rule" x="66" y="${below + 3}" width="100" height="10" fill="url(#${
          escapeXml(opts.id ?? "network")
        }-scale)" stroke="#999" stroke-width="0.5"/>` +
        `<text class="nw-muted" x="116" y="${
          below + 21
        }" fill="#555" font-size="9" text-anchor="middle">0</text>` +
        `<text class="nw-muted" x="170" y="${
          below + 11
        }" fill="#555" font-size="10">+max</text></g>`,
    );
  }
  wrapped.forEach((line, k) =>
    out.push(
      `<text class="nw-muted" x="8" y="${
        below + scaleRow + 12 + k * 14
      }" fill="#666" font-size="10">${escapeXml(line)}</text>`,
    )
  );
  return out;
}

/** A number in at most 3 significant digits, for the notes. */
function fmtShort(x: number): string {
  return String(Number(x.toPrecision(3)));
}
