/**
 * `denograd compare RUN_OR_FOLDER...`: one offline page over many runs (a
 * sweep's folder, run folders, or folders of runs): a sortable, filterable
 * table of the settings that differ and the final, best and test figures,
 * overlaid curves, a pinned baseline, parallel coordinates, a small decision
 * boundary per run and the spread over seeds. Every sweep writes one.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { compileFeatures, Mlp, SETTING_KEYS } from "../mod.ts";
import { gridBounds, gridOver, planeCells, planeModel } from "../workers/grid.ts";
import { EXIT, show, UsageError } from "./_errors.ts";
import { parseFlags } from "./_flags.ts";
import { dirname, makeRunDir, readTextCapped, writeFileAtomic } from "./_fs.ts";
import { loadChartJs } from "./_chart_js.ts";
import { escapeHtml, thin } from "./report.ts";
import { readRunFile } from "./model_file.ts";
import { setUpRun } from "./setup.ts";
import { HISTORY_COLUMNS } from "./history_csv.ts";
import type { CommandIo } from "./train.ts";
import type { ComparePayload, CompareRun } from "./compare_page/data.ts";
import { COMPARE_JS } from "./compare_page/_bundle.ts";
import { inlineScript, pageHead, scriptJson } from "./page_style.ts";

/** The `compare` help text. */
export const COMPARE_HELP = `Compare runs on one offline page.

Usage: denograd compare RUN_OR_FOLDER... [flags]

Each argument is a run folder (with model.json), a sweep folder (with
sweep.json) or a folder of run folders.

Flags:
  --out FILE     the page (default: compare.html in the one sweep folder given,
                 else in a fresh folder under runs/)
  --debug        print stack traces
  -h, --help     show this help

The page: a row per run with the settings that differ and the final, best
and test figures (click a header to sort, filter by a setting), the curves of
the chosen runs with smoothing (the table keeps the raw figures), a pinned
baseline, parallel coordinates, each run's decision boundary and the mean and
spread over seeds. Prints the page's path last.
`;

/** Points per curve on the page. */
export const CURVE_POINTS = 120;

/** Cells per side of a run's boundary thumbnail. */
export const THUMB_SIZE = 24;

function fail(why: string): never {
  throw new UsageError(`Cannot compare as ${why}`);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** The run folders an argument names: itself, a sweep's trials, or the run folders in it. */
async function runFoldersOf(path: string): Promise<string[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    fail(`${show(path)} cannot be read: no folder is there`);
  }
  if (!info.isDirectory) fail(`${show(path)} is not a folder: give run or sweep folders`);
  if (await isFile(`${path}/model.json`)) return [path];
  const base = path.replace(/\/+$/, "");
  const found: string[] = [];
  for await (const entry of Deno.readDir(path)) {
    if (entry.isDirectory && !entry.name.startsWith(".")) {
      if (await isFile(`${base}/${entry.name}/model.json`)) found.push(`${base}/${entry.name}`);
    }
  }
  if (found.length === 0 && !(await isFile(`${path}/sweep.json`))) {
    fail(`${show(path)} holds no run (model.json) and no run folders`);
  }
  return found.sort();
}

/**
 * Reads `history.csv` by its header's names, checked: the columns are those
 * `history_csv.ts` writes, every row has one cell per column, and each
 * cell is a number or empty. `what` names the file in the error's one line.
 */
function historyColumnsOf(text: string, what: string): Record<string, number[]> {
  const [head, ...rows] = text.trimEnd().split("\n");
  const names = head.split(",");
  const known = new Set(HISTORY_COLUMNS.map(([, name]) => name));
  const odd = names.find((n) => !known.has(n));
  if (!names.includes("step") || odd !== undefined) {
    fail(
      `${what} is not a denograd history: ${
        odd === undefined ? "it has no 'step' column" : `its header has ${show(odd.slice(0, 40))}`
      } (expected columns such as step,loss,data_loss,accuracy,lr)`,
    );
  }
  const columns: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  rows.forEach((row, r) => {
    const cells = row.split(",");
    if (cells.length !== names.length) {
      fail(
        `${what} is not a denograd history: line ${
          r + 2
        } has ${cells.length} cells for ${names.length} columns`,
      );
    }
    cells.forEach((cell, i) => {
      const x = cell === "" ? NaN : Number(cell);
      if (Number.isNaN(x) && cell !== "" && cell !== "NaN") {
        fail(
          `${what} is not a denograd history: line ${r + 2} has ${
            show(cell.slice(0, 40))
          } where a number belongs`,
        );
      }
      columns[names[i]].push(x);
    });
  });
  return columns;
}

