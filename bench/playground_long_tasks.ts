/**
 * The playground's longest main-thread tasks while it plays (the issue's
 * check: none over 200 ms), in headless Chromium, at desktop and phone
 * sizes, for the default run, a 3-class spiral and a wide network. Pages
 * given as `label=path` are measured in turn, round after round (A, B, A,
 * B...), so that a machine's load weighs on each alike; the medians of each
 * run's longest task are printed last. With no page given, it writes the
 * playground with the CLI and measures that.
 *
 * ```sh
 * deno run -A --no-lock bench/playground_long_tasks.ts --rounds 3 [old=/tmp/old.html new=/tmp/new.html]
 * ```
 *
 * Wall time: on a busy machine (a load above its cores) every task is longer
 * by the time the page's thread waits for a core; say the load with the figures.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { openPage } from "../tests/_chromium.ts";
import { runCli } from "../tests/_cli.ts";

const CASES: Record<string, string> = {
  default: "steps=20000",
  spiral3: "dataset=spiral&classes=3&layers=8,8&steps=20000",
  wide: "dataset=spiral&layers=32,32&steps=20000",
};

const SIZES = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 3 },
};

const status = (key: string) => `document.querySelector("#status").dataset.${key}`;

/** The durations of the page's long tasks from Play to `seconds` later, longest first. */
async function longTasks(url: string, size: keyof typeof SIZES, seconds: number) {
  const page = await openPage("about:blank", { timeoutMs: 120_000 });
  try {
    await page.page.setViewport(SIZES[size]);
    await page.page.goto(url, { waitUntil: "load" });
    await page.waitFor(`${status("step")} === "0" && document.querySelector("#boundary")`, 60_000);
    await page.evaluate(`(() => {
      window.__long = [];
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) window.__long.push([e.startTime, e.duration]);
      }).observe({ type: "longtask", buffered: true });
      window.__play = performance.now();
      document.querySelector("[data-action=play]").click();
    })()`);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const long = await page.evaluate<number[]>(
      `window.__long.filter(([s]) => s >= window.__play).map(([, d]) => Math.round(d))`,
    );
    return { long: long.sort((a, b) => b - a), step: await page.evaluate<string>(status("step")) };
  } finally {
    await page.close();
  }
}

/** `/proc/loadavg`'s last-minute load, or NaN. */
async function load(): Promise<number> {
  try {
    return Number((await Deno.readTextFile("/proc/loadavg")).split(" ")[0]);
  } catch {
    return NaN;
  }
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "3" },
      seconds: { type: "string", default: "10" },
    },
    allowPositionals: true,
  });
  let pages = positionals.map((p) => p.split("=") as [string, string]);
  if (pages.length === 0) {
    const dir = await Deno.makeTempDir({ prefix: "denograd_long_tasks_" });
    const r = await runCli(["playground", "--out", `${dir}/playground.html`], { cwd: dir });
    if (r.code !== 0) throw new Error(r.stderr);
    pages = [["playground", `${dir}/playground.html`]];
  }
  const worst: Record<string, number[]> = {};
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [name, hash] of Object.entries(CASES)) {
      for (const size of Object.keys(SIZES) as (keyof typeof SIZES)[]) {
        for (const [label, path] of pages) {
          const url = `file://${await Deno.realPath(path)}#${hash}`;
          const { long, step } = await longTasks(url, size, Number(values.seconds));
          const key = `${name} ${size} ${label}`;
          (worst[key] ??= []).push(long[0] ?? 0);
          console.log(
            `${key}: longest ${
              long.slice(0, 5).join(", ") || "none"
            } ms (${long.length} over 50 ms, step ${step}, load ${await load()})`,
          );
        }
      }
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  for (const [key, list] of Object.entries(worst)) {
    console.log(`${key}: median of the longest ${median(list)} ms (${list.join(", ")})`);
  }
}
