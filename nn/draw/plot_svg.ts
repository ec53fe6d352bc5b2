/**
 * Charts as SVG text, drawn by the library itself (no DOM, no `Deno.*`, no
 * dependency): a line chart of training curves, and the points of a 2-D
 * dataset over a model's decision boundary, TensorFlow Playground's colours.
 * Notebooks (`jupyter.ts`) and pages use them alike.
 *
 * @module
 */
import { escapeXml } from "./value_svg.ts";
import type { Dataset } from "../data/datasets.ts";
import { predictClass } from "../model/losses.ts";
import type { Mlp } from "../model/mlp.ts";
import {
  classColour,
  hexOf,
  NEGATIVE,
  POSITIVE,
  rgbOf,
  scaleColour,
  SERIES_COLOURS,
} from "./palette.ts";
import { pngDataUrl } from "./_png.ts";
import { predictBatch } from "../train/train.ts";

/** One line of a {@linkcode lineChartSvg}. */
export interface LineSeries {
  /** Its name in the legend (escaped). */
  name: string;
  /** Its y values; the k-th is drawn at x = `xStart + k`. Non-finite values leave a gap. */
  values: readonly number[];
  /**
   * Its colour, any SVG colour.
   *
   * @default {a colour of a fixed palette, by position}
   */
  colour?: string;
  /**
   * Draw it dashed (a held-out curve, say).
   *
   * @default {false}
   */
  dashed?: boolean;
}

/** Options for {@linkcode lineChartSvg}. */
export interface LineChartOptions {
  /** A title above the chart (escaped); none by default. */
  title?: string;
  /**
   * The x of the first value: steps count from 1.
   *
   * @default {1}
   */
  xStart?: number;
  /**
   * The x axis' name (escaped).
   *
   * @default {"step"}
   */
  xLabel?: string;
  /**
   * A logarithmic y axis (values at or below 0 are left out).
   *
   * @default {false}
   */
  logY?: boolean;
  /** The y axis' range; by default that of the values. */
  yRange?: readonly [number, number];
  /**
   * Format y ticks as percentages of 1 (0.5 is "50%").
   *
   * @default {false}
   */
  percent?: boolean;
  /**
   * Width in px.
   *
   * @default {420}
   */
  width?: number;
  /**
   * Height in px.
   *
   * @default {260}
   */
  height?: number;
}

/**
 * A line's colour when it has none, by position: the first seven series
 * colours, with the Playground's blue and orange in place of Tableau's, so
 * that a notebook's curves take the colours of its other pictures.
 */
const LINE_COLOURS = [hexOf(POSITIVE), hexOf(NEGATIVE), ...SERIES_COLOURS.slice(2, 7)];

/** The colour of series `s`, the `i`-th, escaped. */
function lineColour(s: LineSeries, i: number): string {
  return escapeXml(s.colour ?? LINE_COLOURS[i % LINE_COLOURS.length]);
}

function r1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** About `count` round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi]. */
function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  }
  return out;
}

/**
 * Ticks for a log axis spanning 10^lo to 10^hi: the powers of ten, thinned to
 * at most 6; with fewer than 3 of them, 2 and 5 times each power as well.
 */
function logTicks(lo: number, hi: number): number[] {
  const inside = (e: number) => e >= lo - 1e-9 && e <= hi + 1e-9;
  const decades: number[] = [];
  for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) if (inside(d)) decades.push(d);
  if (decades.length >= 3) {
    const every = Math.ceil(decades.length / 6);
    return decades.filter((d) => d % every === 0).map((d) => 10 ** d);
  }
  const out: number[] = [];
  for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) {
    for (const m of [1, 2, 5]) if (inside(d + Math.log10(m))) out.push(m * 10 ** d);
  }
  return out;
}

/** The opening of a chart's SVG: the element, a white ground and the title (escaped), if any. */
function chartStart(
  width: number,
  height: number,
  left: number,
  title: string | undefined,
  what: string,
): string[] {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11" role="img" aria-label="${
      escapeXml(title ?? what)
    }">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (title !== undefined) {
    out.push(
      `<text x="${left}" y="18" font-size="13" font-weight="bold" fill="#222">${
        escapeXml(title)
      }</text>`,
    );
  }
  return out;
}

