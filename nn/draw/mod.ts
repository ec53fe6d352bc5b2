/**
 * Drawings: a {@linkcode Value}'s graph, a model's network, decision boundaries and curves as SVG, and the notebook display of values and models.
 *
 * @module
 */
export * from "./value_svg.ts";
export * from "./network_svg.ts";
export * from "./plot_svg.ts";
export * from "./palette.ts";
export * from "./backprop_trace.ts";
import "./_display.ts";
