/**
 * Subprocess tests of issue 9 ("Trust"): hostile inputs, limits, signals,
 * output folders and faults each end with one line and the right exit code,
 * and the run's files are written whole or not at all. Every CLI runs under
 * a V8 heap cap (tests/_cli.ts), so a memory regression fails here instead
 * of taking the machine down.
 */
import assert from "node:assert/strict";
import {
  CLI,
  cliArgs,
  cliEnv,
  type CliResult,
  inTempDir,
  lines,
  listFiles,
  ROOT,
  runCli,
  signalRun,
} from "./_cli.ts";
import { serveDirectory } from "./_serve.ts";

/** Asserts exit code 2, one line on stderr matching `pattern`, nothing on stdout. */
function assertUsage(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.equal(r.stdout, "");
  // deno-lint-ignore no-control-regex
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(r.stderr), "no raw control bytes");
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(Deno.readTextFileSync(path));
}

const LINUX = Deno.build.os === "linux";

Deno.test({
  name: "endless or huge inputs end with exit 2 and one line, within a small heap",
  ignore: !LINUX,
  fn: async () => {
    await inTempDir(async (cwd) => {
      await Deno.writeTextFile(`${cwd}/zero.json`, JSON.stringify({ dataset: "/dev/zero" }));
      // A 200 MiB-sized sparse file: refused by its size before it is read.
      const big = await Deno.open(`${cwd}/big.csv`, { write: true, create: true });
      await big.truncate(200 * 1024 * 1024);
      big.close();
      const deno = { memoryMb: 200 };
      const [dataset, config, named, input, sparse] = await Promise.all([
        runCli(["train", "--dataset", "/dev/zero"], { cwd, deno }),
        runCli(["train", "--config", "/dev/zero"], { cwd, deno }),
        runCli(["train", "--config", "zero.json"], { cwd, deno }),
        runCli(["predict", "--model", "zero.json", "--input", "/dev/zero"], { cwd, deno }),
        runCli(["train", "--dataset", "big.csv"], { cwd, deno }),
      ]);
      assertUsage(dataset, /^Cannot train as the CSV file "\/dev\/zero" is not a UTF-8 text file/);
      assertUsage(config, /^Cannot train as '--config' "\/dev\/zero" is not a UTF-8 text file/);
      assertUsage(named, /^Cannot train as the CSV file "\/dev\/zero" is not a UTF-8 text file/);
      // predict reads its model first: not a model file.
      assertUsage(input, /^Cannot predict as '--model' "zero\.json" is not a denograd model file/);
      assertUsage(sparse, /^Cannot train as the CSV file "big\.csv" is larger than the 64 MiB/);
      assert.deepEqual(listFiles(cwd), ["big.csv", "zero.json"], "no run folder");
      // An endless stream of good points on stdin stops at the cap.
      const m = await runCli(["train", "--steps", "1", "--out", "m", "--quiet"], { cwd });
      assert.equal(m.code, 0, m.stderr);
      const args = cliArgs(cwd, ["predict", "--model", "m/model.json"], deno);
      const quoted = [Deno.execPath(), ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`);
      const child = await new Deno.Command("sh", {
        args: ["-c", `yes 0.5,1 | ${quoted.join(" ")}`],
        cwd,
        env: cliEnv(),
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const endless = {
        code: child.code,
        stdout: new TextDecoder().decode(child.stdout),
        stderr: new TextDecoder().decode(child.stderr),
      };
      assertUsage(endless, /^Cannot predict as stdin is larger than the 64 MiB the CLI reads/);
    });
  },
});

Deno.test("a config file with a UTF-8 byte order mark is read", async () => {
  await inTempDir(async (cwd) => {
    await Deno.writeTextFile(`${cwd}/c.json`, '\uFEFF{ "steps": 3, "dataset": "xor" }');
    const r = await runCli(["train", "--config", "c.json", "--out", "o", "--quiet"], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const run = readJson(`${cwd}/o/model.json`) as { config: { steps: number; dataset: string } };
    assert.deepEqual([run.config.steps, run.config.dataset], [3, "xor"]);
  });
});

Deno.test("a hostile model.json is refused before anything is allocated", async () => {
  await inTempDir(async (cwd) => {
    const base = await runCli(["train", "--steps", "2", "--out", "m", "--quiet"], { cwd });
    assert.equal(base.code, 0, base.stderr);
    const run = readJson(`${cwd}/m/model.json`) as { model: Record<string, unknown> };
    const hostile = {
      nin: { ...run, model: { ...run.model, nin: 1e9 } },
      wide: { ...run, model: { ...run.model, nouts: [20000, 20000, 1] } },
      count: { ...run, parameterCount: 5 },
    };
    for (const [name, doc] of Object.entries(hostile)) {
      await Deno.writeTextFile(`${cwd}/${name}.json`, JSON.stringify(doc));
    }
    // A 4 GB allocation would fail a 128 MiB heap: these must end before any.
    const deno = { memoryMb: 128 };
    const results = await Promise.all([
      runCli(["predict", "--model", "nin.json"], { cwd, deno, stdin: "0,0\n" }),
      runCli(["graph", "--model", "nin.json", "--point", "0,0"], { cwd, deno }),
      runCli(["predict", "--model", "wide.json"], { cwd, deno, stdin: "0,0\n" }),
      runCli(["predict", "--model", "count.json"], { cwd, deno, stdin: "0,0\n" }),
    ]);
    assertUsage(
      results[0],
      /^Cannot predict as '--model' "nin\.json" holds a broken model: 'nin' is 1000000000, more than/,
    );
    assertUsage(results[1], /^Cannot graph as '--model' "nin\.json" holds a broken model: 'nin'/);
    assertUsage(results[2], /holds a broken model: 'nouts\[0\]' is 20000, more than/);
    assertUsage(results[3], /holds a broken model: 'parameterCount' is 5 but the layers hold \d+/);
  });
});

Deno.test("predict reads points as train reads CSV and escapes formula class names", async () => {
  await inTempDir(async (cwd) => {
    const csv = "x1,x2,label\n0,0,=cmd|' /C calc'!A0\n1,1,@SUM(A1)\n0.1,0.2,=cmd|' /C calc'!A0\n";
    await Deno.writeTextFile(`${cwd}/f.csv`, csv);
    const t = await runCli(["train", "--dataset", "f.csv", "--steps", "3", "--out", "m"], { cwd });
    assert.equal(t.code, 0, t.stderr);
    const [ok, header, bad, nan, huge, hex] = await Promise.all([
      runCli(["predict", "--model", "m/model.json"], { cwd, stdin: "0,0\n1,1\n" }),
      runCli(["predict", "--model", "m/model.json"], { cwd, stdin: "x1,x2\n0,0\n" }),
      runCli(["predict", "--model", "m/model.json"], { cwd, stdin: "1,abc\n0,0\n" }),
      runCli(["predict", "--model", "m/model.json"], { cwd, stdin: "0.5,NaN\n" }),
      runCli(["predict", "--model", "m/model.json"], { cwd, stdin: "1e309,1\n" }),
      runCli(["predict", "--model", "m/model.json"], { cwd, stdin: "0x10,1\n" }),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const rows = lines(ok.stdout);
    assert.equal(rows.length, 3);
    for (const row of rows.slice(1)) assert.match(row, /^"?'[=@]/, `escaped: ${row}`);
    assert.equal(lines(header.stdout).length, 2, header.stderr);
    assertUsage(
      bad,
      /^Cannot predict as line 1, column 2 of stdin must be a number: current value is "abc"/,
    );
    assertUsage(
      nan,
      /^Cannot predict as line 1, column 2 of stdin must be a number: current value is "NaN"/,
    );
    assertUsage(huge, /^Cannot predict as line 1, column 1 of stdin must be a finite number/);
    assertUsage(
      hex,
      /^Cannot predict as line 1, column 1 of stdin must be a number: current value is "0x10"/,
    );
  });
});

Deno.test("echoed flags and paths show terminal escape bytes escaped", async () => {
  await inTempDir(async (cwd) => {
    const evil = "\x1b]0;pwned\x07\x1b[2J";
    const results = await Promise.all([
      runCli(["train", `--${evil}`], { cwd }),
      runCli(["train", "--config", evil], { cwd }),
      runCli(["train", "--steps", evil], { cwd }),
      runCli(["train", "--dataset", `${evil}.csv`], { cwd }),
      runCli(["predict", "--model", `\x9b31m.json`], { cwd }),
      runCli([evil], { cwd }),
      runCli(["train", "--out", evil, "--steps", "2"], { cwd }),
    ]);
    for (const r of results) assertUsage(r, /\\u001b|\\u009b/);
  });
});

Deno.test("--out: a run already there needs --force; stale temporary files are cleaned", async () => {
  await inTempDir(async (cwd) => {
    const first = await runCli(["train", "--steps", "2", "--out", "o", "--quiet"], { cwd });
    assert.equal(first.code, 0, first.stderr);
    const before = Deno.readTextFileSync(`${cwd}/o/model.json`);
    const again = await runCli(["train", "--steps", "3", "--out", "o"], { cwd });
    assertUsage(again, /^Cannot train as '--out' "o" already holds a run .*add --force/);
    assert.equal(Deno.readTextFileSync(`${cwd}/o/model.json`), before, "not overwritten");
    // A killed run's temporary file is removed by the next run in that folder.
    Deno.writeTextFileSync(`${cwd}/o/report.html.0123abcd.tmp`, "half");
    // A file of the user's that merely looks alike stays.
    Deno.writeTextFileSync(`${cwd}/o/notes.0123abcd.tmp`, "mine");
    const forced = await runCli(["train", "--steps", "3", "--out", "o", "--force", "--quiet"], {
      cwd,
    });
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(listFiles(`${cwd}/o`), [
      "history.csv",
      "model.json",
      "notes.0123abcd.tmp",
      "report.html",
    ]);
    assert.equal((readJson(`${cwd}/o/model.json`).config as { steps: number }).steps, 3);
  });
});

Deno.test("--quiet prints just the report's path", async () => {
  await inTempDir(async (cwd) => {
    const r = await runCli(["train", "--steps", "2", "--quiet"], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^runs\/[^/\s]+\/report\.html\n$/);
    assert.ok(Deno.statSync(`${cwd}/${r.stdout.trim()}`).isFile);
  });
});

Deno.test("an --out the CLI may not write is refused before training", async (t) => {
  await inTempDir(async (cwd) => {
    await Deno.mkdir(`${cwd}/runs`);
    await Deno.mkdir(`${cwd}/outside`);
    const deno = { allowWrite: [`${cwd}/runs`] };
    await t.step("a folder outside Deno's write access", async () => {
      const r = await runCli(["train", "--out", "outside/o", "--steps", "2"], { cwd, deno });
      assertUsage(r, /^Cannot write "outside\/o" as Deno has no write access there/);
    });
    await t.step("a link under runs/ that leads outside", async () => {
      await Deno.symlink(`${cwd}/outside`, `${cwd}/runs/link`);
      const r = await runCli(["train", "--out", "runs/link", "--steps", "2"], { cwd, deno });
      assertUsage(
        r,
        /^Cannot write to "runs\/link" as it leads to ".*outside", where Deno has no write access/,
      );
      const nested = await runCli(["train", "--out", "runs/link/deeper", "--steps", "2"], {
        cwd,
        deno,
      });
      assert.equal(nested.code, 2, nested.stderr);
      assert.deepEqual(listFiles(`${cwd}/outside`), [], "nothing written outside");
    });
    await t.step({
      name: "a read-only folder (a read-only mount)",
      ignore: !CAN_MOUNT,
      fn: async () => {
        await withMount(`${cwd}/runs/ro`, "ro,size=64k", async () => {
          const r = await runCli(["train", "--out", "runs/ro", "--steps", "2"], { cwd, deno });
          assertUsage(
            r,
            /^Cannot train as '--out' "runs\/ro" cannot be written: Read-only file system/,
          );
        });
      },
    });
    await t.step("a folder in the way of a run file", async () => {
      await Deno.mkdir(`${cwd}/runs/w/report.html`, { recursive: true });
      const r = await runCli(["train", "--out", "runs/w", "--steps", "2", "--force"], {
        cwd,
        deno,
      });
      assertUsage(r, /has a folder named report\.html in the way/);
      assert.deepEqual(listFiles(`${cwd}/runs/w`), ["report.html"]);
    });
  });
});

/** Whether this process may mount a tmpfs (root on Linux): for the read-only and disk-full cases. */
const CAN_MOUNT = LINUX && await (async () => {
  const dir = await Deno.makeTempDir({ prefix: "denograd_mount_" });
  try {
    const mount = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=16k", "tmpfs", dir],
      stderr: "null",
      stdout: "null",
    }).output().catch(() => ({ success: false }));
    if (!mount.success) return false;
    await new Deno.Command("umount", { args: [dir] }).output();
    return true;
  } finally {
    await Deno.remove(dir).catch(() => {});
  }
})();

/** Runs `fn` with a tmpfs mounted (with `options`) at `dir`, then unmounts it. */
async function withMount(dir: string, options: string, fn: () => Promise<void>): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", options, "tmpfs", dir],
  })
    .output();
  assert.ok(mount.success, "mounted");
  try {
    await fn();
  } finally {
    await new Deno.Command("umount", { args: [dir] }).output();
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Starts a long run with ndjson progress, waits for its first progress line, sends `signal`. */
function stopRun(cwd: string, signal: Deno.Signal, out: string): Promise<CliResult> {
  return signalRun(cwd, out, [signal]);
}

Deno.test({
  name: "SIGTERM and SIGHUP stop a run like Ctrl-C: saved, marked cancelled, exit 143 / 129",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await inTempDir(async (cwd) => {
      const [term, hup] = await Promise.all([
        stopRun(cwd, "SIGTERM", "t"),
        stopRun(cwd, "SIGHUP", "h"),
      ]);
      for (const [r, code, out] of [[term, 143, "t"], [hup, 129, "h"]] as const) {
        assert.equal(r.code, code, r.stderr);
        assert.match(
          lines(r.stderr).at(-1)!,
          /^Cancelled at step \d+ of 1000000 \(SIG(TERM|HUP)\)$/,
        );
        assert.deepEqual(listFiles(`${cwd}/${out}`), ["history.csv", "model.json", "report.html"]);
        const run = readJson(`${cwd}/${out}/model.json`) as { status: string; stepsDone: number };
        assert.equal(run.status, "cancelled");
        assert.ok(run.stepsDone > 0);
        assert.equal(JSON.parse(lines(r.stdout).at(-1)!).status, "cancelled");
      }
    });
  },
});

Deno.test({
  name: "a full disk while writing: no file of the set is written, one line, exit 1",
  ignore: !CAN_MOUNT,
  fn: async () => {
    await inTempDir(async (cwd) => {
      // Room for model.json and history.csv, not for report.html (Chart.js is inlined).
      await withMount(`${cwd}/full`, "size=64k", async () => {
        const r = await runCli(["train", "--steps", "5", "--out", "full/o"], { cwd });
        assert.equal(r.code, 1, r.stderr);
        assert.equal(lines(r.stderr).length, 1, r.stderr);
        assert.match(r.stderr, /Cannot write "full\/o\/report\.html": No space left on device/);
        // The folder this run made goes too, as nothing was written to it.
        const left = await Deno.stat(`${cwd}/full/o`).then(
          () => listFiles(`${cwd}/full/o`),
          () => [],
        );
        assert.deepEqual(left, [], "all or nothing, no temporary file");
      });
    });
  },
});

Deno.test({
  name: "train > /dev/full writes its files, then one line, exit 1",
  ignore: !LINUX,
  fn: async () => {
    await inTempDir(async (cwd) => {
      const args = cliArgs(cwd, ["train", "--steps", "5", "--out", "o"]);
      const quoted = [Deno.execPath(), ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`);
      const out = await new Deno.Command("sh", {
        args: ["-c", `exec ${quoted.join(" ")} > /dev/full`],
        cwd,
        env: cliEnv(),
        clearEnv: true,
        stdout: "null",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 1, stderr);
      assert.equal(lines(stderr).length, 1, stderr);
      assert.match(stderr, /^denograd train: cannot write to stdout: /);
      assert.deepEqual(listFiles(`${cwd}/o`), ["history.csv", "model.json", "report.html"]);
      assert.equal(readJson(`${cwd}/o/model.json`).status, "completed");
    });
  },
});

Deno.test("the CLI starts as a Deno user would start it", async (t) => {
  await inTempDir(async (cwd) => {
    const env = cliEnv();
    const deno = (args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args,
        cwd,
        env,
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output().then((o) => ({
        code: o.code,
        stdout: new TextDecoder().decode(o.stdout),
        stderr: new TextDecoder().decode(o.stderr),
      }));
    await t.step("deno run -A cli/main.ts train, from another folder", async () => {
      const r = await deno(["run", "-A", CLI, "train", "--steps", "2", "--quiet"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.match(r.stdout, /^runs\/[^/]+\/report\.html\n$/);
    });
    await t.step(
      "without the repository's deno.json: a worker with inherited permissions, said once",
      async () => {
        await Deno.writeTextFile(
          `${cwd}/imports.json`,
          JSON.stringify({
            imports: JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)).imports,
          }),
        );
        const r = await deno([
          "run",
          "-A",
          "--no-config",
          "--import-map=imports.json",
          CLI,
          "train",
          "--steps",
          "2",
          "--quiet",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(lines(r.stderr).length, 1, r.stderr);
        assert.match(r.stderr, /^Note: the training worker runs with this process's permissions/);
      },
    );
    await t.step("by URL, with the repository's import map", async () => {
      const server = serveDirectory(ROOT);
      try {
        const r = await deno([
          "run",
          "--quiet",
          "-A",
          `--import-map=${server.url}deno.json`,
          `${server.url}cli/main.ts`,
          "train",
          "--steps",
          "2",
          "--quiet",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^runs\/[^/]+\/report\.html\n$/);
        // No deno.json applies to a remote entry point: the worker inherits, said once.
        assert.equal(lines(r.stderr).length, 1, r.stderr);
        assert.match(r.stderr, /^Note: the training worker runs with this process's permissions/);
      } finally {
        await server.close();
      }
    });
    await t.step("installed as a command with deno install -g, as the README says", async () => {
      const install = await deno([
        "install",
        "-g",
        "--quiet",
        "--allow-read",
        "--allow-write",
        "--allow-env=INIT_CWD",
        "--root",
        `${cwd}/inst`,
        "-n",
        "denograd",
        "--config",
        `${ROOT}/deno.json`,
        CLI,
      ]);
      assert.equal(install.code, 0, install.stderr);
      const out = await new Deno.Command(`${cwd}/inst/bin/denograd`, {
        args: ["train", "--steps", "2", "--quiet"],
        cwd,
        env: { ...env, PATH: `${Deno.execPath().replace(/\/[^/]+$/, "")}:${env.PATH ?? ""}` },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      assert.equal(stderr, "", "the worker is sandboxed: no fallback note");
      assert.match(new TextDecoder().decode(out.stdout), /^runs\/[^/]+\/report\.html\n$/);
    });
    await t.step("too few permissions: one line naming the permission, exit 2", async () => {
      const r = await deno(["run", "--no-prompt", CLI, "train", "--steps", "2"]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(lines(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, /--allow-read/);
    });
    await t.step("under deno task, paths are relative to where the user stands", async () => {
      // `deno task` starts the command beside deno.json with INIT_CWD set to the user's folder.
      await Deno.mkdir(`${cwd}/sub`);
      await Deno.copyFile(`${ROOT}/tests/fixtures/config_xor.json`, `${cwd}/sub/c.json`);
      const asTask = {
        cwd: ROOT,
        env: { INIT_CWD: `${cwd}/sub` },
        deno: { flags: ["--allow-env=INIT_CWD"], allowWrite: [cwd] },
      };
      const r = await runCli(
        ["train", "--config", "c.json", "--steps", "2", "--out", "o", "--quiet"],
        asTask,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "o/report.html\n");
      const run = readJson(`${cwd}/sub/o/model.json`) as { config: { dataset: string } };
      assert.equal(run.config.dataset, "xor", "c.json was read from the user's folder");
      // An INIT_CWD inherited from some other task (the CLI is not beside our deno.json) is ignored.
      const other = await runCli(["train", "--steps", "2", "--out", "o2", "--quiet"], {
        cwd,
        env: { INIT_CWD: `${cwd}/sub` },
        deno: { flags: ["--allow-env=INIT_CWD"] },
      });
      assert.equal(other.code, 0, other.stderr);
      assert.ok(exists(`${cwd}/o2/model.json`));
    });
  });
});