/** A tick label: short, and without float noise. */
function tickText(x: number, percent = false): string {
  if (percent) return `${Number((x * 100).toPrecision(3))}%`;
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return x.toExponential(0);
  return String(Number(x.toPrecision(4)));
}

function checkSize(what: string, v: number): number {
  if (!Number.isFinite(v) || v < 80 || v > 4000) {
    throw new RangeError(
      `Cannot draw the chart as '${what}' must be a number of px from 80 to 4000: current value is ${v}`,
    );
  }
  return v;
}

/**
 * Draws a line chart of one or more series against the step, with axes,
 * ticks and a legend, as SVG text.
 *
 * @example Loss and accuracy of a run
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChartSvg } from "../../mod.ts";
 * const svg = lineChartSvg([{ name: "loss", values: [0.9, 0.5, 0.3, 0.2] }], { title: "Loss" });
 * assert.match(svg, /^<svg /);
 * assert.match(svg, /<polyline /);
 * ```
 *
 * @throws {RangeError} when a size or range is out of range.
 */
export function lineChartSvg(
  series: readonly LineSeries[],
  options: LineChartOptions = {},
): string {
  const width = checkSize("width", options.width ?? 420);
  const height = checkSize("height", options.height ?? 260);
  const { title, xStart = 1, xLabel = "step", logY = false, percent = false } = options;
  const fy = (v: number) => logY ? Math.log10(v) : v;
  const ok = (v: number) => Number.isFinite(v) && (!logY || v > 0);
  const n = series.reduce((m, s) => Math.max(m, s.values.length), 0);
  const [lo, hi] = yBounds(series, options, fy, ok);
  const left = 54;
  const right = 12;
  const top = 30; // the title, left, and the legend, right
  const bottom = 40;
  const pw = width - left - right;
  const ph = height - top - bottom;
  const x0 = xStart;
  const x1 = xStart + Math.max(1, n - 1);
  const sx = (x: number) => left + (x - x0) / (x1 - x0) * pw;
  const sy = (y: number) => top + (1 - (fy(y) - lo) / (hi - lo)) * ph;

  const out = chartStart(width, height, left, title, "Chart");
  // Grid and y ticks.
  const yTicks = logY ? logTicks(lo, hi) : ticks(lo, hi, 5);
  out.push(`<g stroke="#e6e6e6">`);
  for (const t of yTicks) {
    out.push(`<line x1="${left}" x2="${left + pw}" y1="${r1(sy(t))}" y2="${r1(sy(t))}"/>`);
  }
  const xTicks = ticks(x0, x1, 6).filter((t) => Number.isInteger(t));
  for (const t of xTicks) {
    out.push(`<line x1="${r1(sx(t))}" x2="${r1(sx(t))}" y1="${top}" y2="${top + ph}"/>`);
  }
  out.push(`</g>`, `<g fill="#555" text-anchor="end">`);
  for (const t of yTicks) {
    out.push(
      `<text x="${left - 5}" y="${r1(sy(t) + 4)}">${escapeXml(tickText(t, percent))}</text>`,
    );
  }
  out.push(`</g>`, `<g fill="#555" text-anchor="middle">`);
  for (const t of xTicks) {
    out.push(`<text x="${r1(sx(t))}" y="${top + ph + 15}">${escapeXml(tickText(t))}</text>`);
  }
  out.push(
    `<text x="${left + pw / 2}" y="${height - 6}">${escapeXml(xLabel)}</text>`,
    `</g>`,
    `<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
  );
  out.push(...seriesLines(series, (k, v) => `${r1(sx(x0 + k))},${r1(sy(v))}`, ok));
  out.push(...legend(series, width - right, ok, percent));
  out.push("</svg>");
  return out.join("\n");
}

/** The y axis's range, in `fy`'s units: the values' (padded), or `yRange`. */
function yBounds(
  series: readonly LineSeries[],
  options: LineChartOptions,
  fy: (v: number) => number,
  ok: (v: number) => boolean,
): [number, number] {
  const logY = options.logY ?? false;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const v of s.values) {
      if (ok(v)) {
        lo = Math.min(lo, fy(v));
        hi = Math.max(hi, fy(v));
      }
    }
  }
  if (options.yRange !== undefined) {
    const [a, b] = options.yRange;
    if (!(a < b) || !ok(a) || !ok(b)) {
      throw new RangeError(
        `Cannot draw the chart as 'yRange' must be [low, high] with low < high: current value is ${
          JSON.stringify(options.yRange)
        }`,
      );
    }
    [lo, hi] = [fy(a), fy(b)];
  }
  if (lo === Infinity) [lo, hi] = [0, 1];
  if (hi === lo) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = logY ? 0 : (hi - lo) * 0.05;
  if (options.yRange === undefined) [lo, hi] = [lo - pad, hi + pad];
  return [lo, hi];
}

/** The lines, each broken where a value is missing (`at` places the k-th value). */
function seriesLines(
  series: readonly LineSeries[],
  at: (k: number, v: number) => string,
  ok: (v: number) => boolean,
): string[] {
  const out: string[] = [];
  series.forEach((s, i) => {
    const colour = lineColour(s, i);
    const runs: string[][] = [[]];
    s.values.forEach((v, k) => {
      if (!ok(v)) {
        if (runs[runs.length - 1].length > 0) runs.push([]);
        return;
      }
      runs[runs.length - 1].push(at(k, v));
    });
    for (const run of runs) {
      if (run.length === 0) continue;
      if (run.length === 1) {
        const [x, y] = run[0].split(",");
        out.push(`<circle cx="${x}" cy="${y}" r="2" fill="${colour}"/>`);
      } else {
        out.push(
          `<polyline data-series="${
            escapeXml(s.name)
          }" fill="none" stroke="${colour}" stroke-width="1.6"${
            s.dashed ? ' stroke-dasharray="5 3"' : ""
          } points="${run.join(" ")}"/>`,
        );
      }
    }
  });
  return out;
}

/** The legend, top right ending at `end`, with each series' last value. */
function legend(
  series: readonly LineSeries[],
  end: number,
  ok: (v: number) => boolean,
  percent: boolean,
): string[] {
  const out: string[] = [];
  let lx = end;
  [...series].reverse().forEach((s, back) => {
    const i = series.length - 1 - back;
    const colour = lineColour(s, i);
    const last = [...s.values].reverse().find(ok);
    const value = percent ? `${(last! * 100).toFixed(1)}%` : String(Number(last?.toPrecision(4)));
    const label = last === undefined ? s.name : `${s.name} ${value}`;
    const textWidth = label.length * 6;
    lx -= textWidth;
    out.push(
      `<line x1="${r1(lx - 22)}" x2="${
        r1(lx - 4)
      }" y1="14" y2="14" stroke="${colour}" stroke-width="2"${
        s.dashed ? ' stroke-dasharray="5 3"' : ""
      }/>`,
      `<text x="${r1(lx)}" y="18" fill="#333">${escapeXml(label)}</text>`,
    );
    lx -= 34;
  });
  return out;
}

/** Options for {@linkcode boundarySvg}. */
export interface BoundarySvgOptions {
  /** The plane `[xMin, xMax, yMin, yMax]`; by default the points' box plus a margin. */
  extent?: readonly [number, number, number, number];
  /**
   * Grid cells per side of the boundary image.
   *
   * @default {80}
   */
  resolution?: number;
  /**
   * The longer side of the plot area in px; the other follows the extent
   * (equal aspect).
   *
   * @default {360}
   */
  size?: number;
  /** A title above the plot (escaped); none by default. */
  title?: string;
  /**
   * `"regression"`: the labels are real targets, coloured on a scale; else
   * class indices (for one output, labels at or below 0 are the first class).
   *
   * @default {"classification" when the data has a class count, else "regression"}
   */
  problem?: "classification" | "regression";
}

/** The colour of class `k` of `classes` for a model of `outputs` outputs, as numbers: the palette's rule. */
function classRgb(k: number, classes: number, outputs: number): readonly number[] {
  return rgbOf(classColour(k, classes, outputs));
}

/**
 * Draws a 2-D dataset's points and, given a model, its decision boundary
 * under them, as SVG text with real axes and equal aspect. With one output
 * the background is the score (orange below 0, blue above, full colour at a
 * margin of 1), as TensorFlow Playground shows it; with more, each cell takes
 * the predicted class's colour, lighter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { boundarySvg, makeMoons, Mlp } from "../../mod.ts";
 * const data = makeMoons({ samples: 50, noise: 0.1, seed: 1 });
 * const svg = boundarySvg(new Mlp(2, [8, 1]), data, { resolution: 20 });
 * assert.equal(svg.match(/<circle /g)!.length, 50);
 * assert.match(svg, /<image /);
 * ```
 *
 * @throws {TypeError} when the data or the model is not 2-D.
 * @throws {RangeError} when an option is out of range.
 */
