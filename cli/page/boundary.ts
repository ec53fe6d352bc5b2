/// <reference lib="dom" />
/**
 * The decision boundary over 2-D data: the model's class (shaded by how sure
 * it is, or flat when discretized) over the plane, the points on top, real
 * axes with ticks at an equal aspect, and a read-out of what is under the
 * pointer. For regression, the predicted value as a heatmap.
 *
 * @module
 */
import { compileFeatures, type Features, type Mlp, paperColour, predictClass } from "../../mod.ts";
import type { GridBounds } from "../../workers/grid.ts";
import { classColor, fitCanvas, mix, niceTicks, type Rgb, rgb, short, theme } from "./_dom.ts";
import type { RunInfo } from "./data.ts";
import { type NeuronPreview, PREVIEW_EVENT } from "./network.ts";

/** What the plane shows: classes with confidence, or (regression) values. */
export interface PlaneGrid extends GridBounds {
  /** Cells per side. */
  size: number;
  /** The class per cell, row by row from `yMin` (classification). */
  classes?: ArrayLike<number>;
  /** How sure the model is per cell, 0 to 1 (classification). */
  confidence?: ArrayLike<number>;
  /** The predicted value per cell (regression). */
  values?: ArrayLike<number>;
}

const MARGIN = { left: 46, right: 10, top: 10, bottom: 38 };

/**
 * A diverging orange-paper-blue scale for values in [-1, 1]: orange below 0
 * and blue above, as the network diagram colours its neurons' outputs,
 * fading into `paper` (white, or the dark card) at 0 ({@linkcode paperColour}).
 */
function diverging(t: number, paper: Rgb): Rgb {
  const c: [number, number, number] = [0, 0, 0];
  paperColour(t, paper, c, 0);
  return c;
}

/** Options for {@linkcode BoundaryPlot}. */
export interface BoundaryPlotOptions {
  /** Where the read-out of what is under the pointer (or the keyboard's cursor) goes. */
  readout?: HTMLElement;
  /** Where the colour scale of a regression's plane goes. */
  scale?: HTMLElement;
}

/** How far one arrow key moves the keyboard's cursor, as a share of the plot's side. */
const KEY_STEP = 1 / 40;

/** What a click on the plane says, as the `plane-click` event's detail (the playground adds points). */
export interface PlaneClick {
  /** The point clicked, in the data's own inputs. */
  at: number[];
  /** Whether shift was held (remove the nearest point). */
  shift: boolean;
}

/** Tells whoever listens (the playground) where the plane was clicked: a `plane-click` event. */
export function planeClick(canvas: HTMLCanvasElement, e: MouseEvent, at: number[]): void {
  const detail: PlaneClick = { at, shift: e.shiftKey };
  canvas.dispatchEvent(new CustomEvent("plane-click", { detail, bubbles: true }));
}

/** The boundary plot on one canvas. */
export class BoundaryPlot {
  #canvas: HTMLCanvasElement;
  #readout: HTMLElement | undefined;
  #scale: HTMLElement | undefined;
  #info: RunInfo;
  #grid: PlaneGrid | undefined;
  #model: Mlp | undefined;
  #discrete = false;
  #side = 0;
  /** The point read out by touch or keyboard, in CSS pixels (none: nothing marked). */
  #cursor: [number, number] | undefined;
  readonly #features: Features | undefined;

