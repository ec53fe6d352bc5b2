/// <reference lib="dom" />
/**
 * The fitted curve of a regression on one feature: the points (target
 * against feature) and the model's prediction over the feature's range,
 * with real axes and a read-out under the pointer.
 *
 * @module
 */
import { type Features, type Mlp, predictBatch } from "../../mod.ts";
import { planeClick, planeFeatures } from "./boundary.ts";
import { classColor, fitCanvas, niceTicks, short } from "./_dom.ts";
import type { RunInfo } from "./data.ts";

const MARGIN = { left: 50, right: 10, top: 10, bottom: 38 };

/** How many x positions the curve is computed at. */
const SAMPLES = 240;

/** The fitted curve on one canvas. */
export class CurvePlot {
  #canvas: HTMLCanvasElement;
  #readout: HTMLElement;
  #info: RunInfo;
  #features: Features | undefined;
  #model: Mlp | undefined;
  #curve: Float64Array | undefined;
  #frame = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, width: 0, height: 0 };

  /** Draws on `canvas` and writes what is under the pointer into `readout`. */
  constructor(canvas: HTMLCanvasElement, readout: HTMLElement, info: RunInfo) {
    this.#canvas = canvas;
    this.#readout = readout;
    this.#info = info;
    this.#features = planeFeatures(info);
    const xs = info.points!.x.map((p) => p[0]);
    const ys = info.points!.y;
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    const px = Math.max((x1 - x0) * 0.05, 0.1);
    const py = Math.max((y1 - y0) * 0.15, 0.1);
    Object.assign(this.#frame, { xMin: x0 - px, xMax: x1 + px, yMin: y0 - py, yMax: y1 + py });
    canvas.addEventListener("mousemove", (e) => this.#hover(e));
    canvas.addEventListener("mouseleave", () => this.#readout.textContent = "\u00a0");
    canvas.addEventListener("click", (e) => {
      const rect = canvas.getBoundingClientRect();
      const f = this.#frame;
      const w = f.width - MARGIN.left - MARGIN.right;
      const h = f.height - MARGIN.top - MARGIN.bottom;
      const x = f.xMin + (e.clientX - rect.left - MARGIN.left) / w * (f.xMax - f.xMin);
      const y = f.yMin + (1 - (e.clientY - rect.top - MARGIN.top) / h) * (f.yMax - f.yMin);
      planeClick(canvas, e, [x, y]);
    });
    addEventListener("resize", () => this.draw());
  }

  /** Shows the model's curve (none: only the points). */
  show(model: Mlp | undefined): void {
    this.#model = model;
    this.#curve = undefined;
    if (model) {
      const f = this.#frame;
      const xs = Array.from({ length: SAMPLES }, (_, i) => [
        f.xMin + (i / (SAMPLES - 1)) * (f.xMax - f.xMin),
      ]);
      this.#curve = predictBatch(
        model,
        this.#features ? xs.map((x) => this.#features!.apply(x)) : xs,
      );
    }
    this.draw();
  }

  #px(x: number, y: number): [number, number] {
    const f = this.#frame;
    const w = f.width - MARGIN.left - MARGIN.right;
    const h = f.height - MARGIN.top - MARGIN.bottom;
    return [
      MARGIN.left + (x - f.xMin) / (f.xMax - f.xMin) * w,
      MARGIN.top + (1 - (y - f.yMin) / (f.yMax - f.yMin)) * h,
    ];
  }

  /** Redraws everything. */
  draw(): void {
    const { ctx, width, height } = fitCanvas(this.#canvas, (w) => Math.round(w * 0.8));
    Object.assign(this.#frame, { width, height });
    const f = this.#frame;
    const [left, bottom] = this.#px(f.xMin, f.yMin);
    const [right, top] = this.#px(f.xMax, f.yMax);
    ctx.strokeStyle = "#8c959f";
    ctx.lineWidth = 1;
    ctx.strokeRect(left + 0.5, top + 0.5, right - left, bottom - top);
    ctx.fillStyle = "#1f2328";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const t of niceTicks(f.xMin, f.xMax)) {
      const [x] = this.#px(t, f.yMin);
      ctx.fillText(short(t), x, bottom + 6);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of niceTicks(f.yMin, f.yMax)) {
      const [, y] = this.#px(f.xMin, t);
      ctx.fillText(short(t), left - 6, y);
    }
    ctx.fillStyle = "#59636e";
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(this.#info.featureNames[0] ?? "x", (left + right) / 2, height);
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, right - left, bottom - top);
    ctx.clip();
    const p = this.#info.points!;
    for (let i = 0; i < p.x.length; i++) {
      const [x, y] = this.#px(p.x[i][0], p.y[i]);
      ctx.fillStyle = p.test[i] ? classColor(1) : classColor(0);
      ctx.beginPath();
      if (p.test[i]) ctx.rect(x - 3, y - 3, 6, 6);
      else ctx.arc(x, y, 3, 0, 2 * Math.PI);
      ctx.fill();
    }
    if (this.#curve) {
      ctx.strokeStyle = "#1f2328";
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let i = 0; i < SAMPLES; i++) {
        const [x, y] = this.#px(f.xMin + (i / (SAMPLES - 1)) * (f.xMax - f.xMin), this.#curve[i]);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.stroke();
    }
    ctx.restore();
  }

  #hover(e: MouseEvent): void {
    const rect = this.#canvas.getBoundingClientRect();
    const f = this.#frame;
    const w = f.width - MARGIN.left - MARGIN.right;
    const x = f.xMin + (e.clientX - rect.left - MARGIN.left) / w * (f.xMax - f.xMin);
    if (x < f.xMin || x > f.xMax) {
      this.#readout.textContent = "\u00a0";
      return;
    }
    const name = this.#info.featureNames[0] ?? "x";
    const parts = [`${name} = ${short(x)}`];
    if (this.#model) {
      parts.push(
        `predicted ${
          short(this.#model.predict(this.#features ? this.#features.apply([x]) : [x])[0])
        }`,
      );
    }
    this.#readout.textContent = parts.join(" · ");
  }
}