export function boundarySvg(
  model: Mlp | undefined,
  data: Dataset,
  options: BoundarySvgOptions = {},
): string {
  const { resolution = 80, size = 360, title } = options;
  const problem = options.problem ??
    (Number.isInteger(data.classes) && data.classes >= 1 ? "classification" : "regression");
  const points = data.x;
  checkBoundaryInputs(model, points, resolution, size);
  const [ex0, ex1, ey0, ey1] = boundaryExtent(points, options.extent);
  const spanX = ex1 - ex0;
  const spanY = ey1 - ey0;
  const pw = spanX >= spanY ? size : Math.max(40, size * spanX / spanY);
  const ph = spanY >= spanX ? size : Math.max(40, size * spanY / spanX);
  const left = 46;
  const top = title === undefined ? 10 : 30;
  const width = Math.ceil(left + pw + 12);
  const legendTop = Math.ceil(top + ph + 34);
  const sx = (x: number) => left + (x - ex0) / spanX * pw;
  const sy = (y: number) => top + (1 - (y - ey0) / spanY) * ph;
  const plot: Plot = { left, top, pw, ph, ex0, ex1, ey0, ey1, sx, sy, legendTop };
  const regression = problem === "regression";
  let reach = 0;
  if (regression) {
    for (const y of data.y) if (Number.isFinite(y)) reach = Math.max(reach, Math.abs(y));
  }
  const classes = regression ? 0 : Math.max(2, data.classes);
  const outputs = model === undefined ? 1 : model.nouts[model.nouts.length - 1];
  const colours: Colours = { regression, reach, classes, outputs };
  const classNames = regression
    ? []
    : Array.from({ length: classes }, (_, k) => data.classNames?.[k] ?? `class ${k}`);
  const legendRows = classNames.length === 0 ? 0 : Math.ceil(classNames.length / 4);
  const height = legendTop + (legendRows === 0 ? 0 : legendRows * 16 + 6);

  const out = chartStart(width, height, left, title, "Decision boundary");
  if (model !== undefined) {
    out.push(boundaryImage(model, plot, resolution, colours));
  } else {
    out.push(`<rect x="${left}" y="${top}" width="${r1(pw)}" height="${r1(ph)}" fill="#f4f5f5"/>`);
  }
  out.push(...boundaryAxes(plot, data.featureNames ?? ["x1", "x2"]));
  out.push(...boundaryPoints(data, plot, colours));
  // The classes' legend, four to a row.
  classNames.forEach((name, k) => {
    const x = left + (k % 4) * Math.max(60, pw / 4);
    const y = legendTop + 4 + Math.floor(k / 4) * 16;
    out.push(
      `<g data-legend="${k}"><rect x="${r1(x + 1)}" y="${
        y + 1
      }" width="9" height="9" rx="2" fill="${classColour(k, classes, outputs)}"/><text x="${
        r1(x + 13)
      }" y="${y + 9}" font-size="11" fill="#333">${escapeXml(name)}</text></g>`,
    );
  });
  out.push("</svg>");
  return out.join("\n");
}

