/// <reference lib="dom" />
/**
 * The compare page's code, bundled into every compare page (see
 * `cli/compare_page/build.ts`). It reads the runs embedded in
 * `<script type="application/json" id="compare-data">` and draws: the table
 * (sort by a header, filter by a setting, choose runs, pin a baseline), the
 * overlaid curves with smoothing, parallel coordinates, each run's boundary
 * and the spread over seeds. Smoothing changes the curves only: the table
 * always shows the raw figures.
 *
 * @module
 */
import type { Chart as ChartJs } from "chart.js";
import {
  classColour,
  NEGATIVE,
  POSITIVE,
  rgbOf,
  scaleColour,
  seriesColour,
  ZERO,
} from "../../nn/draw/palette.ts";
import { type ComparePayload, type CompareRun, METRIC_KEYS, type MetricKey } from "./data.ts";

const Chart = (globalThis as unknown as { Chart: typeof ChartJs }).Chart;

/** Runs whose curves are drawn at first. */
const FIRST_CHOSEN = 8;

/**
 * Rows laid out before the page is ready. Every run's row is in the table
 * from the start; those past the first screens are laid out (and their
 * boundaries drawn) in slices of {@linkcode ROWS_PER_SLICE} once the page is
 * ready, so that 1,000 runs do not hold the page up for seconds.
 */
const FIRST_ROWS = 60;
const ROWS_PER_SLICE = 150;

const STYLE = `
:root { color-scheme: light dark; --fg: #1d2125; --muted: #5f6b76; --line: #d8dde2; --bg: #fff;
  --pin: #fff4d6; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8ea; --muted: #9aa5b1; --line: #3a4148;
  --bg: #15181b; --pin: #3b3420; } }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1200px; margin: 0 auto; padding: 16px; }
h1 { font-size: 20px; margin: 0 0 8px; } h2 { font-size: 16px; margin: 20px 0 8px; }
.note { color: var(--muted); }
.controls { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 8px 0; }
.scroll { overflow-x: auto; max-width: 100%; }
.table-box { max-height: 520px; overflow: auto; border: 1px solid var(--line); }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { position: sticky; top: 0; background: var(--bg); cursor: pointer; user-select: none; }
th[data-dir="asc"]::after { content: " ▲"; } th[data-dir="desc"]::after { content: " ▼"; }
td.name, th.name { text-align: left; }
tr.pinned td { background: var(--pin); }
tr.failed td { color: #c0392b; }
img.thumb { width: 36px; height: 36px; image-rendering: pixelated; vertical-align: middle; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 16px; }
.chart { position: relative; height: 260px; min-width: 0; }
svg.pc { display: block; max-width: 100%; height: auto; }
svg.pc text { fill: var(--fg); font-size: 11px; }
a { color: inherit; }
`;

const data = JSON.parse(document.getElementById("compare-data")!.textContent!) as ComparePayload;
const runs = data.runs;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** A setting's value as the table shows it. */
function text(value: unknown): string {
  return Array.isArray(value) ? (value.length === 0 ? "none" : value.join(",")) : String(value);
}

function fmt(x: number | null, key: MetricKey | "wall"): string {
  if (x === null) return "–";
  if (key === "wall") return `${(x / 1000).toFixed(2)} s`;
  if (key.endsWith("Metric") && data.metricName === "accuracy") return `${(x * 100).toFixed(1)}%`;
  return x.toPrecision(4);
}

const METRIC_LABEL: Record<MetricKey, string> = {
  finalLoss: "final loss",
  bestLoss: "best loss",
  finalMetric: `final ${data.metricName}`,
  bestMetric: `best ${data.metricName}`,
  testLoss: "test loss",
  testMetric: `test ${data.metricName}`,
};
const metricKeys = METRIC_KEYS.filter((k) => runs.some((r) => r.metrics[k] !== null));

// State: the order, the filter, the chosen runs and the baseline.
let order = runs.map((_, i) => i);
let sortKey = "";
let sortDir: "asc" | "desc" = "asc";
const filter = { key: "", value: "" };
const chosen = new Set<number>(order.slice(0, FIRST_CHOSEN));
let baseline = -1;
let smoothing = 0;

const root = document.getElementById("app")!;
root.replaceChildren();
document.head.append(el("style", {}, STYLE));
root.append(
  el("h1", {}, `Compare ${runs.length} run${runs.length === 1 ? "" : "s"}`),
  el(
    "p",
    { class: "note" },
    data.varying.length > 0
      ? `Settings that differ: ${data.varying.join(", ")}. Loss is the data loss (no penalty).`
      : "No setting differs between these runs.",
  ),
);

