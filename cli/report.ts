/**
 * The HTML page of a run: one self-contained file with Chart.js and the page
 * module (`cli/page/`, bundled into `cli/page/_bundle.ts`) inlined, and the
 * run as JSON. The same page, without the JSON, is what `train --serve`
 * serves live. Every piece of user text reaches the page as JSON and is
 * shown as text; the JSON cannot close its script element.
 *
 * @module
 */
import { Mlp, predictBatch, predictClass, summaryParts } from "../mod.ts";
import { gridBounds } from "../workers/grid.ts";
import type { SnapshotMessage, Step } from "../workers/protocol.ts";
import type { ModelFile } from "./model_file.ts";
import type { RunSetup } from "./setup.ts";
import type {
  Confusion,
  Fit,
  HistoryColumns,
  ReportPayload,
  RunEnd,
  RunInfo,
  SnapshotJson,
} from "./page/data.ts";
import { PAGE_JS } from "./page/_bundle.ts";

/** Cells per side of the decision-boundary grid. */
export const GRID_SIZE = 80;

/** What the report shows. */
export interface ReportData {
  /** The run as `model.json` records it. */
  run: ModelFile;
  /** The data and settings the run trained with. */
  setup: RunSetup;
  /** Every step's metrics. */
  history: Step[];
  /** The timeline: the model at chosen steps. */
  snapshots?: SnapshotJson[];
  /** Where the files were written (shown by a live page). */
  files?: RunEnd["files"];
}

/** Options for {@linkcode renderReport}. */
export interface RenderReportOptions {
  /** The text of Chart.js's UMD bundle, inlined into the page. */
  chartJs: string;
  /**
   * Most points per curve; longer histories are thinned evenly.
   *
   * @default {2000}
   */
  maxPoints?: number;
}

/**
 * Escapes text for HTML content and attribute values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeHtml } from "./report.ts";
 * assert.equal(escapeHtml(`<b a="1">&'`), "&lt;b a=&quot;1&quot;&gt;&amp;&#39;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** JSON that is safe inside a `<script>` element: no `<`, `>`, `&` or line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** At most `max` items of `history`, evenly spread, the last kept. */
export function thin<T>(history: T[], max: number): T[] {
  if (history.length <= max) return history;
  const stride = history.length / max;
  const out: T[] = [];
  for (let i = 0; i < max - 1; i++) out.push(history[Math.floor(i * stride)]);
  out.push(history[history.length - 1]);
  return out;
}

const pct = (x: number | undefined) => x === undefined ? "—" : `${(x * 100).toFixed(1)}%`;
const num = (x: number | undefined) => x === undefined ? "—" : x.toPrecision(4);

