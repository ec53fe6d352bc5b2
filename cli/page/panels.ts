/// <reference lib="dom" />
/**
 * The page's smaller panels: the headline figures of a step, the confusion
 * matrix, predicted against true (regression) and the summary table, each
 * for the moment the timeline shows.
 *
 * @module
 */
import { CompiledMlp, type Mlp, predictClass } from "../../mod.ts";
import type { Step } from "../../workers/protocol.ts";
import { classColor, count, el, fitCanvas, niceTicks, short, theme } from "./_dom.ts";
import { planeFeatures } from "./boundary.ts";
import type { Confusion, Fit, RunEnd, RunInfo } from "./data.ts";

/** The figures of one step, in one line: "train loss 0.31 · train accuracy 85.0% · …". */
export function figures(s: Step): string {
  const parts = [`train loss ${short(s.dataLoss)}`];
  if (s.accuracy !== undefined) parts.push(`train accuracy ${(s.accuracy * 100).toFixed(1)}%`);
  if (s.r2 !== undefined) parts.push(`train R² ${s.r2.toFixed(3)}`);
  if (s.testLoss !== undefined) parts.push(`test loss ${short(s.testLoss)}`);
  if (s.testAccuracy !== undefined) {
    parts.push(`test accuracy ${(s.testAccuracy * 100).toFixed(1)}%`);
  }
  if (s.testR2 !== undefined) parts.push(`test R² ${s.testR2.toFixed(3)}`);
  return parts.join(" · ");
}

/** The model's outputs for the run's points (over their own inputs, crossed when the model is). */
function outputs(model: Mlp, info: RunInfo): { out: Float64Array; width: number } {
  const p = info.points!;
  const features = planeFeatures(info);
  const x = features ? p.x.map((row) => features.apply(row)) : p.x;
  const width = info.model.nouts.at(-1)!;
  return { out: new CompiledMlp(model, Math.max(1, x.length)).predict(x), width };
}

/** Confusion matrices of `model` on the run's points (classification with points). */
export function confusionOf(model: Mlp, info: RunInfo): Confusion {
  const p = info.points!;
  const k = info.classNames.length;
  const { out, width } = outputs(model, info);
  const blank = () => Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const train = blank();
  const test = blank();
  p.y.forEach((y, i) => {
    const c = predictClass(Array.from(out.subarray(i * width, i * width + width)));
    if (y < k && c < k) (p.test[i] ? test : train)[y][c]++;
  });
  return { train, ...(p.test.some(Boolean) ? { test } : {}) };
}

/** Predicted against true of `model` on the run's points (regression with points). */
export function fitOf(model: Mlp, info: RunInfo): Fit {
  const p = info.points!;
  const { out } = outputs(model, info);
  return { truth: p.y, predicted: Array.from(out), test: p.test };
}

/** A confusion matrix: rows are true classes, columns predicted; cells shaded by share of the row. */
export function confusionTable(caption: string, m: number[][], names: string[]): HTMLElement {
  const head = el(
    "tr",
    {},
    el("th", { class: "corner" }, "true \\ predicted"),
    ...names.map((n) => el("th", { scope: "col" }, n)),
  );
  const rows = m.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    return el(
      "tr",
      {},
      el("th", { scope: "row" }, names[i] ?? String(i)),
      ...row.map((v, j) => {
        const share = v / total;
        const color = i === j ? "45, 164, 78" : "207, 34, 46";
        return el(
          "td",
          { style: `background: rgba(${color}, ${(0.08 + 0.6 * share).toFixed(2)})` },
          count(v),
        );
      }),
    );
  });
  return el(
    "div",
    { class: "scroll" },
    el("table", { class: "confusion" }, el("caption", {}, caption), head, ...rows),
  );
}

const FIT_MARGIN = { left: 50, right: 10, top: 10, bottom: 40 };

