/**
 * Pictures as SVG text, drawn with no dependency and no DOM, so they work in
 * Deno, a browser page and a Jupyter notebook alike.
 *
 * @module
 */
import type { Value } from "../../engine/value.ts";

/**
 * Escapes text for SVG or HTML: in an element's text or a quoted attribute.
 * Control characters, which XML cannot hold, become U+FFFD.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeXml } from "../../mod.ts";
 * assert.equal(escapeXml(`<b a="1">&'`), "&lt;b a=&quot;1&quot;&gt;&amp;&#39;");
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(UNSAFE, (c) => XML_ESCAPES[c] ?? "\ufffd");
}

// deno-lint-ignore no-control-regex
const UNSAFE = /[&<>"']|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]/g;

const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Options for {@linkcode toSvg}. */
export interface ToSvgOptions {
  /**
   * Digits after the decimal point for `data` and `grad` (the tooltips show
   * every digit).
   *
   * @default {4}
   */
  precision?: number;
  /**
   * The widest picture drawn, in px: a larger graph throws a
   * {@linkcode GraphTooLargeError} rather than make a picture no one can
   * read. `Infinity` draws any size.
   *
   * @default {1920}
   */
  maxWidth?: number;
  /**
   * The tallest picture drawn, in px; see `maxWidth`.
   *
   * @default {1080}
   */
  maxHeight?: number;
}

/** Thrown by {@linkcode toSvg} when the picture would be larger than allowed. */
export class GraphTooLargeError extends RangeError {
  /** The graph's nodes (values, not ops). */
  readonly nodes: number;
  /** The picture's width in px, or a lower bound when it was not laid out. */
  readonly width: number;
  /** The picture's height in px, or a lower bound when it was not laid out. */
  readonly height: number;

  /** Makes the error; the message says the size and the limits. */
  constructor(nodes: number, width: number, height: number, maxWidth: number, maxHeight: number) {
    super(
      `Cannot draw the graph as its ${nodes} nodes need about ${Math.ceil(width)}x${
        Math.ceil(height)
      } px, more than the ${maxWidth}x${maxHeight} px allowed: draw a smaller part of it, or raise 'maxWidth' and 'maxHeight'`,
    );
    this.name = "GraphTooLargeError";
    this.nodes = nodes;
    this.width = width;
    this.height = height;
  }
}

const FONT = 11;
const CHAR = FONT * 0.6; // a monospace character's advance
const ROW = 22; // a record's or an op's height
const GAP_Y = 6; // between items of a column
const GAP_X = 28; // between columns
const GAP_OP = 16; // between an op's column and its neighbours
const MARGIN = 8;
const ARROW = 7;

interface Item {
  value: Value | null; // null for a dummy on a long edge
  op: boolean;
  col: number;
  w: number;
  h: number;
  cells: string[];
  y: number; // centre
  pos: number; // index in its column
  preds: Item[];
  succs: Item[];
}

function checkSvgOptions(options: ToSvgOptions): Required<ToSvgOptions> {
  const { precision = 4, maxWidth = 1920, maxHeight = 1080 } = options;
  if (!Number.isInteger(precision) || precision < 0 || precision > 20) {
    throw new RangeError(
      `Cannot draw the graph as 'precision' must be an integer from 0 to 20: current value is ${precision}`,
    );
  }
  for (const [name, v] of [["maxWidth", maxWidth], ["maxHeight", maxHeight]] as const) {
    if (typeof v !== "number" || !(v > 0)) {
      throw new RangeError(
        `Cannot draw the graph as '${name}' must be a positive number or Infinity: current value is ${v}`,
      );
    }
  }
  return { precision, maxWidth, maxHeight };
}

