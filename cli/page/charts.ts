/// <reference lib="dom" />
/**
 * The loss, accuracy and learning-rate charts, drawn with Chart.js (its UMD
 * bundle is inlined in the page before this module). Long runs are thinned
 * as they stream in, so a chart never holds more than a few thousand points.
 *
 * @module
 */
import type { Chart as ChartJs, ChartConfiguration, ChartDataset, Plugin, Scale } from "chart.js";
import type { Step } from "../../workers/protocol.ts";
import { classColor, compact, pixelRatio, theme } from "./_dom.ts";

const Chart = (globalThis as unknown as { Chart: typeof ChartJs }).Chart;

/** Gives Chart.js the page's colours (light or dark); charts made or updated after it follow. */
export function themeCharts(): void {
  const t = theme();
  Chart.defaults.color = t.muted;
  Chart.defaults.borderColor = `${t.line}99`;
}

/**
 * The ticks of a log step axis from `min` to `max`: the powers of ten, with
 * their doubles and fives when the axis spans three decades or fewer.
 */
export function logStepTicks(min: number, max: number): number[] {
  const out: number[] = [];
  const decades = Math.log10(max / Math.max(min, 1));
  const mantissas = decades <= 3 ? [1, 2, 5] : [1];
  for (let p = 1; p <= max; p *= 10) {
    for (const m of mantissas) if (m * p >= min && m * p <= max) out.push(m * p);
  }
  return out;
}

/** Most steps a chart keeps; beyond, every other kept step is dropped (but the first ones). */
const MAX_KEPT = 1000;

/** How many of the first steps a chart always keeps. */
const EARLY_KEPT = 100;

/**
 * Steps as they stream in, thinned evenly to at most {@linkcode MAX_KEPT},
 * the first {@linkcode EARLY_KEPT} and the latest always kept.
 */
export class StepStore {
  #kept: Step[] = [];
  #stride = 1;
  #seen = 0;
  #last: Step | undefined;

  /** Adds steps in order. */
  add(steps: Step[]): void {
    for (const s of steps) {
      if (this.#seen++ % this.#stride === 0) this.#kept.push(s);
      this.#last = s;
      if (this.#kept.length > MAX_KEPT) {
        // The first steps stay: a long run's log step axis shows them, where most learning happens.
        this.#kept = this.#kept.filter((_, i) => i < EARLY_KEPT || i % 2 === 0);
        this.#stride *= 2;
      }
    }
  }

  /** The kept steps, the latest last. */
  get steps(): Step[] {
    const last = this.#last;
    return last === undefined || this.#kept.at(-1) === last ? this.#kept : [...this.#kept, last];
  }
}

type Point = { x: number; y: number | null };

/** A vertical line at the step the timeline shows. */
const markerPlugin: Plugin<"line"> = {
  id: "denogradMarker",
  afterDatasetsDraw(chart) {
    const step = (chart as unknown as { $marker?: number }).$marker;
    if (step === undefined) return;
    const x = chart.scales.x.getPixelForValue(step);
    const { top, bottom, left, right } = chart.chartArea;
    if (x < left - 1 || x > right + 1) return;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = theme().fg;
    ctx.setLineDash([4, 3]);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
    ctx.stroke();
    ctx.restore();
  },
};

/** One series of a chart: its label, how to read it from a step, its look. */
export interface SeriesSpec {
  /** Legend label. */
  label: string;
  /** The value at a step (undefined where there is none). */
  value: (s: Step) => number | undefined;
  /** Colour index. */
  color: number;
  /** Dashed (the test curves: the train curve shows through the gaps). */
  dashed?: boolean;
  /** Thin (a secondary curve). */
  thin?: boolean;
}

/** A line chart of some series over steps. */
export class StepChart {
  #canvas: HTMLCanvasElement;
  #config: ChartConfiguration<"line", Point[]>;
  /** The chart, made at its first update: making it draws it, the page's costliest first drawing. */
  #chart: ChartJs<"line", Point[]> | undefined;
  #series: SeriesSpec[];
  /** Steps of the first series whose value is 0 or less, which a log scale leaves out. */
  #unshown: number[] = [];
  /** The step marked (undefined: none). */
  #marker: number | undefined;

