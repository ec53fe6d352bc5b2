/**
 * The playground's page around its scripts, and the packing of pages that a
 * report carries for its "Open in playground" button (gzip, in base64). No
 * bundle is imported here: `cli/page/build.ts` packs the playground from the
 * bundles it has just built (`cli/page/_playground_packed.ts`), so no run
 * gzips it again.
 *
 * @module
 */
import { inlineScript, pageHead, scriptJson, STYLE } from "./page_style.ts";

/** The playground's own styles, over the report's. */
const PLAYGROUND_STYLE = `
#playground { max-width: 1480px; margin: 0 auto; padding: 12px 16px 40px; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; }
.bar h1 { margin: 0; }
.buttons { display: flex; flex-wrap: wrap; gap: 6px; }
button { font: inherit; padding: 4px 12px; border-radius: 6px; border: 1px solid var(--line);
  background: var(--card); color: inherit; cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
#status { font-variant-numeric: tabular-nums; font-weight: 600; }
.error { color: var(--bad); min-height: 1.2em; margin: 6px 0; overflow-wrap: anywhere; }
.layout { display: grid; grid-template-columns: 320px minmax(0, 1fr); gap: 16px; align-items: start; }
@media (max-width: 900px) { .layout { grid-template-columns: minmax(0, 1fr); } }
.side { display: flex; flex-direction: column; gap: 12px; min-width: 0; }
.controls-panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px;
  display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 8px 10px; }
.control { display: flex; flex-direction: column; gap: 2px; min-width: 0; }
.control.ints, .control.texts, .control[data-scope="data"]:first-child { grid-column: 1 / -1; }
.control label { font-size: 12px; color: var(--muted); }
.control input, .control select { font: inherit; width: 100%; min-width: 0; padding: 3px 6px;
  border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: inherit; }
.control input:disabled { opacity: .5; cursor: not-allowed; }
.thumbs { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 4px; }
.thumb { padding: 1px; line-height: 0; }
.sizes, .crosses { display: flex; flex-wrap: wrap; gap: 4px 8px; margin-top: 4px; align-items: center; }
.chip { display: inline-flex; align-items: center; gap: 4px; }
.chip button, .sizes > button { padding: 0 8px; }
.cross { font-size: 12px; display: inline-flex; gap: 3px; align-items: center; }
.own input[type=number] { width: 5em; }
.drop { display: block; border: 1px dashed var(--line); border-radius: 6px; padding: 8px;
  overflow-wrap: anywhere; }
.drop input { max-width: 100%; }
code.command { display: block; white-space: pre-wrap; overflow-wrap: anywhere; }
.main { min-width: 0; overflow-x: auto; }
#app main { padding: 0; }
`;

/**
 * V8's explicit compile hint, put before Chart.js's text: its functions are
 * compiled as the page loads, not as the first charts of a run call them (in
 * the tasks of a Play pressed at once).
 */
export const COMPILE_HINT = "//# allFunctionsCalledOnLoad\n";

/** The scripts of {@linkcode playgroundHtml}. */
export interface PlaygroundScripts {
  /** The page's script, bundled (`PLAYGROUND_JS`). */
  js: string;
  /** Its training worker's, bundled (`PLAYGROUND_WORKER_JS`). */
  workerJs: string;
  /**
   * The text of Chart.js's UMD bundle, inlined into `<script id="chart-js">`;
   * empty in the page a report carries, which the report's own fills in.
   */
  chartJs: string;
}

/** The playground page: the shell and its scripts, all inline. */
export function playgroundHtml(scripts: PlaygroundScripts): string {
  const csp = [
    "default-src 'none'",
    "script-src 'unsafe-inline' 'wasm-unsafe-eval' blob:",
    "worker-src blob:",
    "style-src 'unsafe-inline'",
    "img-src data: blob:",
  ];
  return `${
    pageHead({ titleHtml: "denograd playground", csp, style: STYLE + PLAYGROUND_STYLE })
  }<main id="playground"></main>
<script type="text/plain" id="worker-js">${inlineScript(scripts.workerJs)}</script>
<script id="chart-js">${
    scripts.chartJs && `${COMPILE_HINT}${inlineScript(scripts.chartJs)}`
  }</script>
<script type="module">${inlineScript(scripts.js)}</script>
</body>
</html>
`;
}

/** `text` gzipped, in base64. */
export async function gzBase64(text: string): Promise<string> {
  const gz = new Uint8Array(
    await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip")))
      .arrayBuffer(),
  );
  let out = "";
  for (let i = 0; i < gz.length; i += 0x8000) {
    out += String.fromCharCode(...gz.subarray(i, i + 0x8000));
  }
  return btoa(out);
}

/** A run for the playground to start from: its settings, model, optimizer and history. */
export interface PlaygroundSeed {
  /** The run's settings, as `model.json`'s `config`. */
  given: Record<string, unknown>;
  /** The model, as `Mlp.toJSON()` gives it. */
  model: unknown;
  /** The optimizer's state. */
  optimizer: unknown;
  /** Every step's metrics. */
  history: unknown[];
}

/**
 * The text of the playground's `#seed-run` script for `seed`, gzipped, in
 * base64: what a report carries beside the packed page
 * (`cli/page/open_playground.ts` puts it in).
 */
export function packedSeed(seed: PlaygroundSeed): Promise<string> {
  return gzBase64(scriptJson(seed));
}
