/**
 * The training worker's protocol and the main-thread side that runs it.
 *
 * @module
 */
export * from "./protocol.ts";
export * from "./client.ts";
export * from "./grid.ts";
export * from "./snapshots.ts";
