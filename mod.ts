/**
 * denograd: micrograd's scalar autograd engine and neural-net library in
 * TypeScript, with no dependencies, for Deno, browsers and workers.
 *
 * @example Micrograd's first example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Value } from "./mod.ts";
 * const x = new Value(-4.0);
 * const z = x.mul(2).add(2).add(x);
 * const q = z.relu().add(z.mul(x));
 * const h = z.mul(z).relu();
 * const y = h.add(q).add(q.mul(x));
 * y.backward();
 * assert.equal(y.data, -20);
 * assert.equal(x.grad, 46);
 * ```
 *
 * @module
 */
export * from "./engine/mod.ts";
export * from "./nn/mod.ts";
