/**
 * A list in words, for help texts and error messages: the settings table's,
 * and the CLI's, which imports it from here (the library's `mod.ts` does not
 * export it).
 *
 * @module
 */

/**
 * "a, b or c".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { orList } from "./or_list.ts";
 * assert.equal(orList(["sgd", "adam", "adamw"]), "sgd, adam or adamw");
 * assert.equal(orList(["relu"]), "relu");
 * ```
 */
export function orList(words: readonly string[]): string {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}
