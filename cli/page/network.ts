/// <reference lib="dom" />
/**
 * The network diagram card: the one drawing shared with notebooks
 * (`nn/network_svg.ts`), redrawn for the model at the timeline's step.
 *
 * @module
 */
import type { Mlp } from "../../mod.ts";
import type { RunInfo } from "./data.ts";

/** Draws `model` (with its grads, for the hover) into `container` as `<svg id="network">`. */
export function drawNetwork(
  container: HTMLElement,
  model: Mlp,
  grads: ArrayLike<number> | undefined,
  info: RunInfo,
): void {
  // Placeholder until nn/network_svg.ts lands from the draw branch.
  void model;
  void grads;
  void info;
  container.innerHTML = '<svg id="network" xmlns="http://www.w3.org/2000/svg"></svg>';
}