// Controls: filter, smoothing, the metric of the parallel coordinates.
const filterKey = el("select", { id: "filter-key", "aria-label": "Filter by setting" });
filterKey.append(el("option", { value: "" }, "all runs"));
for (const k of data.varying) filterKey.append(el("option", { value: k }, k));
const filterValue = el("select", { id: "filter-value", "aria-label": "Setting value" });
filterValue.hidden = true;
const smooth = el("input", {
  id: "smoothing",
  type: "range",
  min: "0",
  max: "0.99",
  step: "0.01",
  value: "0",
  "aria-label": "Smoothing",
});
const smoothText = el("span", {}, "0");
const pcMetric = el("select", {
  id: "pc-metric",
  "aria-label": "Metric of the parallel coordinates",
});
for (const k of metricKeys) pcMetric.append(el("option", { value: k }, METRIC_LABEL[k]));
root.append(el(
  "div",
  { class: "controls" },
  el("label", {}, "Filter ", filterKey, " ", filterValue),
  el("label", {}, "Smoothing ", smooth, " ", smoothText),
));

// The table.
const tableBox = el("div", { class: "table-box" });
root.append(tableBox);
const table = el("table", { id: "runs" });
tableBox.append(table);
const columns: { key: string; label: string; value: (r: CompareRun) => number | string | null }[] =
  [
    { key: "run", label: "run", value: (r) => r.id },
    ...data.varying.map((k) => ({
      key: `s:${k}`,
      label: k,
      value: (r: CompareRun) => {
        const v = r.config[k];
        return typeof v === "number" ? v : text(v);
      },
    })),
    ...metricKeys.map((k) => ({
      key: k,
      label: METRIC_LABEL[k],
      value: (r: CompareRun) => r.metrics[k],
    })),
    { key: "steps", label: "steps", value: (r) => r.steps },
    { key: "status", label: "status", value: (r) => r.status },
  ];
const head = el(
  "tr",
  {},
  el("th", { class: "name" }, "show"),
  el("th", {}, "base"),
  el("th", {}, "boundary"),
);
for (const c of columns) {
  const th = el("th", { "data-sort": c.key, class: c.key === "run" ? "name" : "" }, c.label);
  th.addEventListener("click", () => sortBy(c.key));
  head.append(th);
}
const tbody = el("tbody");
table.append(el("thead", {}, head), tbody);
// The rows as one piece of HTML (every value escaped): far quicker than a node at a time.
const thumbCanvas = document.createElement("canvas");
const rowsHtml = runs.map((r, i) => {
  const cells = [
    `<td class="name"><input type="checkbox" aria-label="Show ${escape(r.id)}"${
      chosen.has(i) ? " checked" : ""
    }></td>`,
    `<td><input type="radio" name="baseline" aria-label="Pin ${escape(r.id)} as baseline"></td>`,
    `<td>${r.thumb ? `<img class="thumb" alt="boundary of ${escape(r.id)}">` : "–"}</td>`,
  ];
  for (const c of columns) {
    if (c.key === "run") {
      cells.push(`<td class="name"><a href="${escape(r.id)}/report.html">${escape(r.id)}</a></td>`);
      continue;
    }
    const v = c.value(r);
    const metric = (METRIC_KEYS as readonly string[]).includes(c.key);
    cells.push(
      `<td>${
        escape(metric ? fmt(v as number | null, c.key as MetricKey) : v === null ? "–" : String(v))
      }</td>`,
    );
  }
  return `<tr data-run="${escape(r.id)}" data-index="${i}"${
    r.status === "failed" ? ` class="failed"` : ""
  }>${cells.join("")}</tr>`;
});
const template = document.createElement("template");
template.innerHTML = `<table><tbody>${rowsHtml.join("")}</tbody></table>`;
const rows = [...template.content.querySelectorAll("tr")];
tbody.addEventListener("change", (event) => {
  const input = event.target as HTMLInputElement;
  const i = Number(input.closest("tr")!.dataset.index);
  if (input.type === "checkbox") {
    if (input.checked) chosen.add(i);
    else chosen.delete(i);
  } else {
    baseline = i;
    arrange();
  }
  drawCurves();
});

