/**
 * The style sheet of the pages the CLI writes: the report, the live page and
 * the playground.
 *
 * @module
 */

/** The page's style sheet (the report's, the live page's and the playground's). */
export const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0;
  --bg: #f6f8fa; --card: #ffffff; --accent: #0969da; --accent-bg: #ddf4ff;
  --ok: #116329; --ok-bg: #dafbe1; --warn: #7d4e00; --warn-bg: #fff8c5;
  --bad: #a40e26; --bad-bg: #ffebe9; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --bg: #0d1117; --card: #151b23;
    --accent: #4493f8; --accent-bg: #0d2a4d; --ok: #57d364; --ok-bg: #12361c;
    --warn: #e3b341; --warn-bg: #3b2e0a; --bad: #ff7b72; --bad-bg: #4a1418; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); }
main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 15px; margin: 0 0 8px; }
h2 .title-row { display: flex; align-items: baseline; gap: 12px; }
header p { margin: 4px 0; }
.status { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600;
  background: var(--accent-bg); color: var(--accent); }
.status.moment { background: transparent; border: 1px solid var(--line); color: var(--fg); }
.status.completed { background: var(--ok-bg); color: var(--ok); }
.status.cancelled { background: var(--warn-bg); color: var(--warn); }
.status.failed { background: var(--bad-bg); color: var(--bad); }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px;
  margin-top: 16px; }
.grid.top { grid-template-columns: minmax(0, 520px) minmax(0, 1fr); }
.grid.charts { grid-template-columns: repeat(auto-fit, minmax(min(300px, 100%), 1fr)); }
@media (max-width: 900px) { .grid, .grid.top { grid-template-columns: minmax(0, 1fr); } }
@media (max-width: 600px) { main { padding: 12px 10px 32px; } .card { padding: 10px; }
  .grid { gap: 10px; margin-top: 10px; } }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px;
  min-width: 0; }
.card[hidden] { display: none; }
.card.timeline { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin-top: 14px;
  padding: 10px 14px; }
.timeline-track { flex: 1 1 220px; min-width: 0; position: relative; padding-bottom: 16px; }
.timeline-track input { width: 100%; margin: 0; display: block; }
.timeline-scale { position: absolute; left: 8px; right: 8px; bottom: 0; height: 14px; font-size: 11px; }
.timeline-scale span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.timeline-scale span.kind { right: -8px; transform: none; top: -30px; }
.card.timeline button { font: inherit; color: var(--fg); padding: 6px 14px; border-radius: 6px;
  border: 1px solid var(--line); background: var(--bg); cursor: pointer; min-width: 72px; }
.card.timeline button[aria-pressed="true"] { background: var(--accent-bg); color: var(--accent); }
#timeline-step { flex: 0 1 auto; font-variant-numeric: tabular-nums; }
.chart { position: relative; height: 260px; }
.chart.tall { height: 420px; }
.toggle { font-weight: 400; font-size: 13px; margin-left: auto; }
#boundary, #curve, #fit { display: block; cursor: crosshair; max-width: 100%; }
#boundary:focus-visible, #curve:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.readout { font-size: 12px; color: var(--muted); min-height: 2.9em; margin-top: 4px;
  font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.scale { display: flex; align-items: center; gap: 6px; font-size: 12px; margin-top: 6px;
  flex-wrap: wrap; font-variant-numeric: tabular-nums; }
.scale .bar { display: inline-block; width: 140px; height: 10px; border-radius: 2px;
  border: 1px solid var(--line); }
.scale[hidden] { display: none; }
.network { overflow-x: auto; }
.network svg { display: block; max-width: 100%; height: auto; }
.scroll { overflow-x: auto; max-width: 100%; }
.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%; margin-right: 6px;
  vertical-align: -1px; border: 1px solid var(--line); }
.swatch.square { border-radius: 0; }
.swatch.line { width: 16px; height: 0; border-radius: 0; border: 0; border-top: 2px dashed var(--muted);
  vertical-align: 3px; }
table.summary { border-collapse: collapse; width: 100%; }
table.summary th { text-align: left; color: var(--muted); font-weight: 500; padding: 4px 12px 4px 0;
  vertical-align: top; }
table.summary td { padding: 4px 0; overflow-wrap: anywhere; }
table.confusion { border-collapse: collapse; margin: 0 0 14px; font-variant-numeric: tabular-nums; }
table.confusion caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
table.confusion th, table.confusion td { border: 1px solid var(--line); padding: 4px 10px; }
table.confusion td { text-align: right; min-width: 48px; }
table.confusion th { font-weight: 500; max-width: 160px; overflow-wrap: anywhere; }
table.confusion th.corner { color: var(--muted); font-size: 12px; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--bg);
  padding: 2px 4px; border-radius: 4px; overflow-wrap: anywhere; }
.note { color: var(--muted); }
.note:empty { display: none; }
.controls label { color: var(--fg); }
code.command span { white-space: nowrap; }
`;

/** JSON that is safe inside a `<script>` element: no `<`, `>`, `&` or line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `js` made safe inside a `<script>` element: each `</script` is escaped. */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1");
}

/**
 * A file's text in parts: text, and bytes encoded already. A page's fixed
 * scripts (Chart.js, the page's code) are bytes made once per thread
 * ({@linkcode fixedBytes}), so a sweep's worker does not escape and encode
 * the same 700 kB again for every trial's report.
 */
export type TextParts = readonly (string | Uint8Array)[];

/** The parts as one text. */
export function textOf(parts: TextParts): string {
  const decoder = new TextDecoder();
  return parts.map((p) => typeof p === "string" ? p : decoder.decode(p)).join("");
}

/**
 * The UTF-8 bytes of a fixed text (escaped with {@linkcode inlineScript}
 * first if `script`), made once per thread and kept: for texts every page
 * holds, not for a run's own data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fixedBytes } from "./page_style.ts";
 * assert.equal(new TextDecoder().decode(fixedBytes("a</script>", true)), "a<\\/script>");
 * assert.equal(fixedBytes("x", false), fixedBytes("x", false)); // the same bytes, kept
 * ```
 */
export function fixedBytes(text: string, script: boolean): Uint8Array {
  const kept = script ? FIXED_SCRIPTS : FIXED_TEXTS;
  let bytes = kept.get(text);
  if (bytes === undefined) {
    // A handful are fixed (Chart.js, the page, the playground): more means a caller's mistake.
    if (kept.size >= 8) kept.delete(kept.keys().next().value!);
    bytes = new TextEncoder().encode(script ? inlineScript(text) : text);
    kept.set(text, bytes);
  }
  return bytes;
}

const FIXED_SCRIPTS = new Map<string, Uint8Array>();
const FIXED_TEXTS = new Map<string, Uint8Array>();

/** Options for {@linkcode pageHead}. */
export interface PageHeadOptions {
  /** The page's title, as HTML (escaped by the caller). */
  titleHtml: string;
  /** The Content-Security-Policy's directives. */
  csp: string[];
  /** The page's style sheet, if any. */
  style?: string;
}

/** The start of a page the CLI writes, to `<body>` included: offline, its policy, no icon fetched. */
export function pageHead(options: PageHeadOptions): string {
  const style = options.style === undefined ? "" : `<style>${options.style}</style>\n`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${options.csp.join("; ")}">
<link rel="icon" href="data:,">
<title>${options.titleHtml}</title>
${style}</head>
<body>
`;
}
