import assert from "node:assert/strict";
import { IGNORE_BROWSER_TESTS, openPage } from "./_chromium.ts";
import { CLI, cliArgs, cliEnv, runCli } from "./_cli.ts";

/** The CLI started with network access to 127.0.0.1 only, its output read as it comes. */
/** Ends a test's CLI (if it still runs), its page and its folder. */
async function cleanUp(
  cli: ReturnType<typeof startCli>,
  page: { close(): Promise<void> },
  cwd: string,
): Promise<void> {
  try {
    cli.child.kill("SIGKILL");
  } catch {
    // Exited already.
  }
  await cli.done;
  await page.close();
  await Deno.remove(cwd, { recursive: true });
}

function startCli(cwd: string, args: string[], options: { path?: string } = {}) {
  const argv = cliArgs(cwd, args);
  argv.splice(argv.indexOf(CLI), 0, "--allow-net=127.0.0.1");
  if (options.path) argv.splice(argv.indexOf(CLI), 0, "--allow-run=xdg-open");
  const env = cliEnv();
  if (options.path) env.PATH = `${options.path}:${env.PATH}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: argv,
    cwd,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "";
  let stderr = "";
  const decoder = new TextDecoder();
  const readAll = async (stream: ReadableStream<Uint8Array>, sink: (s: string) => void) => {
    for await (const chunk of stream) sink(decoder.decode(chunk, { stream: true }));
  };
  const done = Promise.all([
    readAll(child.stdout, (s) => stdout += s),
    readAll(child.stderr, (s) => stderr += s),
  ]).then(() => child.status);
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    /** Resolves with the Live URL once printed (on stdout, or stderr in ndjson mode). */
    async url(where: "stdout" | "stderr" = "stdout"): Promise<string> {
      const end = performance.now() + 60_000;
      while (performance.now() < end) {
        const m = (where === "stdout" ? stdout : stderr).match(
          /^Live: (http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/)$/m,
        );
        if (m) return m[1];
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`No Live line: ${stdout} ${stderr}`);
    },
    done,
  };
}

/** Sends one raw HTTP request and returns the status code. */
async function rawStatus(port: number, path: string, host: string): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(
      new TextEncoder().encode(
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      ),
    );
    const buf = new Uint8Array(256);
    const n = await conn.read(buf);
    const line = new TextDecoder().decode(buf.subarray(0, n ?? 0)).split("\r\n")[0];
    return Number(line.split(" ")[1]);
  } finally {
    conn.close();
  }
}

const STEP_IN_TITLE = `(() => {
  const m = document.title.match(/^denograd: moons - step ([\\d,]+) of 100,000$/);
  return m ? Number(m[1].replaceAll(",", "")) : 0;
})()`;

/** A fingerprint of the boundary canvas's pixels. */
const BOUNDARY_HASH = `(() => {
  const c = document.getElementById("boundary");
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let h = 0;
  for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0;
  return h;
})()`;

Deno.test({
  name: "train --serve streams the run to a page, refuses strangers, and Ctrl-C still saves",
  ignore: IGNORE_BROWSER_TESTS,
  async fn(t) {
    const cwd = await Deno.makeTempDir({ prefix: "denograd_live_" });
    const page = await openPage("about:blank");
    const cli = startCli(cwd, ["train", "--serve", "--steps", "100000", "--out", "run"]);
    try {
      const url = await cli.url();
      const port = Number(new URL(url).port);
      const token = new URL(url).pathname.split("/")[1];

      await t.step("a wrong Host header and paths without the token get 4xx", async () => {
        assert.equal(await rawStatus(port, `/${token}/`, `127.0.0.1:${port}`), 200);
        assert.equal(await rawStatus(port, `/${token}/`, `evil.example:${port}`), 403);
        assert.equal(await rawStatus(port, `/${token}/`, `localhost:${port}`), 403);
        for (
          const path of [
            "/",
            "/events",
            `/${token.slice(0, -1)}${token.endsWith("0") ? "1" : "0"}/`,
            "/favicon.ico",
          ]
        ) {
          const status = await rawStatus(port, path, `127.0.0.1:${port}`);
          assert.ok(status >= 400 && status < 500, `${path}: ${status}`);
        }
      });

      await t.step("the page follows the run: title, curves and boundary", async () => {
        // A phone: the page must fit its width with no sideways scroll and no shrinking.
        await page.page.setViewport({
          width: 390,
          height: 844,
          isMobile: true,
          hasTouch: true,
          deviceScaleFactor: 3,
        });
        await page.page.goto(url, { waitUntil: "load" });
        const first = await page.waitFor<number>(STEP_IN_TITLE, 30_000);
        await page.waitFor(`document.querySelector("#network [data-neuron]")`, 30_000);
        // The charts redraw at most twice a second: wait for their first drawing.
        await page.waitFor(`Chart.getChart("loss-chart").data.datasets[0].data.length > 0`, 30_000);
        const points1 = await page.evaluate<number>(
          `Chart.getChart("loss-chart").data.datasets[0].data.at(-1).x`,
        );
        const hash1 = await page.evaluate<number>(BOUNDARY_HASH);
        await page.waitFor(`${STEP_IN_TITLE} > ${first} + 200`, 30_000);
        await page.waitFor(
          `Chart.getChart("loss-chart").data.datasets[0].data.at(-1).x > ${points1}`,
          30_000,
        );
        await page.waitFor(`${BOUNDARY_HASH} !== ${hash1}`, 30_000);
        assert.match(
          await page.evaluate<string>(`document.getElementById("status").textContent`),
          /^Step [\d,]+ of 100,000$/,
        );
        // One current step: the status's; the timeline, following, names none of its own.
        const shown = await page.evaluate<{ text: string; step: string; label: string }>(`({
          text: document.getElementById("status").textContent,
          step: document.getElementById("status").dataset.step,
          label: document.getElementById("timeline-step").textContent,
        })`);
        assert.equal(shown.text.match(/^Step ([\d,]+)/)![1].replaceAll(",", ""), shown.step);
        assert.doesNotMatch(shown.label, /\d/);
        const width = await page.evaluate<{ scroll: number; inner: number }>(
          `({ scroll: document.documentElement.scrollWidth, inner: innerWidth })`,
        );
        assert.deepEqual(width, { scroll: 390, inner: 390 });
      });

      await t.step("Ctrl-C stops the run, saves it, and the page says where", async () => {
        cli.child.kill("SIGINT");
        const status = await cli.done;
        assert.equal(status.code, 130, cli.stderr);
        assert.match(cli.stderr, /Cancelled at step \d+ of 100000/);
        const html = await Deno.readTextFile(`${cwd}/run/report.html`);
        assert.match(html, /"status":"cancelled"/);
        await page.waitFor(`document.title === "denograd: moons - cancelled"`, 30_000);
        const saved = await page.evaluate<string>(`document.getElementById("saved").textContent`);
        assert.ok(saved.includes(`run/report.html`), saved);
        assert.match(
          await page.evaluate<string>(`document.getElementById("status").textContent`),
          /^Cancelled at step [\d,]+ of 100,000$/,
        );
      });

      await t.step("the page asked only its own server, and logged no errors", () => {
        const foreign = page.requests.filter((r) =>
          r !== "about:blank" && !r.startsWith(url) && !r.startsWith("data:")
        );
        assert.deepEqual(foreign, []);
        assert.ok(page.requests.includes(`${url}events`), page.requests.join(", "));
        assert.deepEqual(page.consoleErrors, []);
      });
    } finally {
      await cleanUp(cli, page, cwd);
    }
  },
});

Deno.test({
  name: "train --serve: a page that opens mid-run sees the end of a completed run",
  ignore: IGNORE_BROWSER_TESTS,
  async fn() {
    const cwd = await Deno.makeTempDir({ prefix: "denograd_live_" });
    const page = await openPage("about:blank");
    const cli = startCli(cwd, [
      "train",
      "--serve",
      "--steps",
      "3000",
      "--format",
      "ndjson",
      "--out",
      "run",
    ]);
    try {
      // In ndjson mode the Live line goes to stderr, and a JSON line to stdout.
      const url = await cli.url("stderr");
      await page.page.goto(url, { waitUntil: "load" });
      const status = await cli.done;
      assert.equal(status.code, 0, cli.stderr);
      const live = JSON.parse(cli.stdout.split("\n")[0]);
      assert.deepEqual(live, { type: "live", url });
      await page.waitFor(`document.title === "denograd: moons - completed"`, 30_000);
      await page.waitFor(`document.querySelector("table.summary")`, 30_000);
      assert.match(
        await page.evaluate<string>(`document.getElementById("status").textContent`),
        /^Completed 3,000 steps$/,
      );
      // The timeline is complete: its last moment is the last step.
      assert.equal(
        await page.evaluate<string>(`document.getElementById("timeline-step").textContent`),
        "After step 3,000 of 3,000 (the end)",
      );
      assert.deepEqual(page.consoleErrors, []);
    } finally {
      await cleanUp(cli, page, cwd);
    }
  },
});

Deno.test({
  name: "train --open opens the link and starts training once the page has drawn itself",
  ignore: IGNORE_BROWSER_TESTS || Deno.build.os !== "linux",
  async fn() {
    const cwd = await Deno.makeTempDir({ prefix: "denograd_live_" });
    // A stand-in for the desktop's xdg-open: it writes down the link it was given.
    await Deno.mkdir(`${cwd}/bin`);
    await Deno.writeTextFile(`${cwd}/bin/xdg-open`, `#!/bin/sh\necho "$1" > ${cwd}/opened\n`);
    await Deno.chmod(`${cwd}/bin/xdg-open`, 0o755);
    const page = await openPage("about:blank");
    const cli = startCli(cwd, ["train", "--open", "--steps", "300", "--out", "run"], {
      path: `${cwd}/bin`,
    });
    try {
      const url = await cli.url();
      let opened = "";
      while (!opened) {
        opened = await Deno.readTextFile(`${cwd}/opened`).catch(() => "");
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(opened.trim(), url);
      // No page yet: training waits (up to 15 s), so no progress is printed.
      await new Promise((r) => setTimeout(r, 1500));
      assert.doesNotMatch(cli.stdout, /step \d+\/300/);
      await page.page.goto(url, { waitUntil: "load" });
      const status = await cli.done;
      assert.equal(status.code, 0, cli.stderr);
      assert.match(cli.stdout, /Trained moons: 300 steps/);
      await page.waitFor(`document.title === "denograd: moons - completed"`, 30_000);
      // The page has every step (the curves keep up to 1000 of them).
      assert.equal(
        await page.evaluate<number>(`Chart.getChart("loss-chart").data.datasets[0].data.length`),
        300,
      );
      assert.deepEqual(page.consoleErrors, []);
    } finally {
      await cleanUp(cli, page, cwd);
    }
  },
});

Deno.test("train --serve without network permission, or with a bad --port, is a usage error", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "denograd_live_" });
  try {
    const denied = await runCli(["train", "--serve", "--steps", "5", "--out", "a"], { cwd });
    assert.equal(denied.code, 2, denied.stderr);
    assert.match(denied.stderr, /--allow-net=127\.0\.0\.1/);
    assert.equal(denied.stderr.trim().split("\n").length, 1, denied.stderr);
    const bad = await runCli(["train", "--port", "http", "--steps", "5", "--out", "b"], { cwd });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /'--port' must be a whole number from 0 to 65535/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
