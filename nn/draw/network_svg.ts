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
import { scaleColour } from "./palette.ts";
import { pngDataUrl } from "./_png.ts";

/** Options for {@linkcode networkSvg}. */
export interface NetworkSvgOptions {
  /**
   * The most neurons drawn per column (inputs included). A wider layer shows
   * its first `maxNeurons` and says how many more it has; weights are drawn
   * between drawn neurons only.
   *
   * @default {16}
   */
  maxNeurons?: number;
  /**
   * Draw in each neuron a heatmap of its output over the input plane, as
   * TensorFlow Playground does. Only for models of two inputs, and only when
   * `resolution² × parameters` is at most 5 million, a fraction of a second
   * (else the note under the picture says they were left out).
   *
   * @default {true}
   */
  heatmaps?: boolean;
  /**
   * The input plane of the heatmaps: `[xMin, xMax, yMin, yMax]`.
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
   * Names of the inputs, shown left of them (escaped).
   *
   * @default {["x1", "x2", ...]}
   */
  inputNames?: readonly string[];
  /**
   * Names of the outputs, shown right of them (escaped).
   *
   * @default {["y"] for one output, else ["y0", "y1", ...]}
   */
  outputNames?: readonly string[];
  /** An `id` for the `<svg>` element, e.g. `"network"`; none by default. */
  id?: string;
}

/** Playground's colours: negative, zero, positive. */
const HEX_NEGATIVE = "#f59322";
const HEX_ZERO = "#c8cacb";
const HEX_POSITIVE = "#0877bd";

const NODE = 30; // a neuron's square
const PITCH = 44; // from one neuron to the next, down a column
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
    inputNames = [],
    outputNames = [],
    id,
  } = options;
  const fail = (what: string, want: string, got: unknown): never => {
    throw new RangeError(
      `Cannot draw the network as '${what}' must be ${want}: current value is ${
        JSON.stringify(got)
      }`,
    );
  };
  if (!Number.isInteger(maxNeurons) || maxNeurons < 1) {
    fail("maxNeurons", "a positive integer", maxNeurons);
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
  const nout = model.nouts[model.nouts.length - 1];
  const inputs = Array.from(
    { length: model.nin },
    (_, i) => String(inputNames[i] ?? `x${i + 1}`),
  );
  const outputs = Array.from(
    { length: nout },
    (_, i) => String(outputNames[i] ?? (nout === 1 ? "y" : `y${i}`)),
  );
  return { maxNeurons, heatmaps, extent, resolution, inputs, outputs, id };
}

/** A heatmap of `values` (row-major, top row first), each scaled by the largest magnitude. */
function heatmap(values: Float64Array, resolution: number): string {
  let max = 0;
  for (const v of values) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  const rgb = new Uint8Array(values.length * 3);
  for (let i = 0; i < values.length; i++) scaleColour(max === 0 ? 0 : values[i] / max, rgb, i * 3);
  return pngDataUrl(resolution, resolution, rgb);
}

/**
 * Every column's outputs over the plane: `planes[c][k]` holds the k-th drawn
 * neuron of column `c` (column 0 is the inputs) at each grid point.
 */
function outputsOverPlane(
  model: Mlp,
  drawn: number[],
  extent: readonly number[],
  resolution: number,
): Float64Array[][] {
  const [x0, x1, y0, y1] = extent;
  const cells = resolution * resolution;
  const planes = drawn.map((n) => Array.from({ length: n }, () => new Float64Array(cells)));
  for (let r = 0; r < resolution; r++) {
    const y = y1 - (r + 0.5) / resolution * (y1 - y0);
    for (let c = 0; c < resolution; c++) {
      const cell = r * resolution + c;
      let out = [x0 + (c + 0.5) / resolution * (x1 - x0), y];
      for (let k = 0; k < drawn[0]; k++) planes[0][k][cell] = out[k];
      model.layers.forEach((layer, l) => {
        out = layer.forward(out).map((v) => v.data);
        for (let k = 0; k < drawn[l + 1]; k++) planes[l + 1][k][cell] = out[k];
      });
    }
  }
  return planes;
}

