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
import type { SnapshotMessage, Step } from "../workers/protocol.ts";
import type { ModelFile } from "./model_file.ts";
import type { RunSetup } from "./setup.ts";
import type {
  Confusion,
  Fit,
  HistoryColumns,
  ReportPayload,
  RunEnd,
  SnapshotJson,
} from "./page/data.ts";
import { PAGE_JS } from "./page/_bundle.ts";
import { GRID_SIZE, round, runInfo } from "./run_info.ts";
import { fixedBytes, pageHead, scriptJson, STYLE, textOf, type TextParts } from "./page_style.ts";

export { GRID_SIZE, runInfo, scriptJson, STYLE };

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

/**
 * The playground as a report carries it: the page (the same for every report)
 * and the text of its `#seed-run` script (the run), each gzipped, in base64.
 */
export interface PackedPlayground {
  /** The playground page, unseeded. */
  page: string;
  /** The run to start from, as the playground reads it from `#seed-run`. */
  seed: string;
}

/** Options for {@linkcode renderReport}. */
export interface RenderReportOptions {
  /** The text of Chart.js's UMD bundle, inlined into the page. */
  chartJs: string;
  /** The playground and the run to seed it with (see {@linkcode RenderPageOptions}). */
  playground?: PackedPlayground;
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

/** Options for {@linkcode renderPage}. */
export interface RenderPageOptions {
  /** The text of Chart.js's UMD bundle, inlined into the page. */
  chartJs: string;
  /** The page's first title (the page sets its own once it runs). */
  title: string;
  /** The run, for a report; none for a live page, which listens to `events` beside it. */
  report?: ReportPayload;
  /**
   * The playground and the run to seed it with, for the report's "Open in playground"
   * button (reports only: a live page stays read-only).
   */
  playground?: PackedPlayground;
}

/**
 * The page: a shell that the bundled page module fills, either from the
 * embedded run (a report) or from the live stream (no `report`).
 */
export function renderPage(options: RenderPageOptions): string {
  return textOf(pageParts(options));
}

/** {@linkcode renderPage}'s text in parts, its fixed scripts as bytes made once (to write it). */
export function pageParts(options: RenderPageOptions): TextParts {
  const live = options.report === undefined;
  const csp = [
    "default-src 'none'",
    // wasm-unsafe-eval: the compiled model's WebAssembly SIMD kernels (the page's grids).
    `script-src 'unsafe-inline' 'wasm-unsafe-eval'${options.playground ? " blob:" : ""}`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    ...(live ? ["connect-src 'self'"] : []),
    // The playground, once opened in place, starts its worker from a Blob URL.
    ...(options.playground ? ["worker-src blob:"] : []),
  ];
  const data = live
    ? ""
    : `<script type="application/json" id="run-data">${scriptJson(options.report)}</script>\n`;
  const loading = `<p class="note" id="loading">Loading the ${live ? "live view" : "report"}…</p>`;
  const playground = options.playground && !live
    ? [
      `<script type="text/plain" id="playground-gz">`,
      fixedBytes(options.playground.page, false),
      `</script>\n<script type="text/plain" id="playground-seed">${options.playground.seed}</script>\n`,
    ]
    : [];
  return [
    `${
      pageHead({ titleHtml: escapeHtml(options.title), csp, style: STYLE })
    }<main id="app">${loading}${noscript(options.report)}</main>\n${data}`,
    ...playground,
    `<script id="chart-js">`,
    fixedBytes(options.chartJs, true),
    `</script>\n<script type="module">`,
    fixedBytes(PAGE_JS, true),
    `</script>\n</body>\n</html>\n`,
  ];
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
  return textOf(reportParts(data, options));
}

/** {@linkcode renderReport}'s text in parts, its fixed scripts as bytes made once (to write it). */
export function reportParts(data: ReportData, options: RenderReportOptions): TextParts {
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
  return pageParts({
    chartJs: options.chartJs,
    title: `denograd: ${info.dataset} - ${data.run.status}`,
    report,
    ...(options.playground ? { playground: options.playground } : {}),
  });
}
