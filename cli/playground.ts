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
import { playgroundHtml } from "./playground_page.ts";
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

/** Options for {@linkcode renderPlayground}. */
export interface RenderPlaygroundOptions {
  /** The text of Chart.js's UMD bundle, inlined into the page. */
  chartJs: string;
}

/** The playground page: the shell, the page's script and its worker's, all inline. */
export function renderPlayground(options: RenderPlaygroundOptions): string {
  return playgroundHtml({
    js: PLAYGROUND_JS,
    workerJs: PLAYGROUND_WORKER_JS,
    chartJs: options.chartJs,
  });
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
