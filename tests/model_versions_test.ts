/**
 * Run files written by denograd 0.1.0 (`tests/fixtures/v0.1/`, made by its
 * `make.sh`) still `predict`, `graph` and `--resume`, as written and with
 * settings deleted from their `config` (a file of a version that did not
 * have those settings yet): the missing settings take their defaults.
 */
import assert from "node:assert/strict";
import { FIXTURES, lines, runCli } from "./_cli.ts";

const V01 = `${FIXTURES}/v0.1`;

/** Each 0.1 run, and the settings an older file would lack (each at its default in the run). */
const RUNS: Record<string, string[]> = {
  classification: ["engine", "l1", "batchSize", "lrSchedule"],
  "adam-spiral": ["engine", "l1", "batchSize", "testFraction"],
  "regression-features": ["engine", "l1", "batchSize", "problem", "lrSchedule", "l2"],
  "circles-features": ["engine", "l1", "batchSize"],
  csv: ["engine", "l1", "batchSize"],
};

/** Copies the folder `from` into `to`. */
async function copy(from: string, to: string): Promise<void> {
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) {
      await Deno.mkdir(`${to}/${e.name}`);
      await copy(`${from}/${e.name}`, `${to}/${e.name}`);
    } else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

/** A working folder holding the 0.1 runs (and their CSV file), with `run`'s settings cut. */
async function workdir(run: string, cut: string[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "denograd_v01_" });
  await copy(V01, dir);
  const file = `${dir}/${run}/model.json`;
  const doc = JSON.parse(await Deno.readTextFile(file));
  for (const key of cut) {
    assert.ok(key in doc.config, `${run} has ${key}`);
    delete doc.config[key];
  }
  await Deno.writeTextFile(file, JSON.stringify(doc, null, 2));
  return dir;
}

for (const [run, cut] of Object.entries(RUNS)) {
  for (const removed of [[], cut]) {
    const what = removed.length === 0 ? "as written" : `without ${removed.join(", ")}`;
    Deno.test(`a 0.1 run file (${run}, ${what}) predicts, graphs and resumes`, async () => {
      const cwd = await workdir(run, removed);
      try {
        const model = `${run}/model.json`;
        const written = JSON.parse(await Deno.readTextFile(`${cwd}/${model}`));
        const predicted = await runCli(["predict", "--model", model], {
          cwd,
          stdin: "0.5,-0.25\n-1,1\n",
        });
        assert.equal(predicted.code, 0, predicted.stderr);
        assert.equal(lines(predicted.stdout).length, 3, predicted.stdout);
        const graphed = await runCli(["graph", "--model", model, "--point", "0.5,-0.25"], { cwd });
        assert.equal(graphed.code, 0, graphed.stderr);
        assert.match(graphed.stdout, /^<svg /);
        const resumed = await runCli(
          ["train", "--resume", model, "--steps", "3", "--out", "next", "--quiet"],
          { cwd },
        );
        assert.equal(resumed.code, 0, resumed.stderr);
        const next = JSON.parse(await Deno.readTextFile(`${cwd}/next/model.json`));
        assert.equal(next.stepsDone, written.stepsDone + 3);
        assert.equal(next.status, "completed");
        assert.equal(typeof next.version, "string");
        // Every setting is recorded again, the cut ones at their defaults (the run's values).
        const original = JSON.parse(await Deno.readTextFile(`${V01}/${model}`)).config;
        for (const key of Object.keys(original)) {
          if (key === "steps" || key === "lr") continue;
          assert.deepEqual(next.config[key], original[key], key);
        }
        assert.equal(next.config.steps, 3);
      } finally {
        await Deno.remove(cwd, { recursive: true });
      }
    });
  }
}
