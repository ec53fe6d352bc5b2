/**
 * The math of a network: seeded randomness, activations, neurons, layers, {@linkcode Mlp}, losses, optimizers and learning-rate schedules, all on {@linkcode Value}.
 *
 * @module
 */
export * from "./random.ts";
export * from "./activations.ts";
export * from "./neuron.ts";
export * from "./layer.ts";
export * from "./mlp.ts";
export * from "./losses.ts";
export * from "./optim.ts";
export * from "./schedule.ts";
