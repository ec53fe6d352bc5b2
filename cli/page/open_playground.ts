/// <reference lib="dom" />
/**
 * A report's "Open in playground" button. The report carries the playground
 * page (`<script type="text/plain" id="playground-gz">`, the same bytes in
 * every report, with an empty `<script id="chart-js">`) and the run to seed
 * it with (`id="playground-seed"`), each gzipped, in base64; the button
 * unpacks them, fills the page's Chart.js from the report's own, puts the
 * run in as the page's `#seed-run` script and turns the report into it.
 * Nothing is fetched.
 *
 * @module
 */
import { el } from "./_dom.ts";
import { COMPILE_HINT } from "../playground_page.ts";

/** The empty Chart.js script of the packed page (`playgroundHtml` in `cli/playground_page.ts`). */
const CHART_JS_SLOT = `<script id="chart-js"></script>`;

/** Where the packed page's own scripts start: its code reads the run as it starts. */
const SCRIPTS_START = `<script type="text/plain" id="worker-js">`;

/** The text of a gzipped, base64 script element. */
async function unpack(script: HTMLElement): Promise<string> {
  const bytes = Uint8Array.from(atob(script.textContent!.trim()), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).text();
}

/** Adds the button at the top of `root` when the page carries a playground. */
export function offerPlayground(root: HTMLElement): void {
  const page = document.getElementById("playground-gz");
  const seed = document.getElementById("playground-seed");
  const chartJs = document.getElementById("chart-js");
  if (!page || !seed || !chartJs || typeof DecompressionStream === "undefined") return;
  const button = el(
    "button",
    { type: "button", "data-action": "open-playground", class: "open-playground" },
    "Open in playground",
  );
  button.addEventListener("click", async () => {
    button.disabled = true;
    const [packed, run] = await Promise.all([unpack(page), unpack(seed)]);
    // The report's Chart.js text is inline-safe already (no `</script`).
    const html = packed.replace(
      CHART_JS_SLOT,
      // With V8's compile hint, as `playgroundHtml` puts it.
      () => `<script id="chart-js">${COMPILE_HINT}${chartJs.textContent}</script>`,
    );
    const at = html.indexOf(SCRIPTS_START);
    document.open();
    document.write(
      `${html.slice(0, at)}<script type="application/json" id="seed-run">${run}</script>\n${
        html.slice(at)
      }`,
    );
    document.close();
  });
  root.prepend(el("p", {}, button));
}