/** The boundary thumbnail as a PNG data URL: the class colour, paler where the model is unsure. */
function thumbUrl(r: CompareRun): string | undefined {
  if (!r.thumb) return undefined;
  const { size, cells, classes, outputs } = r.thumb;
  thumbCanvas.width = size;
  thumbCanvas.height = size;
  const ctx = thumbCanvas.getContext("2d");
  if (!ctx) return undefined;
  const img = ctx.createImageData(size, size);
  const rgb = [0, 0, 0];
  const bytes = atob(cells);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes.charCodeAt(i);
    // Rows go up from the bottom of the plane; the image goes down.
    const row = size - 1 - Math.floor(i / size);
    const at = (row * size + (i % size)) * 4;
    img.data[at + 3] = 255;
    if (classes === 0) {
      scaleColour(b / 127.5 - 1, rgb, 0);
      img.data.set(rgb, at);
      continue;
    }
    const k = b >> 4;
    const sure = (b & 15) / 15;
    // The class's colour as the report shows it (the one rule of nn/draw/palette.ts).
    const colour = rgbOf(classColour(k, classes, outputs));
    for (let c = 0; c < 3; c++) {
      img.data[at + c] = Math.round(ZERO[c] + (colour[c] - ZERO[c]) * (0.25 + 0.75 * sure));
    }
  }
  ctx.putImageData(img, 0, 0);
  return thumbCanvas.toDataURL();
}

/** Rows laid out so far: the first `drawn` rows of the table (see {@linkcode FIRST_ROWS}). */
let drawn = Math.min(FIRST_ROWS, runs.length);
const thumbDrawn = new Set<number>();

/** Lays a row out (the attribute `hidden` goes), its boundary drawn the first time. */
function showRow(tr: HTMLTableRowElement, shown: boolean): void {
  tr.hidden = !shown;
  const i = Number(tr.dataset.index);
  if (!shown || thumbDrawn.has(i)) return;
  thumbDrawn.add(i);
  const url = thumbUrl(runs[i]);
  if (url) tr.querySelector("img")!.src = url;
}

/** Lays out the next slice of rows, then (later) the next, until every row is. */
function drawMore(): void {
  const from = drawn;
  drawn = Math.min(runs.length, drawn + ROWS_PER_SLICE);
  const list = tbody.rows;
  for (let k = from; k < drawn && k < list.length; k++) showRow(list[k], true);
  if (drawn < runs.length) setTimeout(drawMore, 0);
}

function sortBy(key: string): void {
  sortDir = sortKey === key && sortDir === "asc" ? "desc" : "asc";
  sortKey = key;
  const column = columns.find((c) => c.key === key)!;
  const values = runs.map(column.value);
  order = runs.map((_, i) => i).sort((a, b) => {
    const x = values[a];
    const y = values[b];
    // Missing figures last, whichever way.
    if (x === null || y === null) return x === null ? (y === null ? a - b : 1) : -1;
    const d = typeof x === "number" && typeof y === "number"
      ? x - y
      : String(x).localeCompare(String(y), undefined, { numeric: true });
    return (sortDir === "asc" ? d : -d) || a - b;
  });
  for (const th of head.querySelectorAll("th")) {
    if (th.dataset.sort === key) th.dataset.dir = sortDir;
    else delete th.dataset.dir;
  }
  arrange();
}

function visible(i: number): boolean {
  return filter.key === "" || text(runs[i].config[filter.key]) === filter.value;
}

/** Puts the rows in order, the baseline first, the filtered ones hidden. */
function arrange(): void {
  const list = baseline >= 0 ? [baseline, ...order.filter((i) => i !== baseline)] : order;
  const shown = list.filter(visible);
  shown.forEach((i, at) => showRow(rows[i], at < drawn));
  tbody.replaceChildren(...shown.map((i) => rows[i]));
  rows.forEach((tr, i) => tr.classList.toggle("pinned", i === baseline));
}

filterKey.addEventListener("change", () => {
  filter.key = filterKey.value;
  const values = [...new Set(runs.map((r) => text(r.config[filter.key])))];
  filterValue.replaceChildren(...values.map((v) => el("option", { value: v }, v)));
  filter.value = values[0] ?? "";
  filterValue.hidden = filter.key === "";
  arrange();
  drawParallel();
});
filterValue.addEventListener("change", () => {
  filter.value = filterValue.value;
  arrange();
  drawParallel();
});
smooth.addEventListener("input", () => {
  smoothing = Number(smooth.value);
  smoothText.textContent = smooth.value;
  drawCurves();
});

