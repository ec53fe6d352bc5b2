import assert from "node:assert/strict";
import { chromiumPath, IGNORE_BROWSER_TESTS, openPage } from "./_chromium.ts";
import { serveDirectory } from "./_serve.ts";

const PAGE = `<!doctype html>
<link rel="icon" href="data:,">
<title>driver</title>
<script>
  window.answer = 40 + 2;
  console.error("boom from the page");
  fetch("./missing.json").catch(() => {});
  const worker = new Worker("./worker.js");
  worker.onmessage = (event) => { window.fromWorker = event.data; };
</script>`;

const WORKER = `console.error("boom from the worker"); postMessage("hello");`;

Deno.test({
  name: "chromiumPath() finds Chromium (apt-get install chromium)",
  ignore: IGNORE_BROWSER_TESTS,
}, () => {
  assert.notEqual(chromiumPath(), null, "Chromium is missing: run `apt-get install chromium`");
});

Deno.test({
  name: "openPage() evaluates, collects console errors and requests, and cleans up",
  ignore: IGNORE_BROWSER_TESTS,
}, async (t) => {
  const server = serveDirectory("/nonexistent", {
    files: { "/index.html": PAGE, "/worker.js": WORKER },
  });
  const page = await openPage(`${server.url}index.html`);
  try {
    await t.step("evaluate() returns values and awaits promises", async () => {
      assert.equal(await page.evaluate<number>("window.answer"), 42);
      assert.deepEqual(await page.evaluate("Promise.resolve({ a: [1, 2] })"), { a: [1, 2] });
    });

    await t.step("evaluate() rejects with the page's exception", async () => {
      await assert.rejects(page.evaluate("null.x"), /TypeError/);
    });

    await t.step("waitFor() resolves once the worker has answered", async () => {
      assert.equal(await page.waitFor<string>("window.fromWorker", 10_000), "hello");
    });

    await t.step("waitFor() throws after its timeout", async () => {
      await assert.rejects(page.waitFor("window.never", 200), /Waited 200 ms/);
    });

    await t.step(
      "console errors from the page, uncaught exceptions and the worker are kept",
      async () => {
        await page.evaluate("setTimeout(() => { throw new Error('thrown later'); }); 0");
        await page.waitFor(`new Promise((r) => setTimeout(() => r(true), 100))`);
        const errors = page.consoleErrors.join("\n");
        assert.match(errors, /boom from the page/);
        assert.match(errors, /boom from the worker/);
        assert.match(errors, /thrown later/);
        assert.match(errors, /404/);
      },
    );

    await t.step("requests lists every URL the page and its worker asked for", () => {
      assert.ok(page.requests.includes(`${server.url}index.html`), page.requests.join(", "));
      assert.ok(page.requests.includes(`${server.url}worker.js`), page.requests.join(", "));
      assert.ok(page.requests.includes(`${server.url}missing.json`), page.requests.join(", "));
    });

    await t.step("screenshot() writes a PNG", async () => {
      const path = await Deno.makeTempFile({ suffix: ".png" });
      try {
        await page.screenshot(path);
        const bytes = await Deno.readFile(path);
        assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
      } finally {
        await Deno.remove(path);
      }
    });
  } finally {
    await page.close();
    await server.close();
  }
});

/** The profiles in `parent`, a folder of the test's own, so that other processes' browsers do not count. */
async function profiles(parent: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(parent)) names.push(entry.name);
  return names.sort();
}

Deno.test({
  name: "openPage() works with await using and removes its profile on leaving",
  ignore: IGNORE_BROWSER_TESTS,
}, async () => {
  const parent = await Deno.makeTempDir({ prefix: "denograd_profiles_" });
  try {
    {
      await using page = await openPage("data:text/html,<title>t</title><p>hi</p>", {
        profileParent: parent,
      });
      assert.equal(await page.evaluate<string>("document.querySelector('p').textContent"), "hi");
      assert.equal((await profiles(parent)).length, 1);
    }
    assert.deepEqual(await profiles(parent), []);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test({
  name: "openPage() rejects a page that cannot load and removes its profile",
  ignore: IGNORE_BROWSER_TESTS,
}, async () => {
  const parent = await Deno.makeTempDir({ prefix: "denograd_profiles_" });
  try {
    const server = serveDirectory("/nonexistent");
    const port = new URL(server.url).port;
    await server.close();
    await assert.rejects(
      openPage(`http://127.0.0.1:${port}/gone.html`, { profileParent: parent }),
      /Cannot open/,
    );
    assert.deepEqual(await profiles(parent), []);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
