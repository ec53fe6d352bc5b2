/// <reference lib="dom" />
/**
 * The fitted curve of a model with one input: the points and the model's
 * prediction over their range, drawn with Chart.js. For 1-D regression (the
 * `sine` dataset) it is what the boundary is for 2-D data.
 *
 * @module
 */
import type { Chart as ChartJs } from "chart.js";
import { compileFeatures, type Mlp, predictBatch } from "../../mod.ts";
import { classColor } from "./_dom.ts";
import type { RunInfo } from "./data.ts";

const Chart = (globalThis as unknown as { Chart: typeof ChartJs }).Chart;

/** How many x values the curve is drawn through. */
const CURVE_POINTS = 200;

/** The points of a 1-D dataset and the model's curve through them. */
export class CurvePlot {
  #chart: ChartJs<"scatter", { x: number; y: number }[]>;
  #xs: number[][];
  #inputs: number[][];

  /** Draws the points of `info` on `canvas`; `show()` adds the model's curve. */
  constructor(canvas: HTMLCanvasElement, info: RunInfo) {
    const p = info.points!;
    let lo = Infinity;
    let hi = -Infinity;
    for (const [x] of p.x) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
    const pad = (hi - lo) * 0.05 || 0.5;
    this.#xs = Array.from(
      { length: CURVE_POINTS },
      (_, i) => [lo - pad + (hi - lo + 2 * pad) * i / (CURVE_POINTS - 1)],
    );
    const features = info.features ? compileFeatures(info.features, info.inputNames) : undefined;
    this.#inputs = features ? this.#xs.map((x) => features.apply(x)) : this.#xs;
    const at = (test: boolean) =>
      p.x.flatMap((x, i) => p.test[i] === test ? [{ x: x[0], y: p.y[i] }] : []);
    this.#chart = new Chart<"scatter", { x: number; y: number }[]>(canvas, {
      type: "scatter",
      data: {
        datasets: [
          {
            label: "model",
            data: [],
            showLine: true,
            pointRadius: 0,
            borderWidth: 2.5,
            borderColor: classColor(3),
            backgroundColor: classColor(3),
          },
          {
            label: "training points",
            data: at(false),
            pointRadius: 3,
            backgroundColor: classColor(0),
          },
          {
            label: "test points",
            data: at(true),
            pointRadius: 3,
            pointStyle: "rect",
            backgroundColor: classColor(1),
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { type: "linear", title: { display: true, text: info.inputNames[0] ?? "x1" } },
          y: { type: "linear", title: { display: true, text: "target" } },
        },
        plugins: {
          legend: {
            position: "bottom",
            labels: { filter: (item, data) => data.datasets[item.datasetIndex!].data.length > 0 },
          },
        },
      },
    });
  }

  /** Draws `model`'s curve (none when the model is not usable at this step). */
  show(model: Mlp | undefined): void {
    const curve = model ? predictBatch(model, this.#inputs) : undefined;
    this.#chart.data.datasets[0].data = curve ? this.#xs.map(([x], i) => ({ x, y: curve[i] })) : [];
    this.#chart.update("none");
  }
}
