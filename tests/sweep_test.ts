import assert from "node:assert/strict";
import { planSweep } from "../cli/_sweep_plan.ts";
import { comparePayload } from "../cli/compare.ts";
import { ModelFileSchema } from "../cli/model_file.ts";
import { cliArgs, cliEnv, inTempDir, lines, ROOT, runCli } from "./_cli.ts";

/** A small, quick trial: few points and steps. */
const SMALL = ["--samples", "24", "--steps", "4"];
/** 8 trials. */
const GRID = [
  "--lr",
  "0.05",
  "--lr",
  "0.5",
  "--layers",
  "4",
  "--layers",
  "4,4",
  "--seed",
  "1",
  "--seed",
  "2",
];

function trialDirs(dir: string): string[] {
  return [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => e.name).sort();
}

function finalLoss(dir: string): number {
  const run = ModelFileSchema.parse(JSON.parse(Deno.readTextFileSync(`${dir}/model.json`)));
  return run.final!.trainLoss;
}

/** Every file under `dir` with its modification time and bytes. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (sub: string) => {
    for (const e of Deno.readDirSync(`${dir}/${sub}`)) {
      const rel = `${sub}/${e.name}`;
      const info = Deno.statSync(`${dir}${rel}`);
      if (e.isDirectory) walk(rel);
      else out.set(rel, `${info.mtime?.getTime()} ${Deno.readTextFileSync(`${dir}${rel}`)}`);
    }
  };
  walk("");
  return out;
}

async function sweep(cwd: string, args: string[], code = 0) {
  const r = await runCli(["sweep", ...args], { cwd });
  assert.equal(r.code, code, r.stderr);
  return r;
}

/** One line on stderr, exit 2, no stack trace. */
function assertOneLine(r: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr.trim(), pattern);
}

Deno.test("a flag given more than once makes a grid, the last flag varying fastest", () => {
  const { plan } = planSweep([...GRID, "--steps", "4"]);
  assert.equal(plan.trials.length, 8);
  assert.deepEqual(plan.varying, ["layers", "lr", "seed"]);
  assert.deepEqual(plan.trials[0].args, [
    "--layers",
    "4",
    "--lr",
    "0.05",
    "--steps",
    "4",
    "--seed",
    "1",
  ]);
  assert.deepEqual(plan.trials[1].args, [
    "--layers",
    "4",
    "--lr",
    "0.05",
    "--steps",
    "4",
    "--seed",
    "2",
  ]);
  assert.deepEqual(plan.trials[7].args, [
    "--layers",
    "4,4",
    "--lr",
    "0.5",
    "--steps",
    "4",
    "--seed",
    "2",
  ]);
  assert.equal(new Set(plan.trials.map((t) => t.args.join(" "))).size, 8);
  assert.deepEqual(plan.trials.map((t) => t.name).slice(0, 2), ["trial-000", "trial-001"]);
});

Deno.test("--random samples ranges from its seed: lr log-uniform, integers rounded", () => {
  const args = [
    "--random",
    "200",
    "--lr",
    "0.001..1",
    "--steps",
    "5..9",
    "--optimizer",
    "sgd",
    "--optimizer",
    "adam",
  ];
  const { plan } = planSweep(args);
  assert.equal(plan.trials.length, 200);
  const value = (t: { args: string[] }, flag: string) => t.args[t.args.indexOf(flag) + 1];
  const lrs = plan.trials.map((t) => Number(value(t, "--lr")));
  assert.ok(lrs.every((lr) => lr >= 0.001 && lr <= 1));
  // Log-uniform: about a third below 0.01 (uniform would put 1% there).
  const low = lrs.filter((lr) => lr < 0.01).length / lrs.length;
  assert.ok(low > 0.2 && low < 0.47, `share below 0.01: ${low}`);
  const steps = plan.trials.map((t) => value(t, "--steps"));
  assert.ok(steps.every((s) => /^[5-9]$/.test(s)), steps.join());
  assert.deepEqual(new Set(steps), new Set(["5", "6", "7", "8", "9"]));
  assert.deepEqual(
    new Set(plan.trials.map((t) => value(t, "--optimizer"))),
    new Set(["sgd", "adam"]),
  );
  // The same seed makes the same plan; another seed another.
  assert.deepEqual(planSweep(args).plan, plan);
  assert.notDeepEqual(planSweep([...args, "--sweep-seed", "9"]).plan.trials, plan.trials);
});