/** A whole number with thousands separators, as the page writes them: 19,194. */
function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** `n` and a noun, singular for 1: "1 step", "19,194 steps". */
function plural(n: number, noun: string): string {
  return `${count(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * Text with its long numbers in 4 significant digits ("4849528025418427"
 * becomes "4.850e+15", "1.5047138778100526" becomes "1.505"), for messages
 * that quote values at full precision.
 */
export function shortNumbers(text: string): string {
  return text.replace(/-?\d+\.\d{5,}(?:e[+-]?\d+)?|-?\d{9,}/g, (m) => {
    const x = Number(m);
    return Math.abs(x) >= 1e6 ? x.toExponential(3) : String(Number(x.toPrecision(4)));
  });
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** The status line: completed, cancelled at step N, or failed after N steps. */
export function statusText(run: ModelFile): string {
  switch (run.status) {
    case "completed":
      return `Completed ${plural(run.stepsDone, "step")}`;
    case "cancelled":
      return `Cancelled at step ${count(run.stoppedAtStep ?? run.stepsDone)} of ${
        count(run.config.steps)
      }`;
    case "failed":
      return `Failed after ${plural(run.stepsDone, "step")}: ${
        shortNumbers(run.error ?? "unknown error")
      }`;
    default: {
      const never: never = run.status;
      return String(never);
    }
  }
}

/** The final metrics and the time, in one line. */
function headline(run: ModelFile): string {
  const f = run.final;
  const regression = run.config.problem === "regression";
  const parts = f === undefined
    ? []
    : regression
    ? [`train R² ${num(f.trainR2)}`, `train MSE ${num(f.trainMse)}`]
    : [`train accuracy ${pct(f.trainAccuracy)}`, `train data loss ${num(f.trainLoss)}`];
  if (f?.testAccuracy !== undefined) parts.push(`test accuracy ${pct(f.testAccuracy)}`);
  if (f?.testR2 !== undefined) parts.push(`test R² ${num(f.testR2)}`);
  parts.push(plural(run.parameterCount, "parameter"), seconds(run.wallTimeMs));
  return parts.join(" · ");
}

/** The summary table's rows: label and text. */
function summaryRows(run: ModelFile): [string, string][] {
  const c = run.config;
  const d = run.dataset;
  const regression = c.problem === "regression";
  const what = regression ? "real targets" : `${run.classNames.length} classes`;
  const data = d.kind === "generated"
    ? `${d.name}: ${count(d.samples)} samples, noise ${d.noise}, ${what}`
    : `CSV file ${d.file}: ${count(d.rows)} rows, ${d.features} features, ${what}`;
  const f = run.final;
  const fit: [string, string][] = regression
    ? [
      ["Final train MSE, R²", `${num(f?.trainMse)}, ${num(f?.trainR2)}`],
      ...(f?.testR2 !== undefined
        ? [["Final test MSE, R²", `${num(f.testMse)}, ${num(f.testR2)}`] as [string, string]]
        : []),
    ]
    : [
      ["Final train loss (no penalties)", num(f?.trainLoss)],
      ["Final train accuracy", pct(f?.trainAccuracy)],
      ...(f?.testAccuracy !== undefined
        ? [
          ["Final test loss (no penalties)", num(f.testLoss)] as [string, string],
          ["Final test accuracy", pct(f.testAccuracy)] as [string, string],
        ]
        : []),
    ];
  return [
    ["Status", statusText(run)],
    ["Data", data],
    ["Inputs", (run.inputNames ?? run.featureNames).join(", ")],
    ["Features", run.featureNames.join(", ")],
    ...(regression ? [] : [["Classes", run.classNames.join(", ")] as [string, string]]),
    [
      "Model",
      `Mlp ${[run.featureNames.length, ...c.layers, run.model?.nouts.at(-1) ?? "?"].join("-")}, ${
        c.layers.length > 0 ? `${c.activation} hidden, linear output` : "linear (no hidden layer)"
      }`,
    ],
    ["Parameters", count(run.parameterCount)],
    ["Steps done", count(run.stepsDone)],
    // Every setting the table puts in the summary, in table order.
    ...summaryParts(c),
    ...fit,
    ["Wall time", seconds(run.wallTimeMs)],
    ["Created", run.createdAt],
  ];
}

/** A number rounded to `digits` significant digits (`null` when not finite, as JSON has no NaN). */
function round(x: number, digits: number): number | null {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)) : null;
}

/**
 * A snapshot as the page takes it: parameters to 5 significant digits (the
 * boundary drawn from them differs from the exact one by well under a
 * pixel), grads to 3.
 */
export function snapshotJson(m: Pick<SnapshotMessage, "step" | "params" | "grads">): SnapshotJson {
  return {
    step: m.step,
    params: Array.from(m.params, (p) => round(p, 5)),
    grads: Array.from(m.grads, (g) => round(g, 3)),
  };
}

/**
 * How many moments the timeline keeps for a model of `parameters`: 48,
 * fewer for big models, so the report stays small (about 200,000 numbers at
 * most, and never fewer than 8 moments).
 */
export function timelineCount(parameters: number): number {
  return Math.max(8, Math.min(48, Math.floor(200_000 / Math.max(1, parameters))));
}

/** What the page needs to know about a run before it starts. */
export function runInfo(setup: RunSetup, gridSize = GRID_SIZE): RunInfo {
  // Coordinates to 5 significant digits: far below a pixel, and half the size.
  const r5 = (row: number[]) => row.map((v) => round(v, 5) ?? v);
  // The points over the data's own inputs (the plane's axes, whatever features the model takes).
  const points = setup.inputNames.length <= 2
    ? { x: setup.points.x.map(r5), y: setup.points.y, test: setup.points.test }
    : undefined;
  const crossed = setup.featureNames.join(",") !== setup.inputNames.join(",");
  return {
    dataset: setup.source.kind === "generated" ? setup.source.name : setup.source.file,
    problem: setup.config.problem,
    featureNames: setup.featureNames,
    inputNames: setup.inputNames,
    ...(crossed ? { features: setup.featureNames } : {}),
    classNames: setup.config.problem === "regression" ? [] : setup.classNames,
    steps: setup.config.steps,
    model: {
      nin: setup.nin,
      nouts: setup.nouts,
      activation: setup.config.activation,
      outputActivation: "linear",
    },
    loss: setup.config.loss,
    l2: setup.config.l2,
    ...(points ? { points } : {}),
    ...(points && setup.inputNames.length === 2 ? { bounds: gridBounds(points.x) } : {}),
    ...(setup.inputNames.length > 2 ? { inputStats: inputStats(setup.points.x) } : {}),
    gridSize,
  };
}

/** Each input's smallest, largest and mean finite value, to 5 significant digits. */
function inputStats(x: number[][]): { min: number[]; max: number[]; mean: number[] } {
  const n = x[0]?.length ?? 0;
  const min = new Array<number>(n).fill(Infinity);
  const max = new Array<number>(n).fill(-Infinity);
  const sum = new Array<number>(n).fill(0);
  const count = new Array<number>(n).fill(0);
  for (const row of x) {
    row.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      min[i] = Math.min(min[i], v);
      max[i] = Math.max(max[i], v);
      sum[i] += v;
      count[i]++;
    });
  }
  const r = (v: number, fallback: number) => Number.isFinite(v) ? round(v, 5) ?? v : fallback;
  return {
    min: min.map((v) => r(v, -1)),
    max: max.map((v) => r(v, 1)),
    mean: sum.map((s, i) => r(count[i] === 0 ? 0 : s / count[i], 0)),
  };
}

/** Counts of true class (rows) against the model's class (columns). */
function confusion(model: Mlp, x: number[][], y: number[], classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const out = predictBatch(model, x);
  const width = model.nouts[model.nouts.length - 1];
  x.forEach((_, i) => {
    const k = predictClass(Array.from(out.subarray(i * width, i * width + width)));
    if (y[i] < classes && k < classes) m[y[i]][k]++;
  });
  return m;
}

/** How the run ended, for the page: status, summary, confusion matrices. */
export function runEnd(run: ModelFile, setup: RunSetup, files?: RunEnd["files"]): RunEnd {
  let matrices: Confusion | undefined;
  let fit: Fit | undefined;
  if (run.model !== undefined && run.status !== "failed") {
    const model = Mlp.fromJSON(run.model);
    const test = setup.test && setup.test.x.length > 0 ? setup.test : undefined;
    if (setup.config.problem === "regression") {
      // Predicted against true, thinned to 2,000 points: enough to see the fit.
      const all = [...setup.train.x, ...(test?.x ?? [])];
      const truth = [...setup.train.y, ...(test?.y ?? [])];
      const held = [...setup.train.x.map(() => false), ...(test?.x.map(() => true) ?? [])];
      const every = Math.max(1, Math.ceil(all.length / 2000));
      const keep = all.map((_, i) => i).filter((i) => i % every === 0);
      const predicted = predictBatch(model, keep.map((i) => all[i]));
      fit = {
        truth: keep.map((i) => round(truth[i], 5) ?? 0),
        predicted: Array.from(predicted, (v) => round(v, 5) ?? 0),
        test: keep.map((i) => held[i]),
      };
    } else {
      const k = setup.classNames.length;
      matrices = { train: confusion(model, setup.train.x, setup.train.y, k) };
      if (test) matrices.test = confusion(model, test.x, test.y, k);
    }
  }
  return {
    status: run.status,
    statusText: statusText(run),
    headline: headline(run),
    summary: summaryRows(run),
    command: run.command,
    ...(matrices ? { confusion: matrices } : {}),
    ...(fit ? { fit } : {}),
    ...(files ? { files } : {}),
  };
}

/**
 * `max` steps of a longer history: about half evenly spread on a log scale
 * of the step (so a long run's log step axis keeps its early steps, where
 * most learning happens), the rest evenly spread over the others; the first
 * and last kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thinSteps } from "./report.ts";
 * const steps = Array.from({ length: 100_000 }, (_, i) => i + 1);
 * const kept = thinSteps(steps, 2000);
 * assert.equal(kept.length, 2000);
 * assert.deepEqual(kept.slice(0, 3), [1, 2, 3]);
 * assert.equal(kept.at(-1), 100_000);
 * ```
 */
export function thinSteps<T>(history: T[], max: number): T[] {
  const n = history.length;
  if (n <= max) return history;
  const half = Math.max(2, Math.floor(max / 2));
  const log = new Set<number>([0, n - 1]);
  for (let i = 0; i < half; i++) {
    log.add(Math.round(Math.expm1(i / (half - 1) * Math.log1p(n - 1))));
  }
  const rest: number[] = [];
  for (let i = 0; i < n; i++) if (!log.has(i)) rest.push(i);
  const more = Math.max(0, max - log.size);
  const keep = [...log];
  for (let i = 0; i < more; i++) keep.push(rest[Math.floor(i * rest.length / more)]);
  return keep.sort((a, b) => a - b).map((i) => history[i]);
}

/** The history as columns, thinned to at most `max` steps, values to 6 significant digits. */
export function historyColumns(history: Step[], max = 2000): HistoryColumns {
  const kept = thinSteps(history, max);
  const r = (x: number) => round(x, 6) ?? NaN;
  return {
    step: kept.map((s) => s.step),
    loss: kept.map((s) => r(s.loss)),
    dataLoss: kept.map((s) => r(s.dataLoss)),
    accuracy: kept.map((s) => s.accuracy === undefined ? null : r(s.accuracy)),
    lr: kept.map((s) => r(s.lr)),
    testLoss: kept.map((s) => s.testLoss === undefined ? null : r(s.testLoss)),
    testAccuracy: kept.map((s) => s.testAccuracy === undefined ? null : r(s.testAccuracy)),
    ...(kept.some((s) => s.r2 !== undefined)
      ? {
        r2: kept.map((s) => s.r2 === undefined ? null : r(s.r2)),
        testR2: kept.map((s) => s.testR2 === undefined ? null : r(s.testR2)),
      }
      : {}),
  };
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0;
  --bg: #f6f8fa; --card: #ffffff; --accent: #0969da; --accent-bg: #ddf4ff;
  --ok: #116329; --ok-bg: #dafbe1; --warn: #7d4e00; --warn-bg: #fff8c5;
  --bad: #a40e26; --bad-bg: #ffebe9; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --bg: #0d1117; --card: #151b23;
    --accent: #4493f8; --accent-bg: #0d2a4d; --ok: #57d364; --ok-bg: #12361c;
    --warn: #e3b341; --warn-bg: #3b2e0a; --bad: #ff7b72; --bad-bg: #4a1418; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); }
main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 15px; margin: 0 0 8px; }
h2 .title-row { display: flex; align-items: baseline; gap: 12px; }
header p { margin: 4px 0; }
.status { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600;
  background: var(--accent-bg); color: var(--accent); }
.status.moment { background: transparent; border: 1px solid var(--line); color: var(--fg); }
.status.completed { background: var(--ok-bg); color: var(--ok); }
.status.cancelled { background: var(--warn-bg); color: var(--warn); }
.status.failed { background: var(--bad-bg); color: var(--bad); }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px;
  margin-top: 16px; }
