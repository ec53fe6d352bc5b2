/**
 * The default learning rate for each optimizer, loss and activation.
 *
 * @module
 */
import type { LossName } from "./losses.ts";
import type { Activation } from "./neuron.ts";
import { DEFAULT_LR, type OptimizerName } from "./train.ts";

/** What {@linkcode defaultLr} chooses by. */
export interface DefaultLrOptions {
  /** The optimizer. */
  optimizer: OptimizerName;
  /** The loss. */
  loss: LossName;
  /** The hidden activation. */
  activation: Activation;
}

/** The learning rate to start from when none is given. */
export function defaultLr(options: DefaultLrOptions): number {
  return DEFAULT_LR[options.optimizer];
}
