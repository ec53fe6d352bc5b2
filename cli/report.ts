/**
 * The HTML report of a run: one self-contained file with Chart.js inlined,
 * the loss and accuracy curves, the decision boundary over 2-D data and a
 * summary table. Every piece of user text is escaped; the run's data rides in
 * a JSON script block that cannot close its tag.
 *
 * @module
 */
import type { Grid, Step } from "../workers/protocol.ts";
import type { ModelFile } from "./model_file.ts";

/** What the report shows: the model file plus the points and the boundary. */
export interface ReportData {
  /** The run as `model.json` records it. */
  run: ModelFile;
  /** Every step's metrics. */
  history: Step[];
  /** The points, for 2-D data: features, class and whether they were held out. */
  points?: { x: number[][]; y: number[]; test: boolean[] };
  /** The decision boundary, for 2-D data. */
  grid?: Grid;
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

function thin(history: Step[], max: number): Step[] {
  if (history.length <= max) return history;
  const stride = history.length / max;
  const out: Step[] = [];
  for (let i = 0; i < max - 1; i++) out.push(history[Math.floor(i * stride)]);
  out.push(history[history.length - 1]);
  return out;
}

const pct = (x: number | undefined) => x === undefined ? "—" : `${(x * 100).toFixed(1)}%`;
const num = (x: number | undefined) => x === undefined ? "—" : x.toPrecision(4);

function seconds(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** The status line: completed, cancelled at step N, or failed after N steps. */
export function statusText(run: ModelFile): string {
  switch (run.status) {
    case "completed":
      return `Completed ${run.stepsDone} steps`;
    case "cancelled":
      return `Cancelled at step ${run.stoppedAtStep ?? run.stepsDone} of ${run.config.steps}`;
    case "failed":
      return `Failed after ${run.stepsDone} steps: ${run.error ?? "unknown error"}`;
    default: {
      const never: never = run.status;
      return String(never);
    }
  }
}

/** The final metrics and the time, in one line. */
function headline(run: ModelFile): string {
  const f = run.final;
  const parts = f
    ? [`train accuracy ${pct(f.trainAccuracy)}`, `train data loss ${num(f.trainLoss)}`]
    : [];
  if (f?.testAccuracy !== undefined) parts.push(`test accuracy ${pct(f.testAccuracy)}`);
  parts.push(`${run.parameterCount} parameters`, seconds(run.wallTimeMs));
  return parts.join(" · ");
}

function row(name: string, value: string, raw = false): string {
  return `<tr><th>${escapeHtml(name)}</th><td>${raw ? value : escapeHtml(value)}</td></tr>`;
}

function summary(run: ModelFile): string {
  const c = run.config;
  const d = run.dataset;
  const data = d.kind === "generated"
    ? `${d.name}: ${d.samples} samples, noise ${d.noise}, ${d.classes} classes`
    : `CSV file ${d.file}: ${d.rows} rows, ${d.features} features, ${run.classNames.length} classes`;
  const f = run.final;
  const rows = [
    row("Status", statusText(run)),
    row("Data", data),
    row("Features", run.featureNames.join(", ")),
    row("Classes", run.classNames.join(", ")),
    row("Test share", c.testFraction > 0 ? `${c.testFraction}` : "none (all data trains)"),
    row(
      "Model",
      `Mlp ${
        [run.featureNames.length, ...c.layers, run.model?.nouts.at(-1) ?? "?"].join("-")
      }, ${c.activation} hidden, linear output`,
    ),
    row("Parameters", String(run.parameterCount)),
    row("Loss", `${c.loss}, L2 ${c.l2}`),
    row("Optimizer", `${c.optimizer}, lr ${c.lr}, ${c.lrSchedule} schedule`),
    row(
      "Steps",
      `${run.stepsDone} of ${c.steps}, batch ${c.batchSize === 0 ? "all" : c.batchSize}`,
    ),
    row("Engine", c.engine),
    row("Seed", String(c.seed)),
    row("Final train loss (no L2)", num(f?.trainLoss)),
    row("Final train accuracy", pct(f?.trainAccuracy)),
    ...(f?.testAccuracy !== undefined
      ? [
        row("Final test loss (no L2)", num(f.testLoss)),
        row("Final test accuracy", pct(f.testAccuracy)),
      ]
      : []),
    row("Wall time", seconds(run.wallTimeMs)),
    row("Created", run.createdAt),
    // Each word unbroken: a line may wrap between flags, not inside "--noise".
    row(
      "Reproduce",
      `<code class="command">${
        run.command.split(" ").map((w) => `<span>${escapeHtml(w)}</span>`).join(" ")
      }</code>`,
      true,
    ),
  ];
  return `<table class="summary">${rows.join("\n")}</table>`;
}

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: #f6f8fa; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 0 0 8px; }
.status { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 600; }
.status.completed { background: #dafbe1; color: #116329; }
.status.cancelled { background: #fff8c5; color: #7d4e00; }
.status.failed { background: #ffebe9; color: #a40e26; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-top: 16px; }
@media (max-width: 860px) { .grid { grid-template-columns: 1fr; } }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px; }
.chart { position: relative; height: 300px; }
#boundary { display: block; width: 100%; max-width: 480px; aspect-ratio: 1; border: 1px solid var(--line); }
.legend { list-style: none; padding: 0; margin: 0; }
.legend li { margin: 2px 0; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%; margin-right: 6px;
  vertical-align: -1px; border: 1px solid #0006; }
table.summary { border-collapse: collapse; width: 100%; }
table.summary th { text-align: left; color: var(--muted); font-weight: 500; padding: 4px 12px 4px 0;
  vertical-align: top; white-space: nowrap; }
table.summary td { padding: 4px 0; overflow-wrap: anywhere; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa;
  padding: 2px 4px; border-radius: 4px; }
.note { color: var(--muted); }
code.command span { white-space: nowrap; }
`;

/** Draws the charts and the boundary from the JSON block; runs in the page. */
const PAGE_SCRIPT = String.raw`
"use strict";
(function () {
  var run = JSON.parse(document.getElementById("run-data").textContent);
  var COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf"];
  var steps = run.history.map(function (h) { return h.step + 1; });
  var hasTest = run.history.some(function (h) { return h.testLoss !== undefined; });
  function series(key, scale) {
    return run.history.map(function (h) { return h[key] === undefined ? null : h[key] * scale; });
  }
  function line(label, data, color, dash) {
    return { label: label, data: data, borderColor: color, backgroundColor: color,
      borderWidth: 2, pointRadius: 0, borderDash: dash || [], tension: 0 };
  }
  // A loss that spans decades (a spike, a divergence) is drawn on a log scale.
  function yType(datasets) {
    var values = [];
    datasets.forEach(function (d) {
      d.data.forEach(function (v) { if (v !== null) values.push(v); });
    });
    var min = Math.min.apply(null, values);
    var max = Math.max.apply(null, values);
    return values.length && min > 0 && max / min > 1000 ? "logarithmic" : "linear";
  }
  function chart(id, datasets, yTitle, yMax, type) {
    return new Chart(document.getElementById(id), {
      type: "line",
      data: { labels: steps, datasets: datasets },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { title: { display: true, text: "step" }, ticks: { maxTicksLimit: 10 } },
          y: { type: type || "linear", title: { display: true, text: yTitle }, max: yMax,
            beginAtZero: yMax !== undefined }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
  // Train and test loss alike without the L2 penalty, so they compare; the
  // loss that was minimised (with the penalty) is the thin dotted line.
  var lossSets = [line("train loss", series("dataLoss", 1), COLORS[0])];
  if (hasTest) lossSets.push(line("test loss", series("testLoss", 1), COLORS[1], [6, 3]));
  if (run.l2 > 0) {
    var total = line("train loss + L2 penalty", series("loss", 1), COLORS[7], [2, 2]);
    total.borderWidth = 1;
    lossSets.push(total);
  }
  var lossScale = yType(lossSets);
  chart("loss-chart", lossSets, lossScale === "logarithmic" ? "loss (log scale)" : "loss",
    undefined, lossScale);
  var accSets = [line("train accuracy", series("accuracy", 100), COLORS[2])];
  if (hasTest) accSets.push(line("test accuracy", series("testAccuracy", 100), COLORS[3], [6, 3]));
  chart("accuracy-chart", accSets, "accuracy (%)", 100);

  var canvas = document.getElementById("boundary");
  if (!canvas || !run.grid) return;
  var g = run.grid;
  var ratio = window.devicePixelRatio || 1;
  var size = canvas.clientWidth || 480;
  canvas.width = size * ratio;
  canvas.height = size * ratio;
  var ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  function rgb(hex) {
    return [1, 3, 5].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
  }
  // One pixel per cell on a small canvas, scaled up smoothly.
  var small = document.createElement("canvas");
  small.width = g.size;
  small.height = g.size;
  var sctx = small.getContext("2d");
  var img = sctx.createImageData(g.size, g.size);
  for (var j = 0; j < g.size; j++) {
    for (var i = 0; i < g.size; i++) {
      var k = j * g.size + i;
      var c = rgb(COLORS[g.classes[k] % COLORS.length]);
      var a = 0.15 + 0.55 * g.confidence[k];
      // Row j is at y = yMin + ..., so it goes from the bottom up.
      var o = ((g.size - 1 - j) * g.size + i) * 4;
      img.data[o] = Math.round(255 + (c[0] - 255) * a);
      img.data[o + 1] = Math.round(255 + (c[1] - 255) * a);
      img.data[o + 2] = Math.round(255 + (c[2] - 255) * a);
      img.data[o + 3] = 255;
    }
  }
  sctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(small, 0, 0, size, size);
  function px(x) { return (x - g.xMin) / (g.xMax - g.xMin) * size; }
  function py(y) { return size - (y - g.yMin) / (g.yMax - g.yMin) * size; }
  ctx.strokeStyle = "rgba(0,0,0,0.25)";
  ctx.lineWidth = 1;
  if (g.xMin < 0 && g.xMax > 0) { ctx.beginPath(); ctx.moveTo(px(0), 0); ctx.lineTo(px(0), size); ctx.stroke(); }
  if (g.yMin < 0 && g.yMax > 0) { ctx.beginPath(); ctx.moveTo(0, py(0)); ctx.lineTo(size, py(0)); ctx.stroke(); }
  var p = run.points;
  for (var n = 0; n < p.x.length; n++) {
    var color = COLORS[p.y[n] % COLORS.length];
    ctx.beginPath();
    if (p.test[n]) {
      ctx.rect(px(p.x[n][0]) - 4, py(p.x[n][1]) - 4, 8, 8);
    } else {
      ctx.arc(px(p.x[n][0]), py(p.x[n][1]), 4, 0, 2 * Math.PI);
    }
    ctx.fillStyle = color;
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = "#000";
    ctx.stroke();
  }
  ctx.fillStyle = "#333";
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillText(g.xMin.toFixed(2), 4, size - 4);
  ctx.fillText(g.xMax.toFixed(2), size - 34, size - 4);
  ctx.fillText(g.yMax.toFixed(2), 4, 12);
})();
`;

/**
 * Renders the report page.
 *
 * @example
 * ```ts ignore
 * const html = renderReport(data, { chartJs: await loadChartJs() });
 * ```
 */
export function renderReport(data: ReportData, options: RenderReportOptions): string {
  const { run } = data;
  const maxPoints = options.maxPoints ?? 2000;
  const source = run.dataset.kind === "generated" ? run.dataset.name : run.dataset.file;
  const twoD = data.grid !== undefined && data.points !== undefined;
  const payload = {
    l2: run.config.l2,
    history: thin(data.history, maxPoints),
    grid: data.grid && {
      ...data.grid,
      classes: Array.from(data.grid.classes),
      confidence: Array.from(data.grid.confidence, (c) => Math.round(c * 1000) / 1000),
    },
    points: data.points,
  };
  const legend = run.classNames.map((name, k) =>
    `<li><span class="swatch" style="background:var(--c${k % 10})"></span>${escapeHtml(name)}</li>`
  ).join("");
  const palette = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
  ].map((c, k) => `--c${k}: ${c};`).join(" ");
  const boundary = twoD
    ? `<div class="card">
<h2>Decision boundary</h2>
<canvas id="boundary" width="480" height="480" role="img" aria-label="Decision boundary"></canvas>
<p class="note">Shaded by the class the model predicts; darker where it is surer.
Circles are training points${
      data.points!.test.some(Boolean) ? ", squares held-out test points" : ""
    }.<br>Horizontal: ${escapeHtml(run.featureNames[0])}; vertical: ${
      escapeHtml(run.featureNames[1])
    }.</p>
<ul class="legend">${legend}</ul>
</div>`
    : `<div class="card"><h2>Decision boundary</h2>
<p class="note">${
      run.status === "failed"
        ? "Not drawn: the run failed, so its model is not usable."
        : `Not drawn: the data has ${run.featureNames.length} features; the boundary is drawn for 2.`
    }</p></div>`;
  const chartJs = options.chartJs.replace(/<\/(script)/gi, "<\\/$1");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>denograd run: ${escapeHtml(source)} (${escapeHtml(run.status)})</title>
<style>${STYLE}:root { ${palette} }</style>
</head>
<body>
<main>
<h1>denograd run: ${escapeHtml(source)}</h1>
<p><span class="status ${escapeHtml(run.status)}" id="status">${
    escapeHtml(statusText(run))
  }</span> <span class="note">${escapeHtml(headline(run))}</span></p>
<div class="grid">
<div class="card"><h2>Loss</h2><div class="chart"><canvas id="loss-chart" role="img" aria-label="Loss per step"></canvas></div></div>
<div class="card"><h2>Accuracy</h2><div class="chart"><canvas id="accuracy-chart" role="img" aria-label="Accuracy per step"></canvas></div></div>
${boundary}
<div class="card"><h2>Summary</h2>
${summary(run)}
</div>
</div>
</main>
<script type="application/json" id="run-data">${scriptJson(payload)}</script>
<script>${chartJs}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
