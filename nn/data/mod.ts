/**
 * Data: seeded toy datasets, a CSV reader and feature crosses.
 *
 * @module
 */
export * from "./datasets.ts";
export * from "./csv.ts";
export * from "./features.ts";