.grid.top { grid-template-columns: minmax(0, 520px) minmax(0, 1fr); }
.grid.charts { grid-template-columns: repeat(auto-fit, minmax(min(300px, 100%), 1fr)); }
@media (max-width: 900px) { .grid, .grid.top { grid-template-columns: minmax(0, 1fr); } }
@media (max-width: 600px) { main { padding: 12px 10px 32px; } .card { padding: 10px; }
  .grid { gap: 10px; margin-top: 10px; } }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px;
  min-width: 0; }
.card[hidden] { display: none; }
.card.timeline { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin-top: 14px;
  padding: 10px 14px; }
.timeline-track { flex: 1 1 220px; min-width: 0; position: relative; padding-bottom: 16px; }
.timeline-track input { width: 100%; margin: 0; display: block; }
.timeline-scale { position: absolute; left: 8px; right: 8px; bottom: 0; height: 14px; font-size: 11px; }
.timeline-scale span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.timeline-scale span.kind { right: -8px; transform: none; top: -30px; }
.card.timeline button { font: inherit; color: var(--fg); padding: 6px 14px; border-radius: 6px;
  border: 1px solid var(--line); background: var(--bg); cursor: pointer; min-width: 72px; }
.card.timeline button[aria-pressed="true"] { background: var(--accent-bg); color: var(--accent); }
#timeline-step { flex: 0 1 auto; font-variant-numeric: tabular-nums; }
.chart { position: relative; height: 260px; }
.chart.tall { height: 420px; }
.toggle { font-weight: 400; font-size: 13px; margin-left: auto; }
#boundary, #curve, #fit { display: block; cursor: crosshair; max-width: 100%; }
#boundary:focus-visible, #curve:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.readout { font-size: 12px; color: var(--muted); min-height: 2.9em; margin-top: 4px;
  font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.scale { display: flex; align-items: center; gap: 6px; font-size: 12px; margin-top: 6px;
  flex-wrap: wrap; font-variant-numeric: tabular-nums; }
