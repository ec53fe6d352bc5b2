/**
 * A run owns its folder: a second run into an `--out` folder that a run is
 * still writing to is refused (never a silent replacement), and a run
 * folder under `runs/` appears only with its files, even when the run is
 * killed or quit.
 */
import assert from "node:assert/strict";
import { cliArgs, cliEnv, listFiles, runCli } from "./_cli.ts";
import { assertRefused, exists } from "./_trust.ts";

/** Starts `train` with `args` in `cwd`; resolves once it has printed its first step. */
async function startLong(cwd: string, args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: cliArgs(cwd, ["train", "--steps", "1000000", "--format", "ndjson", ...args]),
    cwd,
    env: cliEnv(),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "";
  let stderr = "";
  const decoder = new TextDecoder();
  const read = async (stream: ReadableStream<Uint8Array>, sink: (s: string) => void) => {
    for await (const chunk of stream) sink(decoder.decode(chunk, { stream: true }));
  };
  const done = Promise.all([
    read(child.stdout, (s) => stdout += s),
    read(child.stderr, (s) => stderr += s),
  ]).then(() => child.status);
  const end = performance.now() + 60_000;
  while (!stdout.includes(`"type":"progress"`)) {
    if (performance.now() > end) throw new Error(`No progress: ${stdout} ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    child,
    done,
    get stderr() {
      return stderr;
    },
  };
}

async function inTempDir(fn: (cwd: string) => Promise<void>): Promise<void> {
  const cwd = await Deno.makeTempDir({ prefix: "denograd_trust_out_" });
  try {
    await fn(cwd);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

Deno.test({
  name: "a second run into an --out folder in use is refused, with or without --force",
  ignore: Deno.build.os === "windows",
  async fn() {
    await inTempDir(async (cwd) => {
      const a = await startLong(cwd, ["--out", "x"]);
      try {
        for (const extra of [[], ["--force"], ["--dataset", "xor"]]) {
          const b = await runCli(["train", "--steps", "5", "--out", "x", ...extra], { cwd });
          assertRefused(b, /^Cannot train as '--out' "x" is in use by another run/);
        }
        // The same folder by another spelling is the same folder.
        const b = await runCli(["train", "--steps", "5", "--out", "./x/"], { cwd });
        assertRefused(b, /is in use by another run/);
        assert.deepEqual(listFiles(`${cwd}/x`), [], "nothing of B's was written");
      } finally {
        a.child.kill("SIGTERM");
      }
      assert.equal((await a.done).code, 143, a.stderr);
      // A's run is whole, and B never replaced it.
      const model = JSON.parse(await Deno.readTextFile(`${cwd}/x/model.json`));
      assert.equal(model.status, "cancelled");
      assert.equal(model.config.dataset, "moons");
      // Once A is done, the folder holds a run: --force may replace it.
      const c = await runCli(["train", "--steps", "5", "--out", "x", "--force"], { cwd });
      assert.equal(c.code, 0, c.stderr);
      assert.equal(JSON.parse(await Deno.readTextFile(`${cwd}/x/model.json`)).stepsDone, 5);
    });
  },
});

Deno.test({
  name: "a run killed by SIGKILL leaves no folder; its --out is usable at once",
  ignore: Deno.build.os === "windows",
  async fn() {
    await inTempDir(async (cwd) => {
      const a = await startLong(cwd, []);
      a.child.kill("SIGKILL");
      await a.done;
      const runs = exists(`${cwd}/runs`) ? listFiles(`${cwd}/runs`) : [];
      assert.deepEqual(runs, [], "no run folder, empty or not");
      // An --out folder of a killed run holds no lock: the next run goes ahead.
      const b = await startLong(cwd, ["--out", "y"]);
      b.child.kill("SIGKILL");
      await b.done;
      const c = await runCli(["train", "--steps", "5", "--out", "y"], { cwd });
      assert.equal(c.code, 0, c.stderr);
      assert.deepEqual(listFiles(`${cwd}/y`), ["history.csv", "model.json", "report.html"]);
    });
  },
});

Deno.test({
  name: "SIGQUIT stops a run like SIGTERM: its files are written, marked cancelled, exit 131",
  ignore: Deno.build.os === "windows",
  async fn() {
    await inTempDir(async (cwd) => {
      const a = await startLong(cwd, []);
      a.child.kill("SIGQUIT");
      const status = await a.done;
      assert.equal(status.code, 131, a.stderr);
      assert.match(a.stderr, /^Cancelled at step \d+ of 1000000 \(SIGQUIT\)$/m);
      assert.doesNotMatch(a.stderr, /^\s+at |Error/m);
      const [dir, ...more] = listFiles(`${cwd}/runs`).filter((f) => !f.includes("/"));
      assert.deepEqual(more, []);
      assert.match(dir, /^\d{8}-\d{6}-moons$/);
      const model = JSON.parse(await Deno.readTextFile(`${cwd}/runs/${dir}/model.json`));
      assert.equal(model.status, "cancelled");
      assert.ok(exists(`${cwd}/runs/${dir}/report.html`));
    });
  },
});

Deno.test("a refused run leaves no folder behind", async () => {
  await inTempDir(async (cwd) => {
    const bad = await runCli(["train", "--steps", "0"], { cwd });
    assertRefused(bad, /'--steps'/);
    const out = await runCli(["train", "--steps", "0", "--out", "z"], { cwd });
    assertRefused(out, /'--steps'/);
    assert.ok(!exists(`${cwd}/z`));
    assert.ok(!exists(`${cwd}/runs`) || listFiles(`${cwd}/runs`).length === 0);
  });
});