// The curves.
root.append(
  el("h2", {}, "Curves of the chosen runs"),
  el(
    "p",
    { class: "note" },
    "Tick 'show' in the table to add a run; the pinned baseline is drawn dashed.",
  ),
);
const charts = el("div", { class: "charts" });
root.append(charts);
/** The page's text colour now, from its CSS (light or dark, as the system prefers). */
function fg(): string {
  return getComputedStyle(document.documentElement).getPropertyValue("--fg").trim();
}

// Text, grid and the baseline in the page's own colours, redrawn when light and dark swap.
Chart.defaults.color = fg();
Chart.defaults.borderColor = "rgba(128, 128, 128, 0.25)";
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
  Chart.defaults.color = fg();
  drawCurves();
});
const chartOf = (id: string, title: string) => {
  const canvas = el("canvas", { id, "aria-label": title });
  charts.append(el("div", { class: "chart" }, canvas));
  return new Chart(canvas, {
    type: "line",
    data: { datasets: [] },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      maintainAspectRatio: false,
      plugins: {
        title: { display: true, text: title },
        legend: { display: true, labels: { boxWidth: 12, boxHeight: 2 } },
      },
      scales: { x: { type: "linear", title: { display: true, text: "step" } } },
      elements: { point: { radius: 0 }, line: { borderWidth: 1.5 } },
    },
  });
};
const lossChart = chartOf("loss-curves", "data loss");
const metricChart = chartOf("metric-curves", data.metricName);

/** Exponential smoothing, debiased as TensorBoard does; the raw data is left as it is. */
function smoothed(ys: number[], w: number): number[] {
  if (w === 0) return ys;
  let last = 0;
  let weight = 0;
  return ys.map((y) => {
    if (!Number.isFinite(y)) return y;
    last = last * w + (1 - w) * y;
    weight = weight * w + (1 - w);
    return last / weight;
  });
}

function drawCurves(): void {
  const shown = [...chosen].filter((i) => i !== baseline);
  if (baseline >= 0) shown.unshift(baseline);
  const ink = fg();
  for (const [chart, key] of [[lossChart, "loss"], [metricChart, "metric"]] as const) {
    chart.data.datasets = shown.map((i, n) => {
      const r = runs[i];
      const ys = smoothed(r.curve[key], smoothing);
      return {
        label: r.id,
        data: r.curve.step.map((x, j) => ({ x, y: ys[j] })),
        borderColor: i === baseline ? ink : seriesColour(n),
        borderDash: i === baseline ? [6, 4] : [],
      };
    });
    chart.update();
  }
}

// Parallel coordinates.
root.append(
  el("h2", {}, "Settings against a result"),
  el("div", { class: "controls" }, el("label", {}, "Colour and last axis: ", pcMetric)),
);
const pcBox = el("div", { class: "scroll" });
root.append(pcBox);
pcMetric.addEventListener("change", drawParallel);

function drawParallel(): void {
  const metric = pcMetric.value as MetricKey;
  const axes = [...data.varying, metric];
  if (data.varying.length === 0 || metricKeys.length === 0) {
    pcBox.replaceChildren(el("p", { class: "note" }, "No setting differs."));
    return;
  }
  const w = Math.max(360, axes.length * 140);
  const h = 260;
  const top = 24;
  const bottom = h - 24;
  const xOf = (a: number) => 40 + a * (w - 80) / Math.max(1, axes.length - 1);
  const idx = runs.map((_, i) => i).filter(visible);
  const scales = parallelScales(axes, idx, metric);
  const ms = idx.map((i) => runs[i].metrics[metric]).filter((v): v is number => v !== null);
  const [mlo, mhi] = [Math.min(...ms), Math.max(...ms)];
  const better = metric.endsWith("Loss") ? -1 : 1;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "pc");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("width", String(w));
  const parts: string[] = [];
  for (const i of idx) {
    const r = runs[i];
    const m = r.metrics[metric];
    const q = m === null || mhi === mlo ? 0.5 : (m - mlo) / (mhi - mlo);
    const good = better > 0 ? q : 1 - q;
    const colour = `rgb(${
      [0, 1, 2].map((c) => Math.round(NEGATIVE[c] + (POSITIVE[c] - NEGATIVE[c]) * good)).join(",")
    })`;
    const pts = axes.map((key, a) => {
      const u = scales[a].at(key === metric ? m : r.config[key]);
      return `${xOf(a).toFixed(1)},${
        (bottom - (Number.isFinite(u) ? u : 0) * (bottom - top)).toFixed(1)
      }`;
    });
    parts.push(
      `<polyline points="${pts.join(" ")}" fill="none" stroke="${colour}" stroke-opacity="0.6"/>`,
    );
  }
  axes.forEach((key, a) => {
    parts.push(
      `<line x1="${xOf(a)}" x2="${
        xOf(a)
      }" y1="${top}" y2="${bottom}" stroke="currentColor" stroke-opacity="0.5"/>`,
    );
    parts.push(
      `<text x="${xOf(a)}" y="14" text-anchor="middle">${
        escape(key === metric ? METRIC_LABEL[metric] : key)
      }</text>`,
    );
    for (const [u, label] of scales[a].labels.slice(0, 12)) {
      parts.push(
        `<text x="${xOf(a) + 4}" y="${(bottom - u * (bottom - top) + 4).toFixed(1)}">${
          escape(label)
        }</text>`,
      );
    }
  });
  svg.innerHTML = parts.join("");
  pcBox.replaceChildren(svg);
}