  /**
   * Draws on `canvas`; reads out what is under the mouse, a tap, or the
   * cursor that the arrow keys move while the canvas has focus.
   */
  constructor(canvas: HTMLCanvasElement, info: RunInfo, options: BoundaryPlotOptions = {}) {
    this.#canvas = canvas;
    this.#readout = options.readout;
    this.#scale = options.scale;
    this.#info = info;
    this.#features = planeFeatures(info);
    const at = (e: PointerEvent): [number, number] => {
      const rect = canvas.getBoundingClientRect();
      return [e.clientX - rect.left, e.clientY - rect.top];
    };
    canvas.addEventListener("pointermove", (e) => {
      if (e.pointerType === "mouse") this.#read(...at(e));
    });
    canvas.addEventListener("pointerdown", (e) => {
      if (e.pointerType !== "mouse") this.#mark(at(e));
    });
    canvas.addEventListener("pointerleave", (e) => {
      if (e.pointerType === "mouse" && !this.#cursor) this.#say("\u00a0");
    });
    canvas.addEventListener("focus", () => this.#cursor ?? this.#mark(this.#center()));
    canvas.addEventListener("blur", () => this.#mark(undefined));
    canvas.addEventListener("keydown", (e) => {
      const d = KEY_STEP * this.#side;
      const move = ({
        ArrowLeft: [-d, 0],
        ArrowRight: [d, 0],
        ArrowUp: [0, -d],
        ArrowDown: [0, d],
      } as Record<string, [number, number]>)[e.key];
      if (e.key === "Escape") return this.#mark(undefined);
      if (!move) return;
      e.preventDefault();
      const [x, y] = this.#cursor ?? this.#center();
      const clamp = (v: number, lo: number) => Math.max(lo, Math.min(lo + this.#side, v));
      this.#mark([clamp(x + move[0], MARGIN.left), clamp(y + move[1], MARGIN.top)]);
    });
    canvas.addEventListener("click", (e) => {
      const rect = this.#canvas.getBoundingClientRect();
      const b = this.#bounds();
      const x = b.xMin + (e.clientX - rect.left - MARGIN.left) / this.#side * (b.xMax - b.xMin);
      const y = b.yMin + (1 - (e.clientY - rect.top - MARGIN.top) / this.#side) * (b.yMax - b.yMin);
      planeClick(canvas, e, [x, y]);
    });
    addEventListener("resize", () => this.draw());
    // A neuron hovered in the network diagram is shown here, large, until it is left.
    addEventListener(PREVIEW_EVENT, (e) => {
      this.#preview = (e as CustomEvent<NeuronPreview | undefined>).detail;
      this.draw();
    });
  }

  #preview: NeuronPreview | undefined;
  /** The grid's own canvas, a pixel per cell, drawn scaled up onto the plot. */
  #small = document.createElement("canvas");

  #center(): [number, number] {
    return [MARGIN.left + this.#side / 2, MARGIN.top + this.#side / 2];
  }

  /** Marks the point read out by touch or keyboard (none: clears it). */
  #mark(at: [number, number] | undefined): void {
    this.#cursor = at;
    this.draw();
    if (at) this.#read(...at);
    else this.#say("\u00a0");
  }

  #say(text: string): void {
    if (this.#readout) this.#readout.textContent = text;
  }

  /** Shows a grid, and the model it came from (for the read-out's scores). */
  show(grid: PlaneGrid | undefined, model: Mlp | undefined): void {
    this.#grid = grid;
    this.#model = model;
    this.draw();
  }

  /** Flat colours (true) or shaded by confidence (false). */
  set discrete(on: boolean) {
    this.#discrete = on;
    this.draw();
  }

  #bounds(): GridBounds {
    return this.#grid ?? this.#info.bounds ?? { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
  }

  /** Pixel position of a data point, in CSS pixels. */
  #px(x: number, y: number): [number, number] {
    const b = this.#bounds();
    return [
      MARGIN.left + (x - b.xMin) / (b.xMax - b.xMin) * this.#side,
      MARGIN.top + (1 - (y - b.yMin) / (b.yMax - b.yMin)) * this.#side,
    ];
  }

  /** Redraws everything. */
  draw(): void {
    const paper = rgb(theme().paper);
    const { ctx } = fitCanvas(this.#canvas, (width) => {
      // A square plot with room for the axes: equal aspect, no stretching.
      this.#side = width - MARGIN.left - MARGIN.right;
      return this.#side + MARGIN.top + MARGIN.bottom;
    });
    const side = this.#side;
    const p = this.#preview;
    const g: PlaneGrid | undefined = p
      ? { ...this.#bounds(), size: p.size, values: p.values }
      : this.#grid;
    if (g) {
      const small = this.#small;
      if (small.width !== g.size) [small.width, small.height] = [g.size, g.size];
      const sctx = small.getContext("2d")!;
      const img = sctx.createImageData(g.size, g.size);
      // A neuron's preview is scaled to its own largest |value|; a prediction, to at least 1.
      let scale = p ? 1e-12 : 1;
      if (g.values) {
        for (let i = 0; i < g.values.length; i++) scale = Math.max(scale, Math.abs(g.values[i]));
      }
      // Each class's colour read once, not once per cell.
      const classes = this.#info.classNames.map((_, c) =>
        rgb(classColor(c, this.#info.classNames.length, this.#info.model.nouts.at(-1)))
      );
      for (let j = 0; j < g.size; j++) {
        for (let i = 0; i < g.size; i++) {
          const k = j * g.size + i;
          let c: Rgb;
          if (g.values) {
            c = diverging(this.#discrete ? Math.sign(g.values[k]) : g.values[k] / scale, paper);
          } else {
            const a = this.#discrete ? 0.45 : 0.12 + 0.5 * g.confidence![k];
            c = mix(classes[g.classes![k]], paper, a);
          }
          // Row j is at y = yMin + ..., so rows go from the bottom up.
          const o = ((g.size - 1 - j) * g.size + i) * 4;
          img.data[o] = c[0];
          img.data[o + 1] = c[1];
          img.data[o + 2] = c[2];
          img.data[o + 3] = 255;
        }
      }
      sctx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = !this.#discrete;
      ctx.imageSmoothingQuality = "high";
      ctx.drawImage(small, MARGIN.left, MARGIN.top, side, side);
      this.#legend(g.values ? scale : undefined, paper);
    } else {
      this.#legend(undefined, paper);
      ctx.fillStyle = theme().muted;
      ctx.font = "13px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      ctx.fillText("No usable model at this step", MARGIN.left + side / 2, MARGIN.top + 8);
    }
    this.#axes(ctx);
    this.#points(ctx);
    if (p) {
      ctx.fillStyle = theme().fg;
      ctx.font = "bold 12px system-ui, sans-serif";
      ctx.textAlign = "left";
      ctx.textBaseline = "top";
      ctx.fillText(`${p.label}: orange < 0 < blue`, MARGIN.left + 6, MARGIN.top + 6);
    }
    if (this.#cursor) this.#drawCursor(ctx, this.#cursor);
  }

  /** The colour scale of a regression's plane, from -`max` to `max` (none: hidden). */
  #legend(max: number | undefined, paper: Rgb): void {
    const el = this.#scale;
    if (!el) return;
    el.hidden = max === undefined;
    if (max === undefined) return;
    const css = (t: number) => `rgb(${diverging(t, paper).join(",")})`;
    const stops = [-1, -0.5, 0, 0.5, 1].map((t) => `${css(t)} ${(t + 1) * 50}%`).join(", ");
    el.dataset.min = String(-max);
    el.dataset.max = String(max);
    el.replaceChildren(
      Object.assign(document.createElement("span"), { textContent: short(-max) }),
      Object.assign(document.createElement("span"), {
        className: "bar",
        style: `background: linear-gradient(to right, ${stops})`,
        title: "predicted value",
      }),
      Object.assign(document.createElement("span"), { textContent: short(max) }),
      Object.assign(document.createElement("span"), {
        className: "note",
        textContent: " predicted value (0 in the middle)",
      }),
    );
  }

  #drawCursor(ctx: CanvasRenderingContext2D, [x, y]: [number, number]): void {
    ctx.save();
    ctx.strokeStyle = theme().fg;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(x, y, 7, 0, 2 * Math.PI);
    ctx.moveTo(x - 11, y);
    ctx.lineTo(x + 11, y);
    ctx.moveTo(x, y - 11);
    ctx.lineTo(x, y + 11);
    ctx.stroke();
    ctx.restore();
  }

  #axes(ctx: CanvasRenderingContext2D): void {
    const b = this.#bounds();
    const side = this.#side;
    const t = theme();
    ctx.strokeStyle = t.muted;
    ctx.lineWidth = 1;
    ctx.strokeRect(MARGIN.left + 0.5, MARGIN.top + 0.5, side, side);
    ctx.fillStyle = t.fg;
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const t of niceTicks(b.xMin, b.xMax)) {
      const [x] = this.#px(t, b.yMin);
      ctx.beginPath();
      ctx.moveTo(x, MARGIN.top + side);
      ctx.lineTo(x, MARGIN.top + side + 4);
      ctx.stroke();
      ctx.fillText(short(t), x, MARGIN.top + side + 6);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of niceTicks(b.yMin, b.yMax)) {
      const [, y] = this.#px(b.xMin, t);
      ctx.beginPath();
      ctx.moveTo(MARGIN.left - 4, y);
      ctx.lineTo(MARGIN.left, y);
      ctx.stroke();
      ctx.fillText(short(t), MARGIN.left - 6, y);
    }
    // The axes through 0, faintly, where they fall inside.
    ctx.strokeStyle = `${t.fg}2e`;
    if (b.xMin < 0 && b.xMax > 0) {
      const [x] = this.#px(0, 0);
      ctx.beginPath();
      ctx.moveTo(x, MARGIN.top);
      ctx.lineTo(x, MARGIN.top + side);
      ctx.stroke();
    }
    if (b.yMin < 0 && b.yMax > 0) {
      const [, y] = this.#px(0, 0);
      ctx.beginPath();
      ctx.moveTo(MARGIN.left, y);
      ctx.lineTo(MARGIN.left + side, y);
      ctx.stroke();
    }
    const names = this.#info.inputNames;
    ctx.fillStyle = t.muted;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(names[0] ?? "x1", MARGIN.left + side / 2, MARGIN.top + side + MARGIN.bottom);
    ctx.save();
    ctx.translate(11, MARGIN.top + side / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(names[1] ?? "x2", 0, 0);
    ctx.restore();
  }

  /** Points: circles for training, squares for test; smaller and without outline when many. */
  #points(ctx: CanvasRenderingContext2D): void {
    const p = this.#info.points;
    if (!p) return;
    const n = p.x.length;
    const r = Math.max(1.3, Math.min(4, 4 * Math.sqrt(300 / Math.max(n, 1))));
    const outline = n <= 3000;
    let vmax = 1;
    if (this.#info.problem === "regression") {
      for (const v of p.y) vmax = Math.max(vmax, Math.abs(v));
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(MARGIN.left, MARGIN.top, this.#side, this.#side);
    ctx.clip();
    ctx.lineWidth = r < 2.5 ? 0.6 : 1;
    const paper = rgb(theme().paper);
    ctx.strokeStyle = theme().fg;
    // Many small points without outlines: a darker shade of the class keeps them apart from the
    // shading of their own class behind them.
    const fills = this.#info.classNames.map((_, k) => {
      const c = classColor(k, this.#info.classNames.length, this.#info.model.nouts.at(-1));
      if (outline) return c;
      const [r, g, b] = rgb(c);
      return `rgb(${r * 0.72},${g * 0.72},${b * 0.72})`;
    });
    for (let i = 0; i < n; i++) {
      const [x, y] = this.#px(p.x[i][0], p.x[i][1]);
      if (this.#info.problem === "regression") {
        // Points a shade stronger than the plane behind them, so that they stand out.
        const t = p.y[i] / vmax;
        const [cr, cg, cb] = diverging(Math.sign(t) * Math.sqrt(Math.abs(t)) * 1.33, paper);
        ctx.fillStyle = `rgb(${cr},${cg},${cb})`;
      } else {
        ctx.fillStyle = fills[p.y[i]];
      }
      ctx.beginPath();
      if (p.test[i]) ctx.rect(x - r, y - r, 2 * r, 2 * r);
      else ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fill();
      if (outline) ctx.stroke();
    }
    ctx.restore();
  }

  /** Reads out the point at (`mx`, `my`) CSS pixels: the nearest data point, the model's scores. */
  #read(mx: number, my: number): void {
    const b = this.#bounds();
    const x = b.xMin + (mx - MARGIN.left) / this.#side * (b.xMax - b.xMin);
    const y = b.yMin + (1 - (my - MARGIN.top) / this.#side) * (b.yMax - b.yMin);
    if (x < b.xMin || x > b.xMax || y < b.yMin || y > b.yMax) return this.#say("\u00a0");
    const info = this.#info;
    const names = info.inputNames;
    const parts = [`${names[0] ?? "x1"} = ${short(x)}, ${names[1] ?? "x2"} = ${short(y)}`];
    // The nearest point within 6 pixels.
    const p = info.points;
    let best = -1;
    let bestD = 36;
    if (p) {
      for (let i = 0; i < p.x.length; i++) {
        const [px, py] = this.#px(p.x[i][0], p.x[i][1]);
        const d = (px - mx) ** 2 + (py - my) ** 2;
        if (d < bestD) [best, bestD] = [i, d];
      }
    }
    const model = this.#model;
    const at = best >= 0 ? p!.x[best] : [x, y];
    if (best >= 0) {
      const label = info.problem === "regression"
        ? `target ${short(p!.y[best])}`
        : `class ${info.classNames[p!.y[best]] ?? p!.y[best]}`;
      parts[0] = `point ${best + 1} (${p!.test[best] ? "test" : "train"}): ${names[0] ?? "x1"} = ${
        short(at[0])
      }, ${names[1] ?? "x2"} = ${short(at[1])}, ${label}`;
    }
    if (model) {
      const scores = model.predict(this.#features ? this.#features.apply(at) : at);
      if (info.problem === "regression") {
        parts.push(`predicted ${short(scores[0])}`);
      } else {
        const k = predictClass(scores);
        parts.push(
          `predicted ${info.classNames[k] ?? k}, score ${scores.map(short).join(" / ")}`,
        );
      }
    }
    this.#say(parts.join(" · "));
  }
}

/** The model's inputs from a point of the plane, when the model takes feature crosses of it. */
export function planeFeatures(info: RunInfo): Features | undefined {
  return info.features ? compileFeatures(info.features, info.inputNames) : undefined;
}
