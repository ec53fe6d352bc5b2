/**
 * Makes the README's pictures: the default, spiral and 4-feature reports and
 * the live page mid-run, in headless Chromium, into `.github/`.
 *
 * ```sh
 * deno run -A --no-lock tests/_screenshots.ts
 * ```
 *
 * @module
 */
import { openPage } from "./_chromium.ts";
import { CLI, cliArgs, cliEnv, ROOT } from "./_cli.ts";

const cwd = await Deno.makeTempDir({ prefix: "denograd_shots_" });
const out = `${ROOT}/.github`;

async function train(dir: string, args: string[]): Promise<string> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: cliArgs(cwd, ["train", ...args, "--out", dir, "--quiet"]),
    cwd,
    env: cliEnv(),
    clearEnv: true,
  }).output();
  if (!r.success) throw new Error(new TextDecoder().decode(r.stderr));
  return `file://${cwd}/${dir}/report.html`;
}

async function shoot(url: string, file: string, height: number): Promise<void> {
  const page = await openPage(url, { viewport: { width: 1240, height } });
  try {
    await page.waitFor(`document.querySelector("table.summary")`);
    await new Promise((r) => setTimeout(r, 300));
    await page.screenshot(`${out}/${file}`);
  } finally {
    await page.close();
  }
}

/** A CSV of 4 named features and 3 classes: which of the first three is largest. */
function fourFeatures(): string {
  const lines = ["petal,sepal,stem,leaf,kind"];
  let s = 11;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < 150; i++) {
    const x = [rand(), rand(), rand(), rand()];
    const k = x.slice(0, 3).indexOf(Math.max(...x.slice(0, 3)));
    lines.push([...x.map((v) => v.toFixed(3)), ["rose", "tulip", "iris"][k]].join(","));
  }
  return lines.join("\n") + "\n";
}

try {
  await shoot(await train("moons", ["--test-fraction", "0.2"]), "report.png", 1300);
  await shoot(
    await train("spiral", [
      "--dataset",
      "spiral",
      "--layers",
      "32,32",
      "--optimizer",
      "adam",
      "--lr",
      "0.02",
      "--steps",
      "300",
    ]),
    "report_spiral.png",
    1300,
  );
  await Deno.writeTextFile(`${cwd}/flowers.csv`, fourFeatures());
  await shoot(
    await train("four", [
      "--dataset",
      "flowers.csv",
      "--test-fraction",
      "0.2",
      "--optimizer",
      "adam",
      "--lr",
      "0.02",
      "--steps",
      "400",
    ]),
    "report_4_features.png",
    1300,
  );

  // The live page, mid-run.
  const argv = cliArgs(cwd, ["train", "--serve", "--steps", "20000", "--out", "live"]);
  argv.splice(argv.indexOf(CLI), 0, "--allow-net=127.0.0.1");
  const child = new Deno.Command(Deno.execPath(), {
    args: argv,
    cwd,
    env: cliEnv(),
    clearEnv: true,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/Live: (\S+)/.test(text)) text += (await reader.read()).value ?? "";
  const url = text.match(/Live: (\S+)/)![1];
  const page = await openPage(url, { viewport: { width: 1240, height: 1250 } });
  try {
    await page.waitFor(
      `(document.title.match(/step ([\\d,]+)/) || [])[1]?.replaceAll(",", "") > 1500`,
    );
    await page.waitFor(`document.querySelector("#network [data-neuron]")`);
    await new Promise((r) => setTimeout(r, 1200));
    await page.screenshot(`${out}/live.png`);
  } finally {
    await page.close();
    child.kill("SIGKILL");
    await child.status;
    reader.releaseLock();
  }
} finally {
  await Deno.remove(cwd, { recursive: true });
}