/** One scale per axis of the parallel coordinates, over the runs `idx`. */
function parallelScales(
  axes: string[],
  idx: number[],
  metric: MetricKey,
): { at: (v: unknown) => number; labels: [number, string][] }[] {
  // Each axis maps a run to [0, 1]: numbers on a linear (or log, for lr) scale, others by rank.
  return axes.map((key) => {
    const raw = idx.map((i) => key === metric ? runs[i].metrics[metric] : runs[i].config[key]);
    if (raw.every((v) => typeof v === "number" || v === null)) {
      const nums = raw.filter((v): v is number => typeof v === "number");
      const log = key === "lr" && nums.every((v) => v > 0);
      const t = (v: number) => (log ? Math.log(v) : v);
      const lo = Math.min(...nums.map(t));
      const hi = Math.max(...nums.map(t));
      return {
        at: (v: unknown) =>
          typeof v === "number" ? (hi === lo ? 0.5 : (t(v) - lo) / (hi - lo)) : NaN,
        labels: [[0, short(Math.min(...nums))], [1, short(Math.max(...nums))]] as [
          number,
          string,
        ][],
      };
    }
    const values = [...new Set(raw.map(text))].sort((a, b) =>
      a.localeCompare(b, undefined, { numeric: true })
    );
    const pos = (s: string) => values.length === 1 ? 0.5 : values.indexOf(s) / (values.length - 1);
    return {
      at: (v: unknown) => pos(text(v)),
      labels: values.map((s) => [pos(s), s] as [number, string]),
    };
  });
}

function short(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(3)));
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Mean and spread over seeds of otherwise equal settings.
function drawSeeds(): void {
  const others = data.varying.filter((k) => k !== "seed");
  if (!data.varying.includes("seed")) return;
  const groups = new Map<string, number[]>();
  runs.forEach((r, i) => {
    const key = JSON.stringify(others.map((k) => r.config[k]));
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const keys = metricKeys.filter((k) => k.startsWith("final") || k.startsWith("test"));
  const t = el("table", { id: "seeds" });
  t.append(
    el(
      "tr",
      {},
      ...others.map((k) => el("th", {}, k)),
      el("th", {}, "seeds"),
      ...keys.map((k) => el("th", {}, `${METRIC_LABEL[k]} mean ± sd`)),
    ),
  );
  for (const members of groups.values()) {
    const r0 = runs[members[0]];
    t.append(el(
      "tr",
      {},
      ...others.map((k) => el("td", {}, text(r0.config[k]))),
      el("td", {}, String(members.length)),
      ...keys.map((k) => {
        const xs = members.map((i) => runs[i].metrics[k]).filter((v): v is number => v !== null);
        if (xs.length === 0) return el("td", {}, "–");
        const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
        const sd = Math.sqrt(
          xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1),
        );
        return el("td", {}, `${fmt(mean, k)} ± ${fmt(sd, k)}`);
      }),
    ));
  }
  root.append(el("h2", {}, "Over seeds"), el("div", { class: "scroll" }, t));
}

arrange();
drawCurves();
drawParallel();
drawSeeds();
// Ready once the first frame is on screen (laid out and painted, not just built).
requestAnimationFrame(() =>
  setTimeout(() => {
    document.body.dataset.readyMs = String(Math.round(performance.now()));
    document.body.dataset.ready = "true";
    if (drawn < runs.length) drawMore();
  }, 0)
);
