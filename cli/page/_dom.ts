/// <reference lib="dom" />
/**
 * Small DOM helpers for the page: every piece of text goes in as text.
 *
 * @module
 */
import { classColour, rgbOf, seriesColour } from "../../mod.ts";

/** Makes an element with attributes and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/**
 * A class's colour among `classes` for a model of `outputs` outputs, by the
 * one palette rule of `nn/draw/palette.ts`: TensorFlow Playground's orange
 * and blue only for two classes told apart by one output's sign (the colours
 * the network gives a negative and a positive output), else a categorical
 * palette with no orange or blue. Without `classes`, the colour of a chart's
 * series `k`.
 */
export function classColor(k: number, classes?: number, outputs?: number): string {
  if (classes === undefined) return seriesColour(k);
  return classColour(k, classes, outputs ?? (classes === 2 ? 1 : classes));
}

/** A colour as red, green and blue, 0 to 255. */
export type Rgb = readonly [number, number, number];

/** `#rrggbb` as numbers (a colour given as numbers already is returned as it is). */
export function rgb(color: string | Rgb): Rgb {
  return typeof color === "string" ? rgbOf(color) : color;
}

/** A whole number with thousands separators: 1,234. */
export function count(n: number): string {
  const whole = Math.round(n);
  // By hand, as en-US writes it: the first toLocaleString loads the locale's data (~0.1 s).
  return Math.abs(whole) < 1e21
    ? String(whole).replace(/\B(?=(\d{3})+$)/g, ",")
    : whole.toLocaleString("en-US");
}

/** `n` and a noun, singular for 1: "1 step", "19,194 steps". */
export function plural(n: number, noun: string): string {
  return `${count(n)} ${noun}${Math.round(n) === 1 ? "" : "s"}`;
}

/** A step count in a few characters, for axis ticks: 950, 1k, 2.5k, 300k, 1.2M. */
export function compact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(Number(n.toPrecision(3)));
}

/** The page's colours, from its CSS (light or dark, as the system prefers). */
export interface Theme {
  /** Text. */
  fg: string;
  /** Secondary text. */
  muted: string;
  /** Lines and borders. */
  line: string;
  /** A card's background: what canvases are cleared to, and shading fades into. */
  paper: string;
}

/** The colours the page's CSS variables hold now. */
export function theme(): Theme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    fg: v("--fg", "#1f2328"),
    muted: v("--muted", "#59636e"),
    line: v("--line", "#d1d9e0"),
    paper: v("--card", "#ffffff"),
  };
}

/**
 * `color` mixed into `paper` by `a` (0: paper, 1: the colour), as an rgb
 * triple; a loop over many cells gives both as numbers, read once.
 */
export function mix(color: string | Rgb, paper: string | Rgb, a: number): Rgb {
  const c = rgb(color);
  const p = rgb(paper);
  return [p[0] + (c[0] - p[0]) * a, p[1] + (c[1] - p[1]) * a, p[2] + (c[2] - p[2]) * a];
}

/** A number in at most 4 significant digits. */
export function short(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}

/** About `target` round tick values spanning [min, max]. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  const span = max - min;
  if (!(span > 0)) return [min];
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return out;
}

/** The most device pixels a canvas of the page has per CSS pixel (see {@linkcode pixelRatio}). */
export const MAX_PIXEL_RATIO = 2;

/**
 * Device pixels per CSS pixel of the page's canvases: the screen's, at most
 * {@linkcode MAX_PIXEL_RATIO}. A phone's 3 would give a canvas 9 pixels for
 * each CSS pixel, which the page's thread allocates and hands to the
 * compositor whenever the canvas changes (its longest work while a run
 * plays); at 2 a chart's lines and labels stay sharp, and the boundary is a
 * 60x60 grid scaled up anyway.
 */
export function pixelRatio(): number {
  return Math.min(globalThis.devicePixelRatio || 1, MAX_PIXEL_RATIO);
}

/**
 * Sizes `canvas` to its card (at most 520 CSS pixels wide, as narrow as a
 * phone's card) at the page's {@linkcode pixelRatio}, with `height(width)` CSS pixels
 * of height, and clears it to the card's colour; returns its context, scaled
 * to CSS pixels, and its size.
 */
export function fitCanvas(
  canvas: HTMLCanvasElement,
  height: (width: number) => number,
): { ctx: CanvasRenderingContext2D; width: number; height: number } {
  const parent = canvas.parentElement;
  const style = parent ? getComputedStyle(parent) : undefined;
  const inner = parent
    ? parent.clientWidth - parseFloat(style!.paddingLeft) - parseFloat(style!.paddingRight)
    : 480;
  const width = Math.max(200, Math.min(inner || 480, 520));
  const h = height(width);
  const ratio = pixelRatio();
  const [w, hh] = [Math.round(width * ratio), Math.round(h * ratio)];
  const ctx = canvas.getContext("2d")!;
  // Resized only when its size changes (a canvas given its size again reallocates its pixels);
  // else its drawing state goes back to a fresh one's, kept by the save below.
  if (canvas.width !== w || canvas.height !== hh || canvas.style.width !== `${width}px`) {
    canvas.style.width = `${width}px`;
    canvas.style.height = `${h}px`;
    canvas.width = w;
    canvas.height = hh;
  } else ctx.restore();
  ctx.save();
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = theme().paper;
  ctx.fillRect(0, 0, width, h);
  return { ctx, width, height: h };
}