/** The boundary thumbnail of a run of two inputs, or undefined. */
async function thumbOf(
  config: Record<string, unknown>,
  model: Mlp,
  inputNames: string[],
  planes: Map<string, number[][]>,
): Promise<CompareRun["thumb"]> {
  if (inputNames.length !== 2) return undefined;
  // The plane of the run's data: made again (it is seeded), once per data.
  const key = JSON.stringify(["dataset", "samples", "noise", "classes", "testFraction", "seed"]
    .map((k) => config[k]));
  let points = planes.get(key);
  if (points === undefined) {
    try {
      // The class count is the data's own but for spiral and blobs, where it is a setting.
      const { classes: _classes, ...rest } = config;
      const own = config.dataset === "spiral" || config.dataset === "blobs";
      points = (await setUpRun(own ? config : rest)).points.x;
    } catch {
      return undefined; // A CSV file since moved or changed.
    }
    planes.set(key, points);
  }
  const features = (config.features as string[]).length > 0
    ? compileFeatures(config.features as string[], inputNames)
    : undefined;
  const bounds = gridBounds(points);
  if (config.problem === "regression") {
    // The fitted surface: each cell's prediction over the largest magnitude, from 0 to 255.
    const cells = planeCells(bounds, THUMB_SIZE, features);
    const out = planeModel(model, cells.length).predict(cells);
    let reach = 0;
    for (const v of out) if (Number.isFinite(v)) reach = Math.max(reach, Math.abs(v));
    const bytes = Uint8Array.from(
      out,
      (v) => Number.isFinite(v) ? Math.round((1 + (reach === 0 ? 0 : v / reach)) * 127.5) : 128,
    );
    return { size: THUMB_SIZE, cells: btoa(String.fromCharCode(...bytes)), classes: 0, outputs: 1 };
  }
  const grid = gridOver(model, bounds, THUMB_SIZE, String(config.loss), features);
  const bytes = new Uint8Array(grid.classes.length);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = grid.classes[i] * 16 + Math.round(grid.confidence[i] * 15);
  }
  const outputs = model.nouts.at(-1)!;
  return {
    size: THUMB_SIZE,
    cells: btoa(String.fromCharCode(...bytes)),
    classes: outputs === 1 ? 2 : outputs,
    outputs,
  };
}

/** The smallest and largest of the finite values of `xs` (null when none). */
function extreme(xs: number[] | undefined, pick: "min" | "max"): number | null {
  let out: number | null = null;
  for (const x of xs ?? []) {
    if (Number.isFinite(x) && (out === null || (pick === "min" ? x < out : x > out))) out = x;
  }
  return out;
}

/** Reads one run folder for the page; `href` is its folder as seen from the page. */
async function loadRun(
  dir: string,
  href: string,
  planes: Map<string, number[][]>,
): Promise<CompareRun> {
  const path = `${dir}/model.json`;
  const what = `the run ${show(path)}`;
  const run = await readRunFile(path, "compare", what);
  const config = run.config as unknown as Record<string, unknown>;
  const historyText = await readTextCapped(`${dir}/${run.history}`, 256 * 2 ** 20, {
    verb: "compare",
    what: `the history of ${show(dir)}`,
  });
  const h = historyColumnsOf(historyText, `the history ${show(`${dir}/${run.history}`)}`);
  const regression = run.config.problem === "regression";
  const metric = (regression ? h.r2 : h.accuracy) ?? [];
  const loss = h.data_loss ?? h.loss ?? [];
  const points = thin((h.step ?? []).map((_, i) => i), CURVE_POINTS);
  const round = (x: number) => Number.isFinite(x) ? Number(x.toPrecision(4)) : null;
  const f = run.final;
  let thumb: CompareRun["thumb"];
  if (run.model !== undefined && run.status !== "failed") {
    let model: Mlp | undefined;
    try {
      model = Mlp.fromJSON(run.model);
    } catch (error) {
      fail(`${what} holds a broken model: ${(error as Error).message}`);
    }
    thumb = await thumbOf(config, model, run.inputNames ?? run.featureNames, planes);
  }
  return {
    id: href,
    status: run.status,
    config,
    problem: run.config.problem,
    steps: run.stepsDone,
    wallTimeMs: Math.round(run.wallTimeMs),
    metrics: {
      finalLoss: f?.trainLoss ?? null,
      bestLoss: extreme(loss, "min"),
      finalMetric: (regression ? f?.trainR2 : f?.trainAccuracy) ?? null,
      bestMetric: extreme(metric, "max"),
      testLoss: f?.testLoss ?? null,
      testMetric: (regression ? f?.testR2 : f?.testAccuracy) ?? null,
    },
    curve: {
      step: points.map((i) => h.step[i]),
      loss: points.map((i) => round(loss[i]) as number),
      metric: points.map((i) => round(metric[i]) as number),
    },
    ...(thumb ? { thumb } : {}),
  };
}

/** `to` as a path from the folder `from` (both as given, relative to the working folder). */
function relativeTo(from: string, to: string): string {
  const abs = (p: string) =>
    (p.startsWith("/") ? p : `${Deno.cwd()}/${p}`).split("/").filter((s) => s && s !== ".");
  const norm = (parts: string[]) =>
    parts.reduce<string[]>((a, s) => (s === ".." ? a.slice(0, -1) : [...a, s]), []);
  const a = norm(abs(from));
  const b = norm(abs(to));
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return [...a.slice(k).map(() => ".."), ...b.slice(k)].join("/") || ".";
}

