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
import { classColor, fitCanvas, niceTicks, short, theme } from "./_dom.ts";
import type { RunInfo } from "./data.ts";

const MARGIN = { left: 58, right: 10, top: 10, bottom: 38 };

/** How many x positions the curve is computed at. */
const SAMPLES = 240;

/** Options for {@linkcode CurvePlot}. */
export interface CurvePlotOptions {
  /** Where the read-out of what is under the pointer (or the keyboard's cursor) goes. */
  readout?: HTMLElement;
}

/** The fitted curve on one canvas. */
export class CurvePlot {
  #canvas: HTMLCanvasElement;
  #readout: HTMLElement | undefined;
  /** The x read out by touch or keyboard, in CSS pixels (none: nothing marked). */
  #cursor: number | undefined;
  #info: RunInfo;
  #features: Features | undefined;
  #model: Mlp | undefined;
  #curve: Float64Array | undefined;
  #frame = { xMin: -1, xMax: 1, yMin: -1, yMax: 1, width: 0, height: 0 };

  /**
   * Draws on `canvas`; reads out the model at the mouse, a tap, or the
   * cursor that the arrow keys move while the canvas has focus.
   */
  constructor(canvas: HTMLCanvasElement, info: RunInfo, options: CurvePlotOptions = {}) {
    this.#canvas = canvas;
    this.#readout = options.readout;
    this.#info = info;
    this.#features = planeFeatures(info);
    const xs = info.points!.x.map((p) => p[0]);
    const ys = info.points!.y;
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    const px = Math.max((x1 - x0) * 0.05, 0.1);
    const py = Math.max((y1 - y0) * 0.15, 0.1);
    Object.assign(this.#frame, { xMin: x0 - px, xMax: x1 + px, yMin: y0 - py, yMax: y1 + py });
    const at = (e: PointerEvent) => e.clientX - canvas.getBoundingClientRect().left;
    canvas.addEventListener("pointermove", (e) => {
      if (e.pointerType === "mouse") this.#read(at(e));
    });
    canvas.addEventListener("pointerdown", (e) => {
      if (e.pointerType !== "mouse") this.#mark(at(e));
    });
    canvas.addEventListener("pointerleave", (e) => {
      if (e.pointerType === "mouse" && this.#cursor === undefined) this.#say("\u00a0");
    });
    const middle = () => (MARGIN.left + this.#frame.width - MARGIN.right) / 2;
    canvas.addEventListener("focus", () => this.#cursor ?? this.#mark(middle()));
    canvas.addEventListener("blur", () => this.#mark(undefined));
    canvas.addEventListener("keydown", (e) => {
      if (e.key === "Escape") return this.#mark(undefined);
      const d = { ArrowLeft: -1, ArrowRight: 1 }[e.key as "ArrowLeft"];
      if (!d) return;
      e.preventDefault();
      const w = this.#frame.width - MARGIN.left - MARGIN.right;
      const x = (this.#cursor ?? middle()) + d * w / 40;
      this.#mark(Math.max(MARGIN.left, Math.min(MARGIN.left + w, x)));
    });
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
    const t = theme();
    const [left, bottom] = this.#px(f.xMin, f.yMin);
    const [right, top] = this.#px(f.xMax, f.yMax);
    ctx.strokeStyle = t.muted;
    ctx.lineWidth = 1;
    ctx.strokeRect(left + 0.5, top + 0.5, right - left, bottom - top);
    ctx.fillStyle = t.fg;
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of niceTicks(f.xMin, f.xMax)) {
      const [x] = this.#px(v, f.yMin);
      ctx.fillText(short(v), x, bottom + 6);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of niceTicks(f.yMin, f.yMax)) {
      const [, y] = this.#px(f.xMin, v);
      ctx.fillText(short(v), left - 6, y);
    }
    ctx.fillStyle = t.muted;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(this.#info.featureNames[0] ?? "x", (left + right) / 2, height);
    ctx.save();
    ctx.translate(11, (top + bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText("target, prediction", 0, 0);
    ctx.restore();
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
      ctx.strokeStyle = t.fg;
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let i = 0; i < SAMPLES; i++) {
        const [x, y] = this.#px(f.xMin + (i / (SAMPLES - 1)) * (f.xMax - f.xMin), this.#curve[i]);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.stroke();
    }
    if (this.#cursor !== undefined) {
      ctx.strokeStyle = t.fg;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(this.#cursor, top);
      ctx.lineTo(this.#cursor, bottom);
      ctx.stroke();
    }
    ctx.restore();
  }

  /** Marks the x read out by touch or keyboard (none: clears it). */
  #mark(at: number | undefined): void {
    this.#cursor = at;
    this.draw();
    if (at === undefined) this.#say("\u00a0");
    else this.#read(at);
  }

  #say(text: string): void {
    if (this.#readout) this.#readout.textContent = text;
  }

  /** Reads out the model at `mx` CSS pixels from the canvas's left. */
  #read(mx: number): void {
    const f = this.#frame;
    const w = f.width - MARGIN.left - MARGIN.right;
    const x = f.xMin + (mx - MARGIN.left) / w * (f.xMax - f.xMin);
    if (x < f.xMin || x > f.xMax) return this.#say("\u00a0");
    const name = this.#info.featureNames[0] ?? "x";
    const parts = [`${name} = ${short(x)}`];
    if (this.#model) {
      parts.push(
        `predicted ${
          short(this.#model.predict(this.#features ? this.#features.apply([x]) : [x])[0])
        }`,
      );
    }
    this.#say(parts.join(" · "));
  }
}
