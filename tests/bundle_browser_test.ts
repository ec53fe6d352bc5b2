import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { chromiumPath, IGNORE_BROWSER_TESTS, openPage } from "./_chromium.ts";
import { serveDirectory } from "./_serve.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BUNDLE = `${ROOT}dist/denograd.js`;

/** Runs `deno task bundle` in the repository, as a user would. */
async function bundle(): Promise<void> {
  const env: Record<string, string> = { ...Deno.env.toObject(), NO_COLOR: "1" };
  delete env.RUST_BACKTRACE;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "bundle"],
    cwd: ROOT,
    env,
    clearEnv: true,
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
}

Deno.test("deno task bundle writes one self-contained ES module of the library", async () => {
  await bundle();
  const source = await Deno.readTextFile(BUNDLE);
  assert.doesNotMatch(source, /^\s*import[\s{*]/m, "the bundle still imports other modules");
  assert.doesNotMatch(source, /\bimport\(/, "the bundle imports dynamically");
  const exported = source.match(/^export \{([^}]*)\}/m)?.[1].split(",").map((s) => s.trim());
  for (const name of ["Value", "Mlp", "trainSteps", "makeXor", "Adam", "parseCsv"]) {
    assert.ok(exported?.includes(name), `the bundle does not export ${name}`);
  }
});

Deno.test({
  name: "the bundle trains XOR in a browser page and in a module Web Worker",
  ignore: IGNORE_BROWSER_TESTS,
}, async (t) => {
  assert.notEqual(chromiumPath(), null, "Chromium is missing: run `apt-get install chromium`");
  await bundle();
  const server = serveDirectory(ROOT);
  const page = await openPage(`${server.url}examples/browser/index.html`);
  try {
    const results: Record<string, { losses: number[]; accuracy: number }> = {};
    for (const where of ["page", "worker"]) {
      await t.step(`in the ${where}: 150 losses that fall, then 100% accuracy`, async () => {
        const selector = `document.getElementById("${where}-result").dataset`;
        const accuracy = await page.waitFor<string>(`${selector}.accuracy`, 60_000);
        const losses = JSON.parse(await page.evaluate<string>(`${selector}.losses`));
        results[where] = { losses, accuracy: Number(accuracy) };
        assert.equal(losses.length, 150);
        assert.ok(losses.every(Number.isFinite));
        assert.ok(losses.at(-1) < losses[0] / 10, `losses ${losses[0]} -> ${losses.at(-1)}`);
        assert.equal(Number(accuracy), 1);
      });
    }

    await t.step("page and worker give the same losses (same seeds)", () => {
      assert.deepEqual(results.worker.losses, results.page.losses);
    });

    await t.step("no console errors, and nothing fetched but the example and the bundle", () => {
      assert.deepEqual(page.consoleErrors, []);
      const paths = [...new Set(page.requests.map((url) => new URL(url).pathname))].sort();
      assert.deepEqual(paths, [
        "/dist/denograd.js",
        "/examples/browser/index.html",
        "/examples/browser/train_xor.js",
        "/examples/browser/worker.js",
      ]);
    });
  } finally {
    await page.close();
    await server.close();
  }
});