/** Where {@linkcode boundarySvg} draws the plane: its box in px, its extent, and the scales. */
interface Plot {
  left: number;
  top: number;
  pw: number;
  ph: number;
  ex0: number;
  ex1: number;
  ey0: number;
  ey1: number;
  sx: (x: number) => number;
  sy: (y: number) => number;
  legendTop: number;
}

/** How {@linkcode boundarySvg} colours: a scale up to `reach` (regression), or the classes'. */
interface Colours {
  regression: boolean;
  /** The largest |target|, then (once the image is made) the largest |score| too. */
  reach: number;
  classes: number;
  outputs: number;
}

/** Throws when the points or the model are not 2-D, or the resolution or size is out of range. */
function checkBoundaryInputs(
  model: Mlp | undefined,
  points: readonly (readonly number[])[],
  resolution: number,
  size: number,
): void {
  if (points.some((p) => p.length !== 2)) {
    throw new TypeError(
      "Cannot draw the boundary as the points must have 2 features: current data has other sizes",
    );
  }
  if (model !== undefined && model.nin !== 2) {
    throw new TypeError(
      `Cannot draw the boundary as the model must take 2 inputs: current model takes ${model.nin}`,
    );
  }
  if (!Number.isInteger(resolution) || resolution < 2 || resolution > 400) {
    throw new RangeError(
      `Cannot draw the boundary as 'resolution' must be an integer from 2 to 400: current value is ${resolution}`,
    );
  }
  checkSize("size", size);
}

