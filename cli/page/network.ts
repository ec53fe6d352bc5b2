/// <reference lib="dom" />
/**
 * The network diagram card: the one drawing shared with notebooks
 * ({@linkcode networkSvg} in `nn/draw/network_svg.ts`), redrawn for the model at
 * the timeline's step, fed the model's feature crosses of each point. Hovering
 * or tapping a weight or a neuron highlights it and its ends and writes its
 * value and grad under the picture; hovering a neuron shows its output over
 * the plane, large, in the boundary plot (as TensorFlow Playground does); a
 * wide layer's "all neurons" button draws every neuron.
 *
 * @module
 */
import {
  compileFeatures,
  HEX_COLOUR,
  type Mlp,
  networkSvg,
  type NetworkSvgOptions,
} from "../../mod.ts";
import type { RunInfo } from "./data.ts";
import { theme } from "./_dom.ts";

/** The event the boundary plot listens to: a neuron's output over the plane, or none. */
export const PREVIEW_EVENT = "denograd-preview";

/** What {@linkcode PREVIEW_EVENT} carries: values row by row from `yMin`, as a plane grid's. */
export interface NeuronPreview {
  /** The neuron, e.g. `L0.N3`, or the input's name. */
  label: string;
  /** Cells per side. */
  size: number;
  /** The neuron's output per cell, row by row from `yMin`. */
  values: Float64Array;
}

/**
 * The event a click (or tap) on a weight or a bias sends, bubbling from the
 * diagram's container: only the playground listens (it opens the weight editor).
 */
export const WEIGHT_CLICK_EVENT = "weight-click";

/** What {@linkcode WEIGHT_CLICK_EVENT} carries: which parameter, and where the click was. */
export interface WeightClick {
  /** The layer, from 0. */
  layer: number;
  /** The neuron in that layer, from 0. */
  neuron: number;
  /** The input the weight multiplies, from 0; the neuron's input count for its bias. */
  input: number;
  /** Whether it is the bias. */
  bias: boolean;
  /** Where the click was, in the container's CSS pixels. */
  x: number;
  /** Where the click was, in the container's CSS pixels. */
  y: number;
}

/** The most neurons a column shows until "all" is asked for. */
const MAX_NEURONS = 16;
/** Cells per side of a neuron's picture in the boundary plot. */
const PREVIEW_SIZE = 48;

const STYLE = `
.network .network-svg { overflow-x: auto; }
.network .network-svg svg { display: block; width: 100%; height: auto; }
.network svg [data-weight] { cursor: pointer; }
.network svg.focus [data-weight] { opacity: 0.12; }
.network svg.focus [data-weight].hot { opacity: 1; stroke-width: 3.5; }
.network svg.focus [data-node].hot > rect:first-of-type { stroke: var(--fg); stroke-width: 2.5; }
.network .network-readout { min-height: 1.4em; margin: 4px 0 0; font-size: 13px; }
.network .network-all { margin-top: 4px; }
@media (prefers-color-scheme: dark) {
  .network svg .nw-ground, .network svg .nw-box { fill: var(--card); }
  .network svg .nw-box { stroke: var(--muted); }
  .network svg .nw-text { fill: var(--fg); }
  .network svg .nw-muted { fill: var(--muted); }
  .network svg .nw-rule { stroke: var(--muted); }
  .network svg .nw-curve { stroke: var(--fg); }
}
`;

/**
 * The colour the diagram's tiles fade into, as the boundary plot's do: the
 * card's in dark mode; none in light mode, where the tiles keep the drawing's
 * own scale (as a notebook shows it), and when the card's colour is not `#rrggbb`.
 */
export function networkPaper(): string | undefined {
  const paper = theme().paper;
  const dark = matchMedia("(prefers-color-scheme: dark)").matches;
  return dark && HEX_COLOUR.test(paper) ? paper : undefined;
}

interface State {
  model: Mlp;
  info: RunInfo;
}

const states = new WeakMap<HTMLElement, State>();

/** The largest natural width the picture is scaled up to, as a multiple of its own. */
const MAX_SCALE = 2;
/** The narrowest the picture is drawn, in CSS pixels: its text stays about 9 px or more. */
const MIN_WIDTH = 480;