Deno.test("a sweep writes its plan, one run folder per trial and a compare page; again it changes no file", async () => {
  await inTempDir(async (cwd) => {
    const args = [
      "--lr",
      "0.05",
      "--lr",
      "0.5",
      "--seed",
      "1",
      "--seed",
      "2",
      ...SMALL,
      "--out",
      "s",
    ];
    const t0 = performance.now();
    const r = await sweep(cwd, [...args, "--workers", "2"]);
    const first = performance.now() - t0;
    assert.equal(lines(r.stdout).at(-1), "s");
    assert.deepEqual(trialDirs(`${cwd}/s`), ["trial-000", "trial-001", "trial-002", "trial-003"]);
    for (const t of trialDirs(`${cwd}/s`)) {
      assert.deepEqual([...Deno.readDirSync(`${cwd}/s/${t}`)].map((e) => e.name).sort(), [
        "history.csv",
        "model.json",
        "report.html",
      ]);
    }
    const run = ModelFileSchema.parse(
      JSON.parse(Deno.readTextFileSync(`${cwd}/s/trial-003/model.json`)),
    );
    assert.equal(run.status, "completed");
    assert.equal(run.config.lr, 0.5);
    assert.equal(run.config.seed, 2);
    assert.equal(JSON.parse(Deno.readTextFileSync(`${cwd}/s/sweep.json`)).trials.length, 4);
    assert.match(Deno.readTextFileSync(`${cwd}/s/compare.html`), /data-run|compare-data/);
    const before = snapshot(`${cwd}/s`);
    const t1 = performance.now();
    const again = await sweep(cwd, [...args, "--workers", "2"]);
    console.log(`first ${first.toFixed(0)} ms, again ${(performance.now() - t1).toFixed(0)} ms`);
    assert.equal(lines(again.stdout).at(-1), "s");
    assert.deepEqual(snapshot(`${cwd}/s`), before);
  });
});

