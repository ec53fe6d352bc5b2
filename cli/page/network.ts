/// <reference lib="dom" />
/**
 * The network diagram card: the one drawing shared with notebooks
 * ({@linkcode networkSvg} in `nn/draw/network_svg.ts`), redrawn for the model at
 * the timeline's step.
 *
 * @module
 */
import { type Mlp, networkSvg, type NetworkSvgOptions } from "../../mod.ts";
import type { RunInfo } from "./data.ts";

/**
 * Draws `model` into `container` as `<svg id="network">`, with `grads` (one
 * per parameter, in the order of `Mlp.parameters()`) for the hover titles.
 */
export function drawNetwork(
  container: HTMLElement,
  model: Mlp,
  grads: ArrayLike<number> | undefined,
  info: RunInfo,
): void {
  if (grads) model.parameters().forEach((p, i) => p.grad = grads[i]);
  // The SVG text escapes every name; it is markup we made, not user text.
  container.innerHTML = networkSvg(model, networkOptions(info));
}

/** How the page draws a run's network (the playground's worker draws it the same way). */
export function networkOptions(info: RunInfo): NetworkSvgOptions {
  const b = info.bounds;
  const k = info.model.nouts.at(-1)!;
  return {
    id: "network",
    inputNames: info.featureNames,
    ...(k > 1 && info.classNames.length === k ? { outputNames: info.classNames } : {}),
    ...(b ? { extent: [b.xMin, b.xMax, b.yMin, b.yMax] as const } : { heatmaps: false }),
  };
}
