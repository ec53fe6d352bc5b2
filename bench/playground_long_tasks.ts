/**
 * The playground's longest main-thread tasks while it plays (the issue's
 * check: none over 200 ms), in headless Chromium, at desktop and phone
 * sizes, for the default run, feature crosses, Adam, a 3-class spiral and a
 * wide network. Pages given as `label=path` are measured in turn, round
 * after round (A, B, A, B...), so that a machine's load weighs on each
 * alike; the medians of each run's longest task are printed last. With no
 * page given, it writes the playground with the CLI and measures that.
 *
 * How the run starts (`--modes`, comma-separated):
 * - `play`: Play pressed as soon as `#status` shows step 0 and the boundary is there;
 * - `load`: Play pressed at the page's load event, before the worker has said anything;
 * - `step`: Step pressed five times, 100 ms apart, from step 0.
 *
 * ```sh
 * deno run -A --no-lock bench/playground_long_tasks.ts --rounds 3 [old=/tmp/old.html new=/tmp/new.html]
 * deno run -A --no-lock bench/playground_long_tasks.ts --cases spiral3 --sizes phone --trace /tmp/traces
 * ```
 *
 * With `--trace DIR`, each run writes a Chrome trace there and prints its
 * tasks' CPU time (the page thread's own, which the machine's load changes
 * little) from the press on, the longest first, and what that one spent it
 * on (the trace's events within it).
 *
 * Wall time: on a busy machine (a load above its cores) every task is longer
 * by the time the page's thread waits for a core; say the load with the
 * figures. The page's training worker takes a core of its own while it plays.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { openPage } from "../tests/_chromium.ts";
import { runCli } from "../tests/_cli.ts";

const CASES: Record<string, string> = {
  default: "steps=20000",
  crosses: "features=x1,x2,x1*x2,x1^2&steps=20000",
  adam: "optimizer=adam&steps=20000",
  spiral3: "dataset=spiral&classes=3&layers=8,8&steps=20000",
  wide: "dataset=spiral&layers=32,32&steps=20000",
};

const SIZES = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 3 },
};

const MODES = ["play", "load", "step"] as const;
type Mode = typeof MODES[number];

const status = (key: string) => `document.querySelector("#status").dataset.${key}`;

/** Starts listing the page's long tasks (from now) in `window.__long`. */
const OBSERVE = `(() => {
  window.__long = [];
  window.__play = performance.mark("press").startTime;
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) window.__long.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
})()`;

const press = (action: string) => `document.querySelector("[data-action=${action}]").click()`;

/** A trace event, as Chrome writes them (`tdur`: the thread's CPU time). */
interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/**
 * The page thread's tasks from the press on, in a trace: the longest in CPU
 * time (what the page costs, whatever the machine's load), and what it spent
 * that time on (the trace's events within it, nested, so they overlap).
 */
function cpuTasks(trace: { traceEvents: TraceEvent[] }): { cpu: number[]; longest: string } {
  const events = trace.traceEvents;
  const main = events.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  if (!main) return { cpu: [], longest: "no main thread" };
  const own = events.filter((e) => e.pid === main.pid && e.tid === main.tid);
  const press = own.find((e) => e.name === "press")?.ts ?? 0;
  const tasks = own.filter((e) => e.ph === "X" && e.name === "RunTask" && e.ts >= press)
    .sort((a, b) => (b.tdur ?? 0) - (a.tdur ?? 0));
  const task = tasks[0];
  if (!task) return { cpu: [], longest: "no task" };
  const inside = new Map<string, number>();
  for (const e of own) {
    if (e.ph !== "X" || e === task || e.ts < task.ts || e.ts + e.dur! > task.ts + task.dur!) {
      continue;
    }
    inside.set(e.name, (inside.get(e.name) ?? 0) + (e.tdur ?? 0));
  }
  const ms = (us = 0) => Math.round(us / 1000);
  const top = [...inside].sort((a, b) => b[1] - a[1]).slice(0, 8);
  return {
    cpu: tasks.map((t) => ms(t.tdur)),
    longest: `${ms(task.tdur)} ms of CPU (${ms(task.dur)} ms wall): ${
      top.map(([name, us]) => `${name} ${ms(us)}`).join(", ")
    }`,
  };
}