/** Predicted against true targets, on a canvas at the screen's pixel ratio, with ticks and a legend. */
export class FitPlot {
  /** The card's content: the canvas, its legend and note. */
  readonly element: HTMLElement;
  #canvas: HTMLCanvasElement;
  #fit: Fit | undefined;

  /** An empty plot (`#fit`); `test`: whether the run has test points, for the legend. */
  constructor(test: boolean) {
    this.#canvas = el("canvas", {
      id: "fit",
      role: "img",
      "aria-label": "Predicted against true values",
    });
    const swatch = (shape: string, color: string) =>
      el("span", { class: `swatch ${shape}`, style: `background:${color}` });
    const legend = el(
      "ul",
      { class: "legend", id: "fit-legend" },
      el("li", {}, swatch("", classColor(0)), "train"),
      ...(test ? [el("li", {}, swatch("square", classColor(1)), "test")] : []),
      el("li", {}, el("span", { class: "swatch line" }), "predicted = true"),
    );
    this.element = el("div", {}, this.#canvas, legend);
    addEventListener("resize", () => this.draw());
  }

  /** Shows `fit` (none: nothing to show). */
  show(fit: Fit | undefined): void {
    this.#fit = fit;
    this.draw();
  }

  /** Redraws. */
  draw(): void {
    const fit = this.#fit;
    if (!fit || !this.#canvas.isConnected) return;
    const { ctx, width, height } = fitCanvas(this.#canvas, (w) => Math.round(w * 0.85));
    const t = theme();
    const m = FIT_MARGIN;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of [...fit.truth, ...fit.predicted]) {
      if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    }
    if (!(hi > lo)) [lo, hi] = [lo - 1, lo + 1];
    const pad = (hi - lo) * 0.05;
    [lo, hi] = [lo - pad, hi + pad];
    const w = width - m.left - m.right;
    const h = height - m.top - m.bottom;
    const px = (v: number) => m.left + (v - lo) / (hi - lo) * w;
    const py = (v: number) => m.top + (1 - (v - lo) / (hi - lo)) * h;
    ctx.strokeStyle = t.line;
    ctx.lineWidth = 1;
    ctx.strokeRect(m.left + 0.5, m.top + 0.5, w, h);
    ctx.fillStyle = t.fg;
    ctx.font = "11px system-ui, sans-serif";
    const ticks = niceTicks(lo, hi, 5);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of ticks) ctx.fillText(short(v), px(v), m.top + h + 5);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of ticks) ctx.fillText(short(v), m.left - 5, py(v));
    ctx.fillStyle = t.muted;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText("true value", m.left + w / 2, height);
    ctx.save();
    ctx.translate(11, m.top + h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText("predicted", 0, 0);
    ctx.restore();
    ctx.save();
    ctx.beginPath();
    ctx.rect(m.left, m.top, w, h);
    ctx.clip();
    ctx.strokeStyle = t.muted;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(px(lo), py(lo));
    ctx.lineTo(px(hi), py(hi));
    ctx.stroke();
    fit.truth.forEach((v, i) => {
      ctx.fillStyle = fit.test[i] ? classColor(1) : classColor(0);
      ctx.beginPath();
      if (fit.test[i]) ctx.rect(px(v) - 2.5, py(fit.predicted[i]) - 2.5, 5, 5);
      else ctx.arc(px(v), py(fit.predicted[i]), 2.5, 0, 2 * Math.PI);
      ctx.fill();
    });
    ctx.restore();
    this.#canvas.dataset.ticks = ticks.join(",");
  }
}

/** The summary table of how the run ended, with its command to rerun it. */
export function summaryTable(end: RunEnd): HTMLElement {
  const rows = end.summary.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v)));
  rows.push(
    el(
      "tr",
      {},
      el("th", {}, "Reproduce"),
      el(
        "td",
        {},
        el(
          "code",
          { class: "command" },
          ...end.command.split(" ").flatMap((w, i) => [i ? " " : "", el("span", {}, w)]),
        ),
      ),
    ),
  );
  return el("table", { class: "summary" }, ...rows);
}