.scale .bar { display: inline-block; width: 140px; height: 10px; border-radius: 2px;
  border: 1px solid var(--line); }
.scale[hidden] { display: none; }
.network { overflow-x: auto; }
.network svg { display: block; max-width: 100%; height: auto; }
.scroll { overflow-x: auto; max-width: 100%; }
.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%; margin-right: 6px;
  vertical-align: -1px; border: 1px solid var(--line); }
.swatch.square { border-radius: 0; }
.swatch.line { width: 16px; height: 0; border-radius: 0; border: 0; border-top: 2px dashed var(--muted);
  vertical-align: 3px; }
table.summary { border-collapse: collapse; width: 100%; }
table.summary th { text-align: left; color: var(--muted); font-weight: 500; padding: 4px 12px 4px 0;
  vertical-align: top; }
table.summary td { padding: 4px 0; overflow-wrap: anywhere; }
table.confusion { border-collapse: collapse; margin: 0 0 14px; font-variant-numeric: tabular-nums; }
table.confusion caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
table.confusion th, table.confusion td { border: 1px solid var(--line); padding: 4px 10px; }
table.confusion td { text-align: right; min-width: 48px; }
table.confusion th { font-weight: 500; max-width: 160px; overflow-wrap: anywhere; }
table.confusion th.corner { color: var(--muted); font-size: 12px; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--bg);
  padding: 2px 4px; border-radius: 4px; overflow-wrap: anywhere; }
