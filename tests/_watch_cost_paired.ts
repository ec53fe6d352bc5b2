/**
 * Measures what watching costs within one long run, so that the machine's
 * load varies less between the two sides: a page (headless Chromium) is on
 * the live view for `window` ms, then away (about:blank) for as long, over
 * and over; the steps per millisecond of the two kinds of window compare.
 *
 * ```sh
 * deno run -A --no-lock tests/_watch_cost_paired.ts [steps=200000] [window=2000] [windows=16]
 * ```
 *
 * @module
 */
import { openPage } from "./_chromium.ts";
import { CLI, cliArgs, cliEnv } from "./_cli.ts";

const steps = Number(Deno.args[0] ?? 200_000);
const windowMs = Number(Deno.args[1] ?? 2000);
const windows = Number(Deno.args[2] ?? 16);
const cwd = await Deno.makeTempDir({ prefix: "denograd_cost_" });
const page = await openPage("about:blank");
const argv = cliArgs(cwd, [
  "train",
  "--serve",
  "--steps",
  String(steps),
  "--format",
  "ndjson",
  "--out",
  "run",
]);
argv.splice(argv.indexOf(CLI), 0, "--allow-net=127.0.0.1");
const child = new Deno.Command(Deno.execPath(), {
  args: argv,
  cwd,
  env: cliEnv(),
  clearEnv: true,
  stdout: "piped",
  stderr: "null",
}).spawn();
const samples: [number, number][] = [];
let url = "";
const reading = (async () => {
  let buffer = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let i;
    while ((i = buffer.indexOf("\n")) >= 0) {
      const line = JSON.parse(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
      if (line.type === "live") url = line.url;
      if (line.type === "progress") samples.push([performance.now(), line.done]);
    }
  }
})();
while (!url) await new Promise((r) => setTimeout(r, 10));
await new Promise((r) => setTimeout(r, 1000)); // past the start-up
const spans: { on: boolean; from: number; to: number }[] = [];
for (let w = 0; w < windows; w++) {
  const on = w % 2 === 0;
  await page.page.goto(on ? url : "about:blank", { waitUntil: "load" });
  const from = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  spans.push({ on, from, to: performance.now() });
}
child.kill("SIGKILL");
await child.status;
await reading.catch(() => {});
await page.close();
await Deno.remove(cwd, { recursive: true });

function rate(span: { from: number; to: number }): [number, number] {
  const inside = samples.filter(([t]) => t >= span.from && t <= span.to);
  if (inside.length < 2) return [0, 0];
  return [inside.at(-1)![1] - inside[0][1], inside.at(-1)![0] - inside[0][0]];
}
const total = (on: boolean) => {
  let n = 0;
  let ms = 0;
  for (const s of spans.filter((s) => s.on === on)) {
    const [dn, dt] = rate(s);
    n += dn;
    ms += dt;
  }
  return ms / n;
};
const watched = total(true);
const alone = total(false);
console.log(
  `${windows} windows of ${windowMs} ms: page away ${alone.toFixed(4)} ms/step, page open ${
    watched.toFixed(4)
  } ms/step, ratio ${(watched / alone).toFixed(2)}x`,
);
