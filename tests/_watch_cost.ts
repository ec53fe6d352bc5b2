/**
 * Measures what watching costs: the CLI's time per step with `--open` (a
 * page open in headless Chromium, which a stand-in `xdg-open` hands the link
 * to) against a plain run, alternating runs.
 *
 * ```sh
 * deno run -A --no-lock tests/_watch_cost.ts [steps=100] [repeats=5]
 * ```
 *
 * @module
 */
import { openPage } from "./_chromium.ts";
import { CLI, cliArgs, cliEnv } from "./_cli.ts";

const steps = Number(Deno.args[0] ?? 100);
const repeats = Number(Deno.args[1] ?? 5);
const cwd = await Deno.makeTempDir({ prefix: "denograd_cost_" });
const page = await openPage("about:blank");
// A stand-in for the desktop's xdg-open: it writes the link where this script reads it.
await Deno.mkdir(`${cwd}/bin`);
await Deno.writeTextFile(`${cwd}/bin/xdg-open`, `#!/bin/sh\necho "$1" > ${cwd}/opened\n`);
await Deno.chmod(`${cwd}/bin/xdg-open`, 0o755);

async function run(serve: boolean, i: number): Promise<number> {
  const argv = cliArgs(cwd, [
    "train",
    "--steps",
    String(steps),
    "--format",
    "ndjson",
    "--out",
    `r${i}${serve ? "s" : "p"}`,
    ...(serve ? ["--open"] : []),
  ]);
  if (serve) argv.splice(argv.indexOf(CLI), 0, "--allow-net=127.0.0.1", "--allow-run=xdg-open");
  const env = cliEnv();
  env.PATH = `${cwd}/bin:${env.PATH}`;
  await Deno.remove(`${cwd}/opened`).catch(() => {});
  const child = new Deno.Command(Deno.execPath(), {
    args: argv,
    cwd,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  let out = "";
  const reading = (async () => {
    for await (const chunk of child.stdout) out += decoder.decode(chunk, { stream: true });
  })();
  const errs = (async () => {
    for await (const _ of child.stderr) { /* drain */ }
  })();
  if (serve) {
    let url = "";
    while (!url) {
      url = await Deno.readTextFile(`${cwd}/opened`).catch(() => "");
      await new Promise((r) => setTimeout(r, 5));
    }
    await page.page.goto(url.trim(), { waitUntil: "domcontentloaded" }).catch(() => {});
  }
  await child.status;
  await reading;
  await errs;
  const end = JSON.parse(out.trim().split("\n").at(-1)!);
  return end.wallTimeMs / end.stepsDone;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs: number[]) => Math.min(...xs);
const plain: number[] = [];
const served: number[] = [];
try {
  for (let i = 0; i < repeats; i++) {
    plain.push(await run(false, i));
    served.push(await run(true, i));
  }
} finally {
  await page.close();
  await Deno.remove(cwd, { recursive: true });
}
console.log(
  `${steps} steps, ${repeats} runs each: plain ${median(plain).toFixed(3)} ms/step, ` +
    `--open (a page open) ${median(served).toFixed(3)} ms/step, ratio ${
      (median(served) / median(plain)).toFixed(2)
    }x`,
);
console.log(
  `fastest runs: plain ${min(plain).toFixed(3)}, --open ${min(served).toFixed(3)} ms/step, ratio ${
    (min(served) / min(plain)).toFixed(2)
  }x`,
);
console.log(`plain: ${plain.map((x) => x.toFixed(3)).join(" ")}`);
console.log(`serve: ${served.map((x) => x.toFixed(3)).join(" ")}`);