/** The durations of the page's long tasks from the first press to `seconds` later, longest first. */
async function longTasks(
  url: string,
  size: keyof typeof SIZES,
  mode: Mode,
  seconds: number,
  tracePath?: string,
) {
  const page = await openPage("about:blank", { timeoutMs: 120_000 });
  try {
    await page.page.setViewport(SIZES[size]);
    if (mode === "load") {
      // Observed from the load event, as the first thing the page's scripts see after theirs.
      await page.page.evaluateOnNewDocument(
        `addEventListener("load", () => { ${OBSERVE}; ${press("play")}; })`,
      );
    }
    if (tracePath) await page.page.tracing.start({ path: tracePath });
    await page.page.goto(url, { waitUntil: "load" });
    if (mode !== "load") {
      await page.waitFor(
        `${status("step")} === "0" && document.querySelector("#boundary")`,
        60_000,
      );
      await page.evaluate(`${OBSERVE}; ${press(mode)}`);
      if (mode === "step") {
        for (let i = 1; i < 5; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          await page.evaluate(press("step"));
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const long = await page.evaluate<number[]>(
      `window.__long.filter(([s]) => s >= window.__play).map(([, d]) => Math.round(d))`,
    );
    const step = await page.evaluate<string>(status("step"));
    let trace: ReturnType<typeof cpuTasks> | undefined;
    if (tracePath) {
      await page.page.tracing.stop();
      trace = cpuTasks(JSON.parse(await Deno.readTextFile(tracePath)));
    }
    return { long: long.sort((a, b) => b - a), step, trace };
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

/** The names in a comma-separated `list` that are keys of `all` (all of them when none is given). */
function chosen<T extends string>(list: string | undefined, all: readonly T[], what: string): T[] {
  if (!list) return [...all];
  const names = list.split(",");
  const wrong = names.filter((n) => !all.includes(n as T));
  if (wrong.length > 0) {
    throw new Error(`Cannot measure '${wrong.join(",")}' as ${what} must be among ${all}`);
  }
  return names as T[];
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "3" },
      seconds: { type: "string", default: "10" },
      cases: { type: "string" },
      sizes: { type: "string" },
      modes: { type: "string", default: "play" },
      trace: { type: "string" },
    },
    allowPositionals: true,
  });
  const cases = chosen(values.cases, Object.keys(CASES), "--cases");
  const sizes = chosen(values.sizes, Object.keys(SIZES) as (keyof typeof SIZES)[], "--sizes");
  const modes = chosen(values.modes, MODES, "--modes");
  let pages = positionals.map((p) => p.split("=") as [string, string]);
  if (pages.length === 0) {
    const dir = await Deno.makeTempDir({ prefix: "denograd_long_tasks_" });
    const r = await runCli(["playground", "--out", `${dir}/playground.html`], { cwd: dir });
    if (r.code !== 0) throw new Error(r.stderr);
    pages = [["playground", `${dir}/playground.html`]];
  }
  if (values.trace) await Deno.mkdir(values.trace, { recursive: true });
  const worst: Record<string, number[]> = {};
  const worstCpu: Record<string, number[]> = {};
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const name of cases) {
      for (const size of sizes) {
        for (const mode of modes) {
          for (const [label, path] of pages) {
            const url = `file://${await Deno.realPath(path)}#${CASES[name]}`;
            const key = `${name} ${size} ${mode} ${label}`;
            const tracePath = values.trace
              ? `${values.trace}/${key.replaceAll(" ", "_")}_${round}.json`
              : undefined;
            const before = await load();
            const { long, step, trace } = await longTasks(
              url,
              size,
              mode,
              Number(values.seconds),
              tracePath,
            );
            (worst[key] ??= []).push(long[0] ?? 0);
            if (trace) (worstCpu[key] ??= []).push(trace.cpu[0] ?? 0);
            console.log(
              `${key}: longest ${
                long.slice(0, 5).join(", ") || "none"
              } ms (${long.length} over 50 ms, step ${step}, load ${before}-${await load()})${
                trace
                  ? `\n  CPU: longest ${trace.cpu.slice(0, 5).join(", ")} ms; ${trace.longest}`
                  : ""
              }`,
            );
          }
        }
      }
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  for (const [key, list] of Object.entries(worst)) {
    const cpu = worstCpu[key];
    console.log(
      `${key}: median of the longest ${median(list)} ms (${list.join(", ")})${
        cpu ? `; of CPU ${median(cpu)} ms (${cpu.join(", ")})` : ""
      }`,
    );
  }
}
