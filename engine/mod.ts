/**
 * The scalar autograd engine: {@linkcode Value} and tools for its graphs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Value } from "./mod.ts";
 * const x = new Value(-4.0);
 * const y = x.mul(2).add(2).add(x).relu();
 * y.backward();
 * assert.equal(x.grad, 0);
 * ```
 *
 * @module
 */
export * from "./value.ts";
export * from "./graph.ts";
export * as ops from "./ops.ts";
export type { BinaryOp, UnaryOp } from "./ops.ts";