/**
 * Draws the network diagram of `model` as SVG text.
 *
 * Each neuron is a `<g data-neuron="L0.N3">` (layers and neurons counted from
 * 0, as the parameters' labels are), each weight a `<path
 * data-weight="L0.N3.w0">` and each bias a `<rect data-bias="L0.N3.b">`;
 * inputs are `<g data-input="x1">`. Weights are blue when positive and orange
 * when negative, and thicker and more opaque the larger they are relative to
 * the largest. Hovering a weight, a bias or a neuron shows its value and its
 * grad (a `<title>`). Every name is escaped.
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
 * @throws {RangeError} when an option is out of range.
 */
export function networkSvg(model: Mlp, options: NetworkSvgOptions = {}): string {
  const opts = checkOptions(model, options);
  const { maxNeurons, resolution } = opts;
  const sizes = [model.nin, ...model.nouts];
  const drawn = sizes.map((n) => Math.min(n, maxNeurons));
  const rows = Math.max(...drawn);
  const width = LEFT + (sizes.length - 1) * COLUMN + NODE + RIGHT;
  const cx = (c: number) => LEFT + c * COLUMN + NODE / 2;
  const cy = (c: number, k: number) => TOP + (rows - drawn[c]) * PITCH / 2 + k * PITCH + NODE / 2;

  const params = model.layers.reduce(
    (n, l) => n + l.neurons.length * (l.neurons[0].w.length + 1),
    0,
  );
  const wantHeatmaps = opts.heatmaps && model.nin === 2;
  const heatmapsFit = resolution * resolution * params <= HEATMAP_BUDGET;
  const planes = wantHeatmaps && heatmapsFit
    ? outputsOverPlane(model, drawn, opts.extent, resolution)
    : null;

  // The notes under the picture: what is not drawn, and the key.
  const shape = sizes.join("-");
  const notDrawn = sizes.flatMap((n, c) =>
    n > drawn[c] ? [`${c === 0 ? "inputs" : `L${c - 1}`}: ${drawn[c]} of ${n}`] : []
  );
  const lines: string[] = [];
  if (notDrawn.length > 0) {
    lines.push(`Drawn at most ${maxNeurons} per layer (${notDrawn.join("; ")}).`);
  }
  if (wantHeatmaps && !heatmapsFit) {
    lines.push("Heatmaps left out: the model is too large to evaluate over the plane here.");
  }
  lines.push(
    `${shape}, ${
      params.toLocaleString("en-US")
    } parameters. Blue > 0 > orange; hover for values and grads.`,
  );
  const moreRow = notDrawn.length > 0 ? 18 : 0;
  const height = TOP + rows * PITCH + moreRow + lines.length * 15 + 8;

  let maxWeight = 0;
  for (const layer of model.layers) {
    for (const n of layer.neurons) {
      for (const w of n.w) {
        if (Number.isFinite(w.data)) maxWeight = Math.max(maxWeight, Math.abs(w.data));
      }
    }
  }
  const signColour = (x: number) => x > 0 ? HEX_POSITIVE : x < 0 ? HEX_NEGATIVE : HEX_ZERO;

  const out: string[] = [];
  const idAttr = opts.id === undefined ? "" : ` id="${escapeXml(opts.id)}"`;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg"${idAttr} width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11" role="img" aria-label="${
      escapeXml(`Network ${shape}`)
    }">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  );

  // Column headings.
  sizes.forEach((n, c) => {
    const what = c === 0
      ? `${n} input${n === 1 ? "" : "s"}`
      : `L${c - 1}: ${n} ${model.layers[c - 1].neurons[0].activation}`;
    out.push(
      `<text x="${cx(c)}" y="${TOP - 18}" text-anchor="middle" fill="#333">${
        escapeXml(what)
      }</text>`,
    );
  });

  // Weights, under the neurons.
  out.push(`<g fill="none" stroke-linecap="round">`);
  model.layers.forEach((layer, l) => {
    const src = l;
    const dst = l + 1;
    for (let j = 0; j < drawn[dst]; j++) {
      const neuron = layer.neurons[j];
      for (let i = 0; i < drawn[src]; i++) {
        const w = neuron.w[i];
        const share = maxWeight === 0 || !Number.isFinite(w.data)
          ? 0
          : Math.abs(w.data) / maxWeight;
        const x1 = cx(src) + NODE / 2;
        const y1 = cy(src, i);
        const x2 = cx(dst) - NODE / 2;
        // Spread the ends over the neuron's side, as Playground does.
        const y2 = cy(dst, j) + (i - (drawn[src] - 1) / 2) / drawn[src] * (NODE - 8);
        const mid = (x1 + x2) / 2;
        const name = `L${l}.N${j}.w${i}`;
        const from = src === 0 ? opts.inputs[i] : `L${l - 1}.N${i}`;
        out.push(
          `<path data-weight="${name}" d="M${px(x1)} ${px(y1)}C${px(mid)} ${px(y1)} ${px(mid)} ${
            px(y2)
          } ${px(x2)} ${px(y2)}" stroke="${signColour(w.data)}" stroke-width="${
            px(0.5 + 2.5 * share)
          }" stroke-opacity="${px(0.2 + 0.8 * share)}"><title>${
            escapeXml(`${name} = ${fmt(w.data)}, grad ${fmt(w.grad)} (${from} to L${l}.N${j})`)
          }</title></path>`,
        );
      }
    }
  });
  out.push(`</g>`);

  // Inputs and neurons.
  const image = (c: number, k: number, x: number, y: number) =>
    planes === null
      ? ""
      : `<image x="${x + 1}" y="${y + 1}" width="${NODE - 2}" height="${
        NODE - 2
      }" preserveAspectRatio="none" style="image-rendering:pixelated" href="${
        heatmap(planes[c][k], resolution)
      }"/>`;
  for (let i = 0; i < drawn[0]; i++) {
    const x = cx(0) - NODE / 2;
    const y = cy(0, i) - NODE / 2;
    const name = escapeXml(opts.inputs[i]);
    out.push(
      `<g data-input="${name}"><title>${name}</title><rect x="${x}" y="${y}" width="${NODE}" height="${NODE}" fill="#ffffff" stroke="#999"/>${
        image(0, i, x, y)
      }<text x="${x - 6}" y="${y + NODE / 2 + 4}" text-anchor="end" fill="#333">${name}</text></g>`,
    );
  }
  model.layers.forEach((layer, l) => {
    const c = l + 1;
    const last = l === model.layers.length - 1;
    for (let j = 0; j < drawn[c]; j++) {
      const neuron = layer.neurons[j];
      const x = cx(c) - NODE / 2;
      const y = cy(c, j) - NODE / 2;
      const name = `L${l}.N${j}`;
      const b = neuron.b;
      const label = last ? opts.outputs[j] : "";
      const summary = `${name}${label === "" ? "" : ` (${label})`}: ${neuron.activation}, bias ${
        fmt(b.data)
      }, grad ${fmt(b.grad)}`;
      out.push(
        `<g data-neuron="${name}"><title>${escapeXml(summary)}</title>` +
          `<rect x="${x}" y="${y}" width="${NODE}" height="${NODE}" fill="#ffffff" stroke="#777"/>${
            image(c, j, x, y)
          }` +
          `<rect data-bias="${name}.b" x="${x - 7}" y="${
            y + NODE - 6
          }" width="6" height="6" fill="${signColour(b.data)}"><title>${
            escapeXml(`${name}.b = ${fmt(b.data)}, grad ${fmt(b.grad)}`)
          }</title></rect>` +
          (label === ""
            ? ""
            : `<text x="${x + NODE + 6}" y="${y + NODE / 2 + 4}" fill="#333">${
              escapeXml(label)
            }</text>`) +
          `</g>`,
      );
    }
  });

  // What is not drawn, under each column, then the notes.
  sizes.forEach((n, c) => {
    if (n > drawn[c]) {
      out.push(
        `<text x="${cx(c)}" y="${TOP + rows * PITCH + 4}" text-anchor="middle" fill="#555">+${
          (n - drawn[c]).toLocaleString("en-US")
        } more</text>`,
      );
    }
  });
  lines.forEach((line, k) =>
    out.push(
      `<text x="8" y="${TOP + rows * PITCH + moreRow + 12 + k * 15}" fill="#666" font-size="10">${
        escapeXml(line)
      }</text>`,
    )
  );
  out.push("</svg>");
  return out.join("\n");
}
