/**
 * `denograd playground`: writes the playground, one self-contained HTML page
 * (the view, the library and Chart.js inlined; no request at all, so it
 * works from `file://`) in which every setting is a control and training
 * runs in a Web Worker, exact to `deno task train`. Prints the page's path
 * as the last line; `--open` opens it.
 *
 * @module
 */
import { EXIT } from "./_errors.ts";
import { parseFlags } from "./_flags.ts";
import { ensureDir, makeRunDir, writeFileAtomic } from "./_fs.ts";
import { loadChartJs } from "./_chart_js.ts";
import { openBrowser } from "./_live.ts";
import { STYLE } from "./page_style.ts";
import { PLAYGROUND_JS, PLAYGROUND_WORKER_JS } from "./page/_playground_bundle.ts";
import type { CommandIo } from "./train.ts";

/** The `playground` help text. */
export const PLAYGROUND_HELP =
  `Write the playground: one HTML page to change, train and see a model.

Usage: denograd playground [--out FILE] [--open]

Flags:
  --out FILE   where to write it (default runs/<date>-<time>-playground/playground.html)
  --open       open it in the default browser

Every setting of 'train' is a control; the page's address holds them
(#dataset=spiral&layers=8,8&lr=0.02), training runs in the page, and the same
settings give the same losses as 'train', bit for bit.
`;

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

/** Options for {@linkcode renderPlayground}. */
export interface RenderPlaygroundOptions {
  /** The text of Chart.js's UMD bundle, inlined into the page. */
  chartJs: string;
}

/** The playground page: the shell, the page's script and its worker's, all inline. */
export function renderPlayground(options: RenderPlaygroundOptions): string {
  const csp = [
    "default-src 'none'",
    "script-src 'unsafe-inline' 'wasm-unsafe-eval' blob:",
    "worker-src blob:",
    "style-src 'unsafe-inline'",
    "img-src data: blob:",
  ].join("; ");
  const inline = (js: string) => js.replace(/<\/(script)/gi, "<\\/$1");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="icon" href="data:,">
<title>denograd playground</title>
<style>${STYLE}${PLAYGROUND_STYLE}</style>
</head>
<body>
<main id="playground"></main>
<script type="text/plain" id="worker-js">${inline(PLAYGROUND_WORKER_JS)}</script>
<script>${inline(options.chartJs)}</script>
<script type="module">${inline(PLAYGROUND_JS)}</script>
</body>
</html>
`;
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

/** Runs `playground` with `args`; resolves with the exit code. */
export async function playgroundCommand(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags("playground", args, {
    out: { type: "string" },
    open: { type: "boolean" },
    debug: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(PLAYGROUND_HELP);
    return EXIT.ok;
  }
  let out: string;
  if (typeof values.out === "string") {
    out = values.out;
    if (out.includes("/")) await ensureDir(out.slice(0, out.lastIndexOf("/")));
  } else {
    out = `${await makeRunDir("playground")}/playground.html`;
  }
  await writeFileAtomic(out, renderPlayground({ chartJs: await loadChartJs() }));
  if (values.open) {
    const why = await openBrowser(new URL(out, `file://${Deno.cwd()}/`).href);
    if (why) io.stderr(`Cannot open the page: ${why}\n`);
  }
  io.stdout(`${out}\n`);
  return EXIT.ok;
}