/**
 * Draws `model` into `container` as `<svg id="network">`, with `grads` (one
 * per parameter, in the order of `Mlp.parameters()`) for the hover titles;
 * `predrawn` is the SVG already drawn with {@linkcode networkOptions} (by the
 * playground's worker).
 */
export function drawNetwork(
  container: HTMLElement,
  model: Mlp,
  grads: ArrayLike<number> | undefined,
  info: RunInfo,
  predrawn?: string,
): void {
  if (grads) model.parameters().forEach((p, i) => p.grad = grads[i]);
  const first = !states.has(container);
  states.set(container, { model, info });
  const all = container.dataset.all === "true";
  // The SVG text escapes every name; it is markup we made, not user text.
  const svg = predrawn ?? networkSvg(model, networkOptions(info, all, networkPaper()));
  const widest = Math.max(model.nin, ...model.nouts);
  const natural = Number(/width="(\d+)"/.exec(svg)?.[1] ?? 0);
  if (first) {
    container.innerHTML = `<style>${STYLE}</style><div class="network-svg"></div>` +
      `<p class="network-readout note" aria-live="polite">\u00a0</p>` +
      `<button type="button" class="network-all" hidden></button>`;
    wire(container);
  }
  const holder = container.querySelector<HTMLElement>(".network-svg")!;
  holder.innerHTML = svg;
  holder.style.maxWidth = `${natural * MAX_SCALE}px`;
  // On a narrow card (a phone) the picture scrolls sideways rather than shrink its text to nothing.
  holder.querySelector("svg")?.style.setProperty("min-width", `${Math.min(natural, MIN_WIDTH)}px`);
  const button = container.querySelector<HTMLButtonElement>(".network-all")!;
  button.hidden = widest <= MAX_NEURONS;
  button.textContent = all
    ? `Show the ${MAX_NEURONS} most important neurons per layer`
    : `Show all ${widest} neurons per layer`;
  button.setAttribute("aria-pressed", String(all));
}

/**
 * How the page draws a run's network, on `paper` ({@linkcode networkPaper}; the
 * playground's worker draws it the same way, told the page's paper).
 */
export function networkOptions(info: RunInfo, all = false, paper?: string): NetworkSvgOptions {
  const k = info.model.nouts.at(-1)!;
  const extent = tileExtent(info);
  const stats = info.inputStats;
  return {
    id: "network",
    ...(paper ? { paper } : {}),
    maxNeurons: all ? Infinity : MAX_NEURONS,
    inputNames: info.featureNames,
    ...(info.features ? { features: info.features, dataInputNames: info.inputNames } : {}),
    ...(k > 1 && info.classNames.length === k ? { outputNames: info.classNames } : {}),
    ...(extent ? { extent } : {}),
    ...(stats
      ? {
        center: stats.mean,
        ranges: stats.min.map((lo, i) => padded(lo, stats.max[i])),
      }
      : {}),
  };
}

/** The range the tiles span: the plane of 2-D data, the x range of 1-D data. */
function tileExtent(info: RunInfo): [number, number, number, number] | undefined {
  const b = info.bounds;
  if (b) return [b.xMin, b.xMax, b.yMin, b.yMax];
  const p = info.points;
  if (info.inputNames.length !== 1 || !p || p.x.length === 0) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (const [x] of p.x) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  return [...padded(lo, hi), 0, 1];
}

/** `[lo, hi]` widened by 5% each side (by 1 when they are equal). */
function padded(lo: number, hi: number): [number, number] {
  const pad = (hi - lo) * 0.05 || 1;
  return [lo - pad, hi + pad];
}