/** The plane drawn: `extent`, checked, or by default the points' box plus a margin. */
function boundaryExtent(
  points: readonly (readonly number[])[],
  extent: readonly [number, number, number, number] | undefined,
): readonly [number, number, number, number] {
  if (extent === undefined) {
    const xs = points.map((p) => p[0]).filter(Number.isFinite);
    const ys = points.map((p) => p[1]).filter(Number.isFinite);
    const box = xs.length === 0
      ? [-1, 1, -1, 1]
      : [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const m = Math.max(box[1] - box[0], box[3] - box[2], 1e-9) * 0.1;
    extent = [box[0] - m, box[1] + m, box[2] - m, box[3] + m];
  }
  const [ex0, ex1, ey0, ey1] = extent;
  if (!extent.every(Number.isFinite) || !(ex0 < ex1) || !(ey0 < ey1)) {
    throw new RangeError(
      `Cannot draw the boundary as 'extent' must be [xMin, xMax, yMin, yMax] with each min below its max: current value is ${
        JSON.stringify(extent)
      }`,
    );
  }
  return extent;
}

/** The model's scores over the plane as an `<image>`, lighter than the points; widens `colours.reach` to the scores. */
function boundaryImage(model: Mlp, plot: Plot, resolution: number, colours: Colours): string {
  const { ex0, ex1, ey0, ey1 } = plot;
  const spanX = ex1 - ex0;
  const spanY = ey1 - ey0;
  const nx = spanX >= spanY ? resolution : Math.max(2, Math.round(resolution * spanX / spanY));
  const ny = spanY >= spanX ? resolution : Math.max(2, Math.round(resolution * spanY / spanX));
  const rgb = new Uint8Array(nx * ny * 3);
  const cells: number[][] = [];
  for (let r = 0; r < ny; r++) {
    const y = ey1 - (r + 0.5) / ny * spanY;
    for (let c = 0; c < nx; c++) cells.push([ex0 + (c + 0.5) / nx * spanX, y]);
  }
  // On the compiled path, bit for bit model.predict() of each cell.
  const flat = predictBatch(model, cells);
  const k = model.nouts[model.nouts.length - 1];
  const outs = cells.map((_, i) => Array.from(flat.subarray(i * k, i * k + k)));
  const { regression, classes, outputs } = colours;
  if (regression) {
    for (const o of outs) {
      if (Number.isFinite(o[0])) colours.reach = Math.max(colours.reach, Math.abs(o[0]));
    }
  }
  const reach = colours.reach;
  outs.forEach((o, i) => {
    if (regression) scaleColour(reach === 0 ? 0 : o[0] / reach, rgb, i * 3);
    else if (o.length === 1) scaleColour(o[0], rgb, i * 3);
    else rgb.set(classRgb(predictClass(o), classes, outputs), i * 3);
    // Lighter than the points, so that they stand out.
    for (let j = i * 3; j < i * 3 + 3; j++) rgb[j] = Math.round(255 - (255 - rgb[j]) * 0.5);
  });
  return `<image data-boundary="" x="${plot.left}" y="${plot.top}" width="${r1(plot.pw)}" height="${
    r1(plot.ph)
  }" preserveAspectRatio="none" href="${pngDataUrl(nx, ny, rgb)}"/>`;
}

/** The plane's frame, its axes with ticks, and the axes' names. */
function boundaryAxes(plot: Plot, names: readonly string[]): string[] {
  const { left, top, pw, ph, ex0, ex1, ey0, ey1, sx, sy } = plot;
  const out = [
    `<rect x="${left}" y="${top}" width="${r1(pw)}" height="${r1(ph)}" fill="none" stroke="#999"/>`,
    `<g fill="#555" font-size="10">`,
  ];
  for (const t of ticks(ex0, ex1, Math.max(2, Math.round(pw / 70)))) {
    out.push(
      `<line x1="${r1(sx(t))}" x2="${r1(sx(t))}" y1="${r1(top + ph)}" y2="${
        r1(top + ph + 4)
      }" stroke="#999"/><text x="${r1(sx(t))}" y="${r1(top + ph + 15)}" text-anchor="middle">${
        escapeXml(tickText(t))
      }</text>`,
    );
  }
  for (const t of ticks(ey0, ey1, Math.max(2, Math.round(ph / 60)))) {
    out.push(
      `<line x1="${left - 4}" x2="${left}" y1="${r1(sy(t))}" y2="${
        r1(sy(t))
      }" stroke="#999"/><text x="${left - 6}" y="${r1(sy(t) + 3)}" text-anchor="end">${
        escapeXml(tickText(t))
      }</text>`,
    );
  }
  out.push(
    `<text x="${r1(left + pw / 2)}" y="${plot.legendTop - 4}" text-anchor="middle" font-size="11">${
      escapeXml(names[0] ?? "x1")
    }</text>`,
    `<text transform="translate(11 ${
      r1(top + ph / 2)
    }) rotate(-90)" text-anchor="middle" font-size="11">${escapeXml(names[1] ?? "x2")}</text>`,
    `</g>`,
  );
  return out;
}

/** The points, clipped to the plane, coloured by label. */
function boundaryPoints(data: Dataset, plot: Plot, colours: Colours): string[] {
  const { ex0, ex1, ey0, ey1, sx, sy } = plot;
  const { regression, reach, classes, outputs } = colours;
  const classOf = (label: number) => classes === 2 ? (label > 0 ? 1 : 0) : label;
  const points = data.x;
  const out = [`<g stroke="#ffffff" stroke-width="1">`];
  const radius = points.length > 2000 ? 1.6 : points.length > 500 ? 2.4 : 3.4;
  points.forEach(([x, y], i) => {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    if (x < ex0 || x > ex1 || y < ey0 || y > ey1) return;
    const label = data.y[i];
    let fill: string;
    if (regression) {
      const c = [0, 0, 0];
      scaleColour(reach === 0 ? 0 : label / reach, c, 0);
      fill = hexOf(c);
    } else fill = classColour(classOf(label), classes, outputs);
    out.push(`<circle cx="${r1(sx(x))}" cy="${r1(sy(y))}" r="${radius}" fill="${fill}"/>`);
  });
  out.push(`</g>`);
  return out;
}