Deno.test("--shard 1/2 then 2/2 complete half the trials, then all; --index runs each one once", async () => {
  await inTempDir(async (cwd) => {
    const args = [...GRID, ...SMALL, "--workers", "2"];
    assertOneLine(
      await runCli(["sweep", ...args, "--shard", "1/2"], { cwd }),
      /'--shard' needs --out DIR/,
    );
    await sweep(cwd, [...args, "--out", "s", "--shard", "1/2"]);
    assert.deepEqual(trialDirs(`${cwd}/s`), ["trial-000", "trial-002", "trial-004", "trial-006"]);
    await sweep(cwd, [...args, "--out", "s", "--shard", "2/2"]);
    assert.equal(trialDirs(`${cwd}/s`).length, 8);
    // One trial per --index, each in its own place.
    for (const i of [3, 0, 1, 2]) {
      await sweep(cwd, [...GRID.slice(0, 8), ...SMALL, "--out", "i", "--index", String(i)]);
    }
    assert.deepEqual(trialDirs(`${cwd}/i`), ["trial-000", "trial-001", "trial-002", "trial-003"]);
    // --index env reads the batch runner's variable; the trial is already done, so nothing changes.
    const before = snapshot(`${cwd}/i`);
    const r = await runCli(
      ["sweep", ...GRID.slice(0, 8), ...SMALL, "--out", "i", "--index", "env"],
      {
        cwd,
        env: { JOB_COMPLETION_INDEX: "2" },
        deno: { flags: ["--allow-env=SLURM_ARRAY_TASK_ID,JOB_COMPLETION_INDEX"] },
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(snapshot(`${cwd}/i`), before);
    assertOneLine(
      await runCli(["sweep", ...GRID.slice(0, 8), ...SMALL, "--out", "i", "--index", "7"], { cwd }),
      /'--index' must be a trial from 0 to 3: current value is "7"/,
    );
  });
});

Deno.test("--commands run through xargs -P 2 give the sweep's own final losses", async () => {
  await inTempDir(async (cwd) => {
    const args = ["--lr", "0.05", "--lr", "0.5", "--layers", "4", "--layers", "6", ...SMALL];
    await sweep(cwd, [...args, "--out", "own"]);
    // The commands are for the repository root, with a folder under runs/ that `deno task cli` may write.
    const out = `runs/.sweep-test-${crypto.randomUUID().slice(0, 8)}`;
    try {
      const r = await runCli(["sweep", ...args, "--out", out, "--commands"], {
        cwd: ROOT,
        deno: { allowWrite: [`${ROOT}/runs`] },
      });
      assert.equal(r.code, 0, r.stderr);
      const commands = lines(r.stdout);
      assert.equal(commands.length, 4);
      assert.match(commands[3], /^deno task cli sweep .* --out runs\/\.sweep-test-\w+ --index 3$/);
      const xargs = await new Deno.Command("xargs", {
        args: ["-P", "2", "-I", "{}", "sh", "-c", "{}"],
        cwd: ROOT,
        env: cliEnv(),
        clearEnv: true,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const writer = xargs.stdin.getWriter();
      await writer.write(new TextEncoder().encode(r.stdout));
      await writer.close();
      const done = await xargs.output();
      assert.equal(done.code, 0, new TextDecoder().decode(done.stderr));
      for (const t of trialDirs(`${cwd}/own`)) {
        assert.equal(finalLoss(`${ROOT}/${out}/${t}`), finalLoss(`${cwd}/own/${t}`));
      }
      assert.equal(trialDirs(`${ROOT}/${out}`).length, 4);
    } finally {
      await Deno.remove(`${ROOT}/${out}`, { recursive: true }).catch(() => {});
    }
  });
});

Deno.test("Ctrl-C stops the sweep with 130, keeps the finished trials, and a rerun does the rest", async () => {
  await inTempDir(async (cwd) => {
    const args = [
      "--seed",
      "1",
      "--seed",
      "2",
      "--seed",
      "3",
      "--samples",
      "100",
      "--steps",
      "3000",
      "--out",
      "s",
    ];
    const child = new Deno.Command(Deno.execPath(), {
      args: cliArgs(cwd, ["sweep", ...args, "--workers", "1"]),
      cwd,
      env: cliEnv(),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = child.output();
    // Wait for the first trial to finish, then Ctrl-C during the second.
    while (true) {
      try {
        Deno.statSync(`${cwd}/s/trial-000`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    child.kill("SIGINT");
    const r = await output;
    const stderr = new TextDecoder().decode(r.stderr);
    assert.equal(r.code, 130, stderr);
    assert.match(stderr, /Stopped \(SIGINT\)/);
    assert.equal(lines(new TextDecoder().decode(r.stdout)).at(-1), "s");
    const kept = trialDirs(`${cwd}/s`);
    assert.ok(kept.length >= 1 && kept.length < 3, kept.join());
    for (const t of kept) {
      const run = ModelFileSchema.parse(
        JSON.parse(Deno.readTextFileSync(`${cwd}/s/${t}/model.json`)),
      );
      assert.equal(run.status, "completed");
    }
    // No temporary folder is left behind.
    assert.deepEqual([...Deno.readDirSync(`${cwd}/s`)].filter((e) => e.name.startsWith(".")), []);
    const before = snapshot(`${cwd}/s/trial-000`);
    await sweep(cwd, [...args, "--workers", "2"]);
    assert.equal(trialDirs(`${cwd}/s`).length, 3);
    assert.deepEqual(snapshot(`${cwd}/s/trial-000`), before);
  });
});

Deno.test("hostile inputs are refused in one line with exit 2", async () => {
  await inTempDir(async (cwd) => {
    const run = (args: string[]) => runCli(args, { cwd });
    assertOneLine(
      await run(["sweep", "--lr", "0.1", ...SMALL]),
      /^Cannot sweep as no setting varies/,
    );
    for (const n of ["100000", "0", "-3", "2.5"]) {
      assertOneLine(
        await run(["sweep", "--random", n, "--lr", "0.001..1"]),
        new RegExp(
          `^Cannot sweep as '--random' must be a whole number from 1 to 10000: current value is "${n}"$`,
        ),
      );
    }
    assertOneLine(
      await run(["sweep", "--lr", "0.1", "--lr", "0.3", "--workers", "0"]),
      /^Cannot sweep as '--workers' must be a whole number from 1 to 256: current value is "0"$/,
    );
    const seeds = Array.from({ length: 101 }, (_, i) => ["--seed", String(i)]).flat();
    const samples = Array.from({ length: 101 }, (_, i) => ["--samples", String(i + 2)]).flat();
    assertOneLine(
      await run(["sweep", ...seeds, ...samples]),
      /^Cannot sweep as its grid has 10201 trials: a sweep holds at most 10000$/,
    );
    assertOneLine(
      await run(["sweep", "--lr", "0.001..1", "--seed", "1", "--seed", "2"]),
      /is a range: ranges need --random N/,
    );
    assertOneLine(
      await run(["sweep", "--lr", "-1", "--lr", "0.1"]),
      /^Cannot sweep as '--lr' must be a positive number/,
    );
    assertOneLine(
      await run(["sweep", "--seed", "1", "--seed", "2", "--wokers", "2"]),
      /'--wokers' is not a known flag; did you mean --workers\?/,
    );
    // A run folder of another format.
    Deno.mkdirSync(`${cwd}/other`);
    Deno.writeTextFileSync(
      `${cwd}/other/model.json`,
      JSON.stringify({ format: "other.run/3", loss: 1 }),
    );
    Deno.writeTextFileSync(`${cwd}/other/history.csv`, "step,loss\n1,1\n");
    assertOneLine(
      await run(["compare", "other"]),
      /^Cannot compare as the run "other\/model\.json" is not a denograd run: 'format' is invalid/,
    );
    assertOneLine(
      await run(["sweep", "--seed", "1", "--seed", "2", "--out", "other"]),
      /holds a run, not a sweep/,
    );
    // A broken model.json in a sweep's folder.
    const args = ["--seed", "1", "--seed", "2", ...SMALL, "--out", "s"];
    await sweep(cwd, args);
    Deno.writeTextFileSync(
      `${cwd}/s/trial-001/model.json`,
      '{"format": "denograd.run/1", "status":',
    );
    assertOneLine(
      await run(["sweep", ...args]),
      /^Cannot sweep as the trial "s\/trial-001\/model\.json" is not valid JSON/,
    );
    assertOneLine(
      await run(["compare", "s"]),
      /^Cannot compare as the run "s\/trial-001\/model\.json" is not valid JSON/,
    );
    // A history.csv of another format, or with a word where a number belongs.
    Deno.mkdirSync(`${cwd}/h/run`, { recursive: true });
    Deno.copyFileSync(`${cwd}/s/trial-000/model.json`, `${cwd}/h/run/model.json`);
    Deno.writeTextFileSync(`${cwd}/h/run/history.csv`, "epoch,val_loss\n1,0.5\n");
    assertOneLine(
      await run(["compare", "h"]),
      /^Cannot compare as the history "h\/run\/history\.csv" is not a denograd history: its header has "epoch"/,
    );
    Deno.writeTextFileSync(`${cwd}/h/run/history.csv`, "step,loss\n1,0.5\n2,oops\n");
    assertOneLine(await run(["compare", "h"]), /: line 3 has "oops" where a number belongs$/);
    // Another sweep into the same folder.
    assertOneLine(
      await run(["sweep", "--seed", "1", "--seed", "3", ...SMALL, "--out", "s"]),
      /holds another sweep/,
    );
  });
});

Deno.test("compare draws each run's boundary: classes for classification, the fitted surface for regression", async () => {
  await inTempDir(async (cwd) => {
    for (const [out, dataset] of [["c", "circles"], ["r", "reg-gauss"]]) {
      const r = await runCli([
        "train",
        "--dataset",
        dataset,
        "--samples",
        "40",
        "--steps",
        "30",
        "--out",
        out,
      ], { cwd });
      assert.equal(r.code, 0, r.stderr);
    }
    const payload = await comparePayload([`${cwd}/c`, `${cwd}/r`], cwd);
    assert.deepEqual(payload.runs.map((r) => r.id), ["c", "r"]);
    assert.ok(payload.varying.includes("dataset") && payload.varying.includes("problem"));
    const [c, r] = payload.runs.map((run) =>
      Uint8Array.from(atob(run.thumb!.cells), (ch) => ch.charCodeAt(0))
    );
    assert.equal(c.length, 24 * 24);
    // Both classes appear on the circles' plane; the surface spans a range of values.
    assert.deepEqual(new Set([...c].map((b) => b >> 4)), new Set([0, 1]));
    assert.equal(payload.runs[1].thumb!.classes, 0);
    assert.ok(Math.max(...r) - Math.min(...r) > 100, `${Math.min(...r)}..${Math.max(...r)}`);
  });
});
