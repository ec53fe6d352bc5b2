/**
 * Training: the one table of settings, the default learning rate and the shared training loop.
 *
 * @module
 */
export * from "./settings.ts";
export * from "./default_lr.ts";
export * from "./train.ts";
