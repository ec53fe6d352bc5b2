/**
 * Where the playground finds the backprop stepper (`cli/page/stepper.ts`,
 * built separately): a function that mounts its panel in a container for a
 * model and a point, or `undefined` while the stepper is not part of the
 * bundle. To embed it, this file's one export becomes a re-export:
 * `export { mountStepper } from "./stepper.ts";`.
 *
 * @module
 */
import type { MlpJson } from "../../mod.ts";

/** Mounts the stepper's panel in `container` for `model` at the input `point`. */
export type MountStepper = (container: HTMLElement, model: MlpJson, point: number[]) => unknown;

/** The stepper, when the bundle has it. */
export const mountStepper: MountStepper | undefined = undefined;