  /** Makes the chart on `canvas` (Chart.js draws it at its first {@linkcode StepChart.update}). */
  constructor(
    canvas: HTMLCanvasElement,
    series: SeriesSpec[],
    options: {
      yTitle: string;
      yMin?: number;
      yMax?: number;
      log?: boolean;
      /** Device pixels per CSS pixel (the page's {@linkcode pixelRatio} by default). */
      pixelRatio?: number;
    },
  ) {
    this.#canvas = canvas;
    this.#series = series;
    const datasets: ChartDataset<"line", Point[]>[] = series.map((s, i) => ({
      label: s.label,
      data: [],
      borderColor: classColor(s.color),
      backgroundColor: classColor(s.color),
      borderWidth: s.thin ? 1 : 2,
      // A thin curve is solid: dotted, it read as a row of point markers (and so did its legend).
      borderDash: s.dashed ? [6, 4] : [],
      pointRadius: 0,
      tension: 0,
      // Later series are drawn on top: a test curve stays visible over the train curve.
      order: series.length - i,
    }));
    this.#config = {
      type: "line",
      data: { datasets },
      plugins: [markerPlugin],
      options: {
        animation: false,
        devicePixelRatio: options.pixelRatio ?? pixelRatio(),
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: "nearest", axis: "x", intersect: false },
        scales: {
          x: {
            type: "linear",
            title: { display: true, text: "step" },
            ticks: {
              maxTicksLimit: 8,
              precision: 0,
              maxRotation: 0,
              autoSkipPadding: 12,
              callback: (v) => compact(Number(v)),
            },
            afterBuildTicks: (scale: Scale) => {
              if (scale.type !== "logarithmic") return;
              scale.ticks = logStepTicks(scale.min, scale.max).map((value) => ({ value }));
            },
          },
          y: {
            type: options.log ? "logarithmic" : "linear",
            title: { display: true, text: options.yTitle },
            min: options.yMin,
            max: options.yMax,
            beginAtZero: options.yMax !== undefined,
          },
        },
        plugins: {
          legend: {
            position: "bottom",
            labels: {
              boxHeight: 2,
              // In the order given, and only the series that have data.
              sort: (a, b) => a.datasetIndex! - b.datasetIndex!,
              filter: (item, data) => data.datasets[item.datasetIndex!].data.length > 0,
            },
          },
        },
      },
    };
  }

  /** The scales' options: the chart's once it is made, else those it will be made with. */
  get #scales() {
    return (this.#chart?.options ?? this.#config.options!).scales!;
  }

  /**
   * Redraws from the kept steps. On a log scale a value of 0 or less is a
   * gap (the scale has no place for it), never a made-up small value; a
   * series of one or two steps is drawn as points.
   */
  update(steps: Step[]): void {
    const log = this.log;
    this.#unshown = [];
    let restyled = false;
    const datasets = (this.#chart?.data ?? this.#config.data).datasets;
    this.#series.forEach((s, i) => {
      const data: Point[] = [];
      for (const step of steps) {
        const v = s.value(step);
        if (v === undefined) continue;
        if (log && v <= 0) {
          if (i === 0) this.#unshown.push(step.step);
          data.push({ x: step.step, y: null });
        } else data.push({ x: step.step, y: v });
      }
      const set = datasets[i];
      set.data = data;
      set.hidden = data.length === 0;
      const radius = data.length < 3 ? 4 : 0;
      if (set.pointRadius !== radius) [set.pointRadius, restyled] = [radius, true];
    });
    if (steps.length > 0) {
      // One step sits in the middle of its axis, not on its edge.
      const one = steps.length === 1 && !this.logSteps;
      const x = this.#scales.x!;
      x.min = one ? Math.max(0, steps[0].step - 1) : steps[0].step;
      x.max = Math.max(steps.at(-1)!.step, steps[0].step + 1);
    }
    // update("none") keeps the options a chart's points were first drawn with (Chart.js shares
    // one object among the points of a series, and refreshes it in the other modes only): points
    // shown or hidden take an update in the default mode (as quick, with no animation).
    if (this.#chart) this.#chart.update(restyled ? "default" : "none");
    else this.make();
  }

  /** Makes the chart now, with the data it has (none before an update), unless it is made already. */
  make(): void {
    if (this.#chart) return;
    // Chart.js draws it once, as it attaches.
    this.#chart = new Chart<"line", Point[]>(this.#canvas, this.#config);
    (this.#chart as unknown as { $marker?: number }).$marker = this.#marker;
  }

  /** The steps (among those kept) whose first series a log scale cannot show: 0 or less. */
  get unshown(): number[] {
    return this.#unshown;
  }

  /** Whether the step axis is logarithmic (for long runs, whose learning happens early). */
  get logSteps(): boolean {
    return this.#scales.x!.type === "logarithmic";
  }

  /** Sets the step axis's scale; the next {@linkcode StepChart.update} draws it. */
  set logSteps(on: boolean) {
    if (on === this.logSteps) return;
    const x = this.#scales.x!;
    x.type = on ? "logarithmic" : "linear";
    (x.title as { text: string }).text = on ? "step (log scale)" : "step";
  }

  /** Redraws with the page's current colours. */
  restyle(): void {
    this.#chart?.update("none");
  }

  /** Marks a step with a vertical line (undefined: no mark). */
  mark(step: number | undefined): void {
    // Unchanged: nothing to draw (a redraw costs as much as an update).
    if (this.#marker === step) return;
    this.#marker = step;
    if (!this.#chart) return;
    (this.#chart as unknown as { $marker?: number }).$marker = step;
    this.#chart.draw();
  }

  /** Whether the y axis is logarithmic. */
  get log(): boolean {
    return this.#scales.y!.type === "logarithmic";
  }

  /** Sets the y axis's scale; {@linkcode StepChart.onScale} (or the next update) draws it. */
  set log(on: boolean) {
    const y = this.#scales.y!;
    y.type = on ? "logarithmic" : "linear";
    this.onScale?.();
  }

  /** Called when the y scale changes: the data is to be updated for it (a log scale has no 0). */
  onScale: (() => void) | undefined;

  /** Removes the chart (its canvas stays, blank). */
  destroy(): void {
    this.#chart?.destroy();
    this.#chart = undefined;
  }
}

let warmed = false;

/**
 * The steps that draw a throwaway chart off screen, once per page (none
 * after the first call), so that Chart.js's code is compiled before a live
 * run draws: a page's first chart costs several times a later one on the
 * page's thread (0.2 s on a busy machine, 0.6 s at once). Each step is for a
 * task of its own: making the chart, three updates, and removing it.
 */
export function warmCharts(): (() => void)[] {
  if (warmed) return [];
  warmed = true;
  const box = document.createElement("div");
  box.setAttribute("aria-hidden", "true");
  box.style.cssText =
    "position:fixed;left:-10000px;top:0;width:320px;height:260px;visibility:hidden";
  const canvas = document.createElement("canvas");
  box.append(canvas);
  const chart = new StepChart(canvas, [
    { label: "train", value: (s) => s.dataLoss, color: 0 },
    { label: "test", value: (s) => s.testLoss, color: 1, dashed: true },
  ], { yTitle: "loss", pixelRatio: 1 });
  const steps = Array.from({ length: 900 }, (_, i) => {
    const loss = 1 / (i + 1);
    return { step: i + 1, loss, dataLoss: loss, testLoss: 2 * loss, lr: 0.1 };
  });
  return [
    () => {
      document.body.append(box);
      chart.make();
    },
    ...[300, 600, 900].map((n) => () => chart.update(steps.slice(0, n))),
    () => {
      chart.destroy();
      box.remove();
    },
  ];
}

/** Whether values span more than three decades (so a log scale reads better). */
export function spansDecades(steps: Step[], value: (s: Step) => number | undefined): boolean {
  let min = Infinity;
  let max = 0;
  for (const s of steps) {
    const v = value(s);
    if (v === undefined) continue;
    if (v <= 0) return false;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return max / min > 1000;
}