/**
 * Reads run folders for a compare page, each once, as they come: a sweep
 * reads each trial as it ends, while the others train, so that its page is
 * written at once when the last one ends.
 */
export class RunReader {
  #pageDir: string;
  #planes = new Map<string, number[][]>();
  #runs = new Map<string, Promise<CompareRun>>();

  /** A reader for a page in `pageDir`, which links each run's folder from there. */
  constructor(pageDir: string) {
    this.#pageDir = pageDir;
  }

  /** The run in `dir`, read once; a broken run rejects with the error `compare` gives. */
  read(dir: string): Promise<CompareRun> {
    let run = this.#runs.get(dir);
    if (run === undefined) {
      run = loadRun(dir, relativeTo(this.#pageDir, dir), this.#planes);
      // Read ahead: an error waits for the page, which reports it.
      run.catch(() => {});
      this.#runs.set(dir, run);
    }
    return run;
  }
}

/** The page's data from run folders, seen from the page's folder. */
export async function comparePayload(
  dirs: string[],
  pageDir: string,
  reader: RunReader = new RunReader(pageDir),
): Promise<ComparePayload> {
  const all: CompareRun[] = [];
  for (const dir of dirs) all.push(await reader.read(dir));
  const varying = SETTING_KEYS.filter((k) =>
    new Set(all.map((r) => JSON.stringify(r.config[k]))).size > 1
  );
  // The page needs the settings that differ only (the rest is in each run's report).
  const runs = all.map((r) => ({
    ...r,
    config: Object.fromEntries(varying.map((k) => [k, r.config[k]])),
  }));
  const kinds = new Set(runs.map((r) => r.problem));
  const metricName = kinds.size > 1 ? "accuracy / R²" : kinds.has("regression") ? "R²" : "accuracy";
  return { varying, metricName, runs };
}

/** The compare page, offline: Chart.js, the page's code and the data inlined. */
export function renderComparePage(payload: ComparePayload, chartJs: string): string {
  const csp = [
    "default-src 'none'",
    "script-src 'unsafe-inline'",
    "style-src 'unsafe-inline'",
    "img-src data:",
  ];
  return `${
    pageHead({ titleHtml: escapeHtml(`denograd: compare ${payload.runs.length} runs`), csp })
  }<main id="app"><p>Loading ${payload.runs.length} runs…</p></main>
<script type="application/json" id="compare-data">${scriptJson(payload)}</script>
<script>${inlineScript(chartJs)}</script>
<script type="module">${inlineScript(COMPARE_JS)}</script>
</body>
</html>
`;
}

/** Options for {@linkcode writeComparePage}. */
export interface WriteComparePageOptions {
  /**
   * The page's path.
   *
   * @default {`${pageDir}/compare.html`}
   */
  page?: string;
  /** The runs read so far (a sweep reads each trial as it ends). */
  reader?: RunReader;
}

/**
 * Writes the compare page of `dirs` (those that hold a run) into `pageDir`,
 * only when its bytes change: a sweep run again with nothing to do changes
 * no file. Resolves with the page's path.
 */
export async function writeComparePage(
  pageDir: string,
  dirs: string[],
  options: WriteComparePageOptions = {},
): Promise<string> {
  const page = options.page ?? `${pageDir}/compare.html`;
  const present: string[] = [];
  for (const dir of dirs) if (await isFile(`${dir}/model.json`)) present.push(dir);
  const payload = await comparePayload(present, pageDir, options.reader);
  const html = renderComparePage(payload, await loadChartJs());
  let current: string | undefined;
  try {
    current = await Deno.readTextFile(page);
  } catch {
    // Not written yet.
  }
  if (current !== html) await writeFileAtomic(page, html);
  return page;
}

/** Runs `compare` with `args`; resolves with the exit code. */
export async function compareCommand(args: string[], io: CommandIo): Promise<number> {
  const options = {
    out: { type: "string" },
    debug: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  } as const;
  const { tokens } = parseArgs({
    args,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const paths = tokens.filter((t) => t.kind === "positional").map((t) => t.value);
  const flags = args.filter((_, i) =>
    !tokens.some((t) => t.kind === "positional" && t.index === i)
  );
  const { values } = parseFlags("compare", flags, options);
  if (values.help) {
    io.stdout(COMPARE_HELP);
    return EXIT.ok;
  }
  if (paths.length === 0) fail("no run is given: give run folders or sweep folders");
  const dirs: string[] = [];
  for (const path of paths) dirs.push(...await runFoldersOf(path));
  let page = values.out as string | undefined;
  if (page === undefined) {
    const sweep = paths.length === 1 && await isFile(`${paths[0]}/sweep.json`);
    page = `${sweep ? paths[0].replace(/\/+$/, "") : await makeRunDir("compare")}/compare.html`;
  }
  await writeComparePage(dirname(page), dirs, { page });
  io.stdout(`${page}\n`);
  return EXIT.ok;
}
