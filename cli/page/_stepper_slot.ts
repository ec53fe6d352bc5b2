/**
 * The playground's backprop stepper (`cli/page/stepper.ts`): mounts its panel
 * in a container for the model of the current moment at a clicked point,
 * replacing the panel mounted before.
 *
 * @module
 */
import type { MlpJson } from "../../mod.ts";
import type { RunInfo } from "./data.ts";
import { mountStepper as mount, type StepperController } from "./stepper.ts";

let mounted: StepperController | undefined;

/**
 * Mounts the stepper's panel in `container` for `model` at the input `point`,
 * for the model's features, inputs and classes; one panel at a time.
 */
export function mountStepper(
  container: HTMLElement,
  model: MlpJson,
  point: number[],
  info?: Pick<RunInfo, "featureNames" | "inputNames" | "classNames">,
): StepperController {
  mounted?.destroy();
  mounted = mount(container, {
    model,
    point,
    ...(info
      ? {
        features: info.featureNames,
        inputs: info.inputNames,
        ...(info.classNames.length > 0 ? { classNames: info.classNames } : {}),
      }
      : {}),
  });
  return mounted;
}