/** Highlights, read-outs, previews and the "all" button, wired once per container. */
function wire(container: HTMLElement): void {
  const readout = container.querySelector<HTMLElement>(".network-readout")!;
  let pinned: Element | null = null;
  const focus = (target: Element | null) => {
    const svg = container.querySelector("svg");
    if (!svg) return;
    svg.querySelectorAll(".hot").forEach((e) => e.classList.remove("hot"));
    const item = target?.closest("[data-weight], [data-bias], [data-node]") ?? null;
    svg.classList.toggle("focus", item !== null);
    if (item === null) {
      readout.textContent = "\u00a0";
      preview(undefined);
      return;
    }
    item.classList.add("hot");
    const node = item.closest("[data-node]");
    if (item.hasAttribute("data-weight")) {
      for (const end of [item.getAttribute("data-from"), item.getAttribute("data-to")]) {
        svg.querySelector(`[data-node="${end}"]`)?.classList.add("hot");
      }
    } else if (node) {
      node.classList.add("hot");
      const id = node.getAttribute("data-node");
      svg.querySelectorAll(`[data-from="${id}"], [data-to="${id}"]`).forEach((w) =>
        w.classList.add("hot")
      );
    }
    readout.textContent = item.querySelector(":scope > title")?.textContent ?? "\u00a0";
    preview(node?.getAttribute("data-node") ?? undefined);
  };
  const preview = (node: string | undefined) => {
    const state = states.get(container);
    const detail = node && state ? neuronPreview(state, node) : undefined;
    dispatchEvent(new CustomEvent(PREVIEW_EVENT, { detail }));
  };
  container.addEventListener("pointerover", (e) => {
    if ((e as PointerEvent).pointerType !== "touch" && pinned === null) focus(e.target as Element);
  });
  container.addEventListener("pointerleave", () => {
    if (pinned === null) focus(null);
  });
  // A tap (or click) pins what it hit, so that touch can read it; a second tap unpins.
  container.addEventListener("click", (e) => {
    const target = e.target as Element;
    // Clicks on what a page puts beside the picture (the playground's weight editor) are its own.
    if (!target.closest(".network-svg, .network-all")) return;
    if (target.closest(".network-all")) {
      container.dataset.all = String(container.dataset.all !== "true");
      const state = states.get(container);
      if (state) drawNetwork(container, state.model, undefined, state.info);
      pinned = null;
      return;
    }
    const item = target.closest("[data-weight], [data-bias], [data-node]");
    pinned = item === pinned ? null : item;
    focus(pinned);
    const m = /^L(\d+)\.N(\d+)\.(?:w(\d+)|b)$/.exec(
      item?.getAttribute("data-weight") ?? item?.getAttribute("data-bias") ?? "",
    );
    const model = states.get(container)?.model;
    if (!m || !model) return;
    const [layer, neuron] = [Number(m[1]), Number(m[2])];
    const box = container.getBoundingClientRect();
    const detail: WeightClick = {
      layer,
      neuron,
      input: m[3] === undefined ? model.layers[layer].neurons[neuron].w.length : Number(m[3]),
      bias: m[3] === undefined,
      x: (e as MouseEvent).clientX - box.left,
      y: (e as MouseEvent).clientY - box.top,
    };
    container.dispatchEvent(new CustomEvent(WEIGHT_CLICK_EVENT, { bubbles: true, detail }));
  });
}

/** A node's output over the plane, for the boundary plot (2-D data only). */
function neuronPreview({ model, info }: State, node: string): NeuronPreview | undefined {
  const b = info.bounds;
  if (!b || info.inputNames.length !== 2) return undefined;
  const features = info.features ? compileFeatures(info.features, info.inputNames) : undefined;
  const m = /^L(\d+)\.N(\d+)$/.exec(node);
  const input = /^in(\d+)$/.exec(node);
  if (!m && !input) return undefined;
  const size = PREVIEW_SIZE;
  const values = new Float64Array(size * size);
  for (let j = 0; j < size; j++) {
    const y = b.yMin + (j + 0.5) / size * (b.yMax - b.yMin);
    for (let i = 0; i < size; i++) {
      const x = b.xMin + (i + 0.5) / size * (b.xMax - b.xMin);
      let acts = features ? features.apply([x, y]) : [x, y];
      if (m) {
        for (let l = 0; l <= Number(m[1]); l++) {
          acts = model.layers[l].forward(acts).map((v) => v.data);
        }
        values[j * size + i] = acts[Number(m[2])];
      } else values[j * size + i] = acts[Number(input![1])];
    }
  }
  const label = m ? node : info.featureNames[Number(input![1])] ?? node;
  return { label, size, values };
}