.note { color: var(--muted); }
.note:empty { display: none; }
.controls label { color: var(--fg); }
code.command span { white-space: nowrap; }
`;

/** Options for {@linkcode renderPage}. */
export interface RenderPageOptions {
  /** The text of Chart.js's UMD bundle, inlined into the page. */
  chartJs: string;
  /** The page's first title (the page sets its own once it runs). */
  title: string;
  /** The run, for a report; none for a live page, which listens to `events` beside it. */
  report?: ReportPayload;
}

/**
 * The page: a shell that the bundled page module fills, either from the
 * embedded run (a report) or from the live stream (no `report`).
 */
export function renderPage(options: RenderPageOptions): string {
  const live = options.report === undefined;
  const csp = [
    "default-src 'none'",
    // wasm-unsafe-eval: the compiled model's WebAssembly SIMD kernels (the page's grids).
    "script-src 'unsafe-inline' 'wasm-unsafe-eval'",
    "style-src 'unsafe-inline'",
    "img-src data:",
    ...(live ? ["connect-src 'self'"] : []),
  ].join("; ");
  const chartJs = options.chartJs.replace(/<\/(script)/gi, "<\\/$1");
  const pageJs = PAGE_JS.replace(/<\/(script)/gi, "<\\/$1");
  const data = live
    ? ""
    : `<script type="application/json" id="run-data">${scriptJson(options.report)}</script>\n`;
  const loading = `<p class="note" id="loading">Loading the ${live ? "live view" : "report"}…</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="icon" href="data:,">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main id="app">${loading}${noscript(options.report)}</main>
${data}<script>${chartJs}</script>
<script type="module">${pageJs}</script>
</body>
</html>
`;
}

/**
 * What a browser without JavaScript shows instead of the page: the run's
 * status, figures and summary as plain HTML (a live page can only say that
 * it needs JavaScript).
 */
function noscript(report: ReportPayload | undefined): string {
  const hide = "<style>#loading { display: none; }</style>";
  if (!report) {
    return `<noscript>${hide}<p>The live view needs JavaScript. The report is written when ` +
      `the run ends.</p></noscript>`;
  }
  const end = report.end;
  const rows = [...end.summary, ["Reproduce", end.command]]
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("\n");
  return `<noscript>${hide}<header><h1>denograd: ${escapeHtml(report.info.dataset)}</h1>
<p><span class="status ${end.status}">${escapeHtml(end.statusText)}</span>
<span class="note">${escapeHtml(end.headline)}</span></p></header>
<section class="card"><h2>Summary</h2><p class="note">The charts, boundary, network and timeline
need JavaScript.</p><table class="summary">
${rows}
</table></section></noscript>`;
}

/**
 * Renders the report page of a finished (or stopped) run.
 *
 * @example
 * ```ts ignore
 * const html = renderReport({ run, setup, history, snapshots }, { chartJs: await loadChartJs() });
 * ```
 */
export function renderReport(data: ReportData, options: RenderReportOptions): string {
  const info = runInfo(data.setup);
  // Each moment carries its step's metrics exactly as history.csv has them (the history is thinned).
  const byStep = new Map(data.history.map((s) => [s.step, s]));
  const report: ReportPayload = {
    info,
    history: historyColumns(data.history, options.maxPoints ?? 2000),
    snapshots: (data.snapshots ?? []).map((s) => {
      const metrics = byStep.get(s.step);
      return metrics ? { ...s, metrics } : s;
    }),
    end: runEnd(data.run, data.setup, data.files),
  };
  return renderPage({
    chartJs: options.chartJs,
    title: `denograd: ${info.dataset} - ${data.run.status}`,
    report,
  });
}