/** Every value `root` depends on, children first, by the public `children` alone. */
function postorder(root: Value): Value[] {
  const seen = new Set<Value>([root]);
  const order: Value[] = [];
  const stack: [Value, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const children = top[0].children;
    if (top[1] < children.length) {
      const c = children[top[1]++];
      if (!seen.has(c)) {
        seen.add(c);
        stack.push([c, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order;
}

/** Sorts each column's items by `key`, stably, and renumbers their positions. */
function reorder(column: Item[], key: (it: Item) => number): void {
  const keyed = column.map((it) => ({ it, k: key(it) }));
  keyed.sort((a, b) => a.k - b.k || a.it.pos - b.it.pos);
  keyed.forEach(({ it }, i) => {
    column[i] = it;
    it.pos = i;
  });
}

function mean(items: Item[], f: (it: Item) => number, fallback: number): number {
  if (items.length === 0) return fallback;
  let s = 0;
  for (const it of items) s += f(it);
  return s / items.length;
}

/** Edge crossings between each column and the next. */
function crossings(columns: Item[][]): number {
  let total = 0;
  for (const column of columns) {
    const ends: [number, number][] = [];
    for (const it of column) for (const s of it.succs) ends.push([it.pos, s.pos]);
    for (let a = 0; a < ends.length; a++) {
      for (let b = a + 1; b < ends.length; b++) {
        if ((ends[a][0] - ends[b][0]) * (ends[a][1] - ends[b][1]) < 0) total++;
      }
    }
  }
  return total;
}

/**
 * Places a column's items as near their `want`ed centres as their order and
 * spacing allow (least squares, by pool-adjacent-violators).
 */
function place(column: Item[], want: number[]): void {
  const offset: number[] = [];
  let o = 0;
  column.forEach((it, i) => {
    if (i > 0) o += column[i - 1].h / 2 + GAP_Y + it.h / 2;
    offset.push(o);
  });
  const blocks: { sum: number; n: number }[] = [];
  column.forEach((_, i) => {
    blocks.push({ sum: want[i] - offset[i], n: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1];
      const a = blocks[blocks.length - 2];
      if (a.sum / a.n <= b.sum / b.n) break;
      a.sum += b.sum;
      a.n += b.n;
      blocks.pop();
    }
  });
  let i = 0;
  for (const b of blocks) {
    for (let k = 0; k < b.n; k++, i++) column[i].y = b.sum / b.n + offset[i];
  }
}

/** Lays out the graph behind `root`: items in columns, with coordinates. */
function layout(root: Value, opts: Required<ToSvgOptions>) {
  const values = postorder(root);
  // Each value needs a record of at least 150 x 36 px: do not even lay out
  // a graph that cannot fit.
  const atLeast = values.length * 150 * (ROW + GAP_Y);
  if (atLeast > opts.maxWidth * opts.maxHeight) {
    const side = Math.sqrt(atLeast / (opts.maxWidth * opts.maxHeight));
    throw new GraphTooLargeError(
      values.length,
      opts.maxWidth,
      opts.maxHeight * side * side,
      opts.maxWidth,
      opts.maxHeight,
    );
  }
  const fix = (x: number) => x.toFixed(opts.precision);
  const graph: Graph = { values, record: new Map(), opOf: new Map(), items: [] };
  for (const v of values) {
    if (v.op !== "") {
      graph.opOf.set(
        v,
        newItem(graph.items, v, true, [opSymbol(v) + (isDeadRelu(v) ? " \u2020" : "")]),
      );
    }
    graph.record.set(
      v,
      newItem(graph.items, v, false, [v.label, `data ${fix(v.data)}`, `grad ${fix(v.grad)}`]),
    );
  }
  const { items } = graph;

  // Too big to read, whatever the layout? Then do not lay it out.
  let area = 0;
  for (const it of items) area += (it.w + GAP_X) * (it.h + GAP_Y);
  const limit = opts.maxWidth * opts.maxHeight;
  if (area > limit) {
    const side = Math.sqrt(area / limit);
    throw new GraphTooLargeError(
      values.length,
      Math.min(opts.maxWidth, opts.maxWidth * side),
      Math.max(opts.maxHeight, opts.maxHeight * side),
      opts.maxWidth,
      opts.maxHeight,
    );
  }

  const used = assignColumns(graph);
  const edges = linkEdges(graph);
  const columns = orderColumns(items, used.length);
  const { top, bottom } = placeHeights(columns, items);
  const { colX, right } = columnCentres(columns);
  const width = Math.ceil(right + MARGIN);
  const height = Math.ceil(bottom - top + 2 * MARGIN);
  if (width > opts.maxWidth || height > opts.maxHeight) {
    throw new GraphTooLargeError(values.length, width, height, opts.maxWidth, opts.maxHeight);
  }
  return { items, edges, colX, width, height, nodes: values.length };
}

/** The graph's values, children first, and the items drawn for them: a record each, and an op. */
interface Graph {
  values: Value[];
  record: Map<Value, Item>;
  opOf: Map<Value, Item>;
  items: Item[];
}

/** Makes an item (a record, an op, or a dummy when `value` is null) and adds it to `items`. */
function newItem(items: Item[], value: Value | null, op: boolean, cells: string[]): Item {
  const w = value === null
    ? 0
    : op
    ? Math.max(34, cells[0].length * CHAR + 20)
    : cells.reduce((s, c) => s + Math.max(14, c.length * CHAR + 12), 0);
  const it: Item = {
    value,
    op,
    col: 0,
    w,
    h: value === null ? 4 : ROW,
    cells,
    y: 0,
    pos: 0,
    preds: [],
    succs: [],
  };
  items.push(it);
  return it;
}

/**
 * Sets each item's column, numbered densely, and returns the columns used:
 * an op just left of its value; a value's column follows its deepest child;
 * a leaf sits just left of its first use.
 */
function assignColumns({ values, record, opOf, items }: Graph): number[] {
  const depth = new Map<Value, number>();
  for (const v of values) {
    let d = 0;
    for (const c of v.children) d = Math.max(d, depth.get(c)! + 1);
    depth.set(v, d);
  }
  for (const v of values) {
    const r = record.get(v)!;
    const op = opOf.get(v);
    if (op !== undefined) {
      r.col = 2 * depth.get(v)!;
      op.col = r.col - 1;
    }
  }
  const parents = new Map<Value, Value[]>();
  for (const v of values) {
    for (const c of new Set(v.children)) {
      const list = parents.get(c);
      if (list === undefined) parents.set(c, [v]);
      else list.push(v);
    }
  }
  for (const v of values) {
    if (v.op !== "") continue;
    const ps = parents.get(v) ?? [];
    record.get(v)!.col = ps.length === 0 ? 0 : Math.min(...ps.map((p) => opOf.get(p)!.col)) - 1;
  }
  const used = [...new Set(items.map((it) => it.col))].sort((a, b) => a - b);
  const dense = new Map(used.map((c, i) => [c, i]));
  for (const it of items) it.col = dense.get(it.col)!;
  return used;
}

/** The edges, each a path of items, with a dummy item in each column a long edge crosses. */
function linkEdges({ values, record, opOf, items }: Graph): Item[][] {
  const edges: Item[][] = [];
  const link = (from: Item, to: Item) => {
    const path = [from];
    let prev = from;
    for (let c = from.col + 1; c < to.col; c++) {
      const d = newItem(items, null, false, []);
      d.col = c;
      prev.succs.push(d);
      d.preds.push(prev);
      path.push(d);
      prev = d;
    }
    prev.succs.push(to);
    to.preds.push(prev);
    path.push(to);
    edges.push(path);
  };
  for (const v of values) {
    const op = opOf.get(v);
    if (op === undefined) continue;
    for (const c of new Set(v.children)) link(record.get(c)!, op);
    link(op, record.get(v)!);
  }
  return edges;
}

/** The items in columns, ordered within each by barycentre sweeps, keeping the order with fewest crossings. */
function orderColumns(items: Item[], count: number): Item[][] {
  const columns: Item[][] = Array.from({ length: count }, () => []);
  for (const it of items) {
    it.pos = columns[it.col].length;
    columns[it.col].push(it);
  }
  let best = crossings(columns);
  let bestPos = items.map((it) => it.pos);
  for (let sweep = 0; sweep < 8 && best > 0; sweep++) {
    if (sweep % 2 === 0) {
      for (let c = 1; c < columns.length; c++) {
        reorder(columns[c], (it) => mean(it.preds, (p) => p.pos, it.pos));
      }
    } else {
      for (let c = columns.length - 2; c >= 0; c--) {
        reorder(columns[c], (it) => mean(it.succs, (s) => s.pos, it.pos));
      }
    }
    const now = crossings(columns);
    if (now < best) {
      best = now;
      bestPos = items.map((it) => it.pos);
    }
  }
  items.forEach((it, i) => it.pos = bestPos[i]);
  for (const column of columns) column.sort((a, b) => a.pos - b.pos);
  return columns;
}

/** Sets each item's height: stacked, then pulled towards its neighbours; returns the extent before the shift. */
function placeHeights(columns: Item[][], items: Item[]): { top: number; bottom: number } {
  for (const column of columns) place(column, column.map(() => 0));
  const centre = (it: Item) => it.y;
  for (let sweep = 0; sweep < 12; sweep++) {
    const order = sweep % 2 === 0 ? columns : [...columns].reverse();
    for (const column of order) {
      place(
        column,
        column.map((it) => {
          const near = [...it.preds, ...it.succs];
          return mean(near, centre, it.y);
        }),
      );
    }
  }
  let top = Infinity;
  let bottom = -Infinity;
  for (const it of items) {
    top = Math.min(top, it.y - it.h / 2);
    bottom = Math.max(bottom, it.y + it.h / 2);
  }
  for (const it of items) it.y += MARGIN - top;
  return { top, bottom };
}

/** Each column's centre, each as wide as its widest item, and the right edge of the last. */
function columnCentres(columns: Item[][]): { colX: number[]; right: number } {
  const colX: number[] = [];
  const colW = columns.map((column) => Math.max(0, ...column.map((it) => it.w)));
  // An op's column sits closer to its neighbours: its ellipse is small and its edges short.
  const opColumn = columns.map((column) => column.some((it) => it.op));
  let x = MARGIN;
  colW.forEach((w, c) => {
    if (c > 0) x += opColumn[c] || opColumn[c - 1] ? GAP_OP : GAP_X;
    colX.push(x + w / 2);
    x += w;
  });
  return { colX, right: x };
}

/** The symbol an op is drawn with: micrograd's `+` for a sum of any number of terms. */
function opSymbol(v: Value): string {
  return v.op === "sum" ? "+" : v.op;
}

/** Whether `v` is a ReLU whose input is at most 0: it passes grad 0 back, whatever comes after. */
function isDeadRelu(v: Value): boolean {
  return v.op === "relu" && v.children.length === 1 && v.children[0].data <= 0;
}

/** A coordinate, to one decimal. */
function c1(x: number): number {
  return Math.round(x * 10) / 10;
}

/**
 * Draws the computation graph behind `root` as SVG text, as micrograd's
 * `draw_dot` does with Graphviz: a record `label | data | grad` per value
 * and an ellipse per op, inputs on the left. The layout (layered, left to
 * right, with few crossings) is done here: no Graphviz is needed. Each value
 * is a `<g data-value>` holding its label, each op a `<g data-op>`; hovering
 * shows every digit of `data` and `grad`. Text is escaped.
 *
 * A graph whose picture would be larger than `maxWidth` x `maxHeight` (a
 * screen, by default) throws a {@linkcode GraphTooLargeError} before it is
 * drawn.
 *
 * @example The lecture's neuron
 * ```ts
 * import assert from "node:assert/strict";
 * import { toSvg, Value } from "../../mod.ts";
 * const x1 = new Value(2, { label: "x1" });
 * const w1 = new Value(-3, { label: "w1" });
 * const b = new Value(6.8813735870195432, { label: "b" });
 * const n = x1.mul(w1).add(b);
 * n.label = "n";
 * const o = n.tanh();
 * o.label = "o";
 * o.backward();
 * const svg = toSvg(o);
 * assert.match(svg, /^<svg /);
 * assert.match(svg, />o</);
 * assert.match(svg, />grad 0\.5000</);
 * ```
 *
 * @throws {GraphTooLargeError} when the picture would be larger than allowed.
 * @throws {RangeError} when an option is out of range.
 */
export function toSvg(root: Value, options: ToSvgOptions = {}): string {
  const opts = checkSvgOptions(options);
  const { items, edges, colX, width: drawnWidth, height: graphHeight, nodes } = layout(root, opts);
  const dead = items.filter((it) => it.op && it.value !== null && isDeadRelu(it.value)).length;
  const note = dead === 0
    ? ""
    : `\u2020 dead ReLU${
      dead === 1 ? "" : "s"
    }: the input is at most 0, so relu passes grad 0 back to it and to all before it.`;
  const width = Math.max(
    drawnWidth,
    note === "" ? 0 : Math.ceil(note.length * CHAR * 0.85 + 2 * MARGIN),
  );
  const height = graphHeight + (note === "" ? 0 : 18);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="${FONT}" role="img" aria-label="${nodes} node computation graph">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<g fill="none" stroke="#555">`,
  ];
  const { paths, arrows } = edgePaths(edges, colX);
  out.push(...paths, `</g>`, `<g fill="#555">`, ...arrows, `</g>`);
  for (const it of items) {
    if (it.value === null) continue;
    out.push(it.op ? opGroup(it, it.value, colX) : valueGroup(it, it.value, colX));
  }
  if (note !== "") {
    out.push(
      `<text data-note="dead-relu" x="${MARGIN}" y="${graphHeight + 10}" font-size="${
        FONT * 0.85
      }" fill="#555">${escapeXml(note)}</text>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
}

/** Each edge as a `<path>` through its dummies, and the arrowhead at its end. */
function edgePaths(edges: Item[][], colX: number[]): { paths: string[]; arrows: string[] } {
  const left = (it: Item) => colX[it.col] - it.w / 2;
  const right = (it: Item) => colX[it.col] + it.w / 2;
  const paths: string[] = [];
  const arrows: string[] = [];
  for (const path of edges) {
    const pts = path.map((it, i) => {
      if (i === 0) return [right(it), it.y];
      if (i === path.length - 1) return [left(it) - ARROW, it.y];
      return [colX[it.col], it.y];
    });
    let d = `M${c1(pts[0][0])} ${c1(pts[0][1])}`;
    for (let i = 1; i < pts.length; i++) {
      const [x0, y0] = pts[i - 1];
      const [x1, y1] = pts[i];
      const mid = (x0 + x1) / 2;
      d += y0 === y1
        ? `L${c1(x1)} ${c1(y1)}`
        : `C${c1(mid)} ${c1(y0)} ${c1(mid)} ${c1(y1)} ${c1(x1)} ${c1(y1)}`;
    }
    paths.push(`<path d="${d}"/>`);
    const [ex, ey] = pts[pts.length - 1];
    arrows.push(
      `<path d="M${c1(ex)} ${c1(ey - 3.5)}L${c1(ex + ARROW)} ${c1(ey)}L${c1(ex)} ${
        c1(ey + 3.5)
      }Z"/>`,
    );
  }
  return { paths, arrows };
}

/** An op's ellipse, as a `<g data-op>` (marked when it is a dead ReLU). */
function opGroup(it: Item, v: Value, colX: number[]): string {
  const base = c1(it.y + FONT * 0.35);
  const dead = isDeadRelu(v)
    ? ` data-dead="true"><title>${
      escapeXml(`dead ReLU: its input is ${v.children[0].data} <= 0, so it passes grad 0 back`)
    }</title>`
    : ">";
  return `<g data-op="${escapeXml(opSymbol(v))}"${dead}<ellipse cx="${c1(colX[it.col])}" cy="${
    c1(it.y)
  }" rx="${c1(it.w / 2)}" ry="${it.h / 2}" fill="#ffffff" stroke="#333"/><text x="${
    c1(colX[it.col])
  }" y="${base}" text-anchor="middle">${escapeXml(it.cells[0])}</text></g>`;
}

/** A value's record `label | data | grad`, as a `<g data-value>` whose tooltip has every digit. */
function valueGroup(it: Item, v: Value, colX: number[]): string {
  const x = colX[it.col] - it.w / 2;
  const y = it.y - it.h / 2;
  const base = c1(it.y + FONT * 0.35);
  const tip = `${v.label === "" ? "(unlabelled)" : v.label}: data ${v.data}, grad ${v.grad}`;
  const parts = [
    `<g data-value="${escapeXml(v.label)}"><title>${escapeXml(tip)}</title>`,
    `<rect x="${c1(x)}" y="${c1(y)}" width="${
      c1(it.w)
    }" height="${it.h}" fill="#ffffff" stroke="#333"/>`,
  ];
  let cx = x;
  it.cells.forEach((cell, i) => {
    const w = Math.max(14, cell.length * CHAR + 12);
    if (i > 0) {
      parts.push(
        `<line x1="${c1(cx)}" y1="${c1(y)}" x2="${c1(cx)}" y2="${c1(y + it.h)}" stroke="#333"/>`,
      );
    }
    const fill = i < 2 ? "#111" : v.grad > 0 ? "#0b5a8c" : v.grad < 0 ? "#b35900" : "#555";
    parts.push(
      `<text x="${c1(cx + w / 2)}" y="${base}" text-anchor="middle" fill="${fill}"${
        i === 0 ? ' font-weight="bold"' : ""
      }>${escapeXml(cell)}</text>`,
    );
    cx += w;
  });
  parts.push("</g>");
  return parts.join("");
}

/**
 * A notebook's MIME bundle for the picture `svg`: the SVG itself, and a
 * `text/html` fallback that shows the same picture as an `<img>` of a `data:`
 * URL. Exporters such as `jupyter nbconvert --to html` sanitise inline SVG
 * outputs into bare text, but keep HTML outputs and their images.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { svgMimeBundle } from "../../mod.ts";
 * const bundle = svgMimeBundle('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"/>', "a box");
 * assert.match(bundle["text/html"], /^<img src="data:image\/svg\+xml;base64,/);
 * assert.equal(bundle["text/plain"], "a box");
 * ```
 */
export function svgMimeBundle(svg: string, text?: string): Record<string, string> {
  const bytes = new TextEncoder().encode(svg);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  const label = /aria-label="([^"]*)"/.exec(svg)?.[1] ?? "picture";
  const width = /width="([\d.]+)"/.exec(svg)?.[1];
  return {
    "image/svg+xml": svg,
    "text/html": `<img src="data:image/svg+xml;base64,${btoa(binary)}" alt="${label}"${
      width === undefined ? "" : ` style="max-width:100%;width:${width}px"`
    }>`,
    ...(text === undefined ? {} : { "text/plain": text }),
  };
}
