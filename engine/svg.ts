/**
 * Pictures as SVG text, drawn with no dependency and no DOM, so they work in
 * Deno, a browser page and a Jupyter notebook alike.
 *
 * @module
 */

/**
 * Escapes text for SVG or HTML: in an element's text or a quoted attribute.
 * Control characters, which XML cannot hold, become U+FFFD.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeXml } from "../mod.ts";
 * assert.equal(escapeXml(`<b a="1">&'`), "&lt;b a=&quot;1&quot;&gt;&amp;&#39;");
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(UNSAFE, (c) => XML_ESCAPES[c] ?? "\ufffd");
}

// deno-lint-ignore no-control-regex
const UNSAFE = /[&<>"']|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]/g;

const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
