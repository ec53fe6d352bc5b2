/**
 * Drawings: a {@linkcode Value}'s graph, a model's network, decision boundaries and curves as SVG, the notebook display of values and models, and backprop traced step by step at a point (for the page's stepper).
 *
 * @module
 */
export * from "./value_svg.ts";
export * from "./network_svg.ts";
export * from "./plot_svg.ts";
export * from "./palette.ts";
export * from "./backprop_trace.ts";
import "./_display.ts";
