import assert from "node:assert/strict";
import { ACTIVATIONS } from "../mod.ts";
import { lines, runCli } from "./_cli.ts";

Deno.test("train --activation gelu and leaky-relu give the same history on both engines", async (t) => {
  const cwd = await Deno.makeTempDir({ prefix: "denograd_activations_" });
  try {
    for (const activation of ["gelu", "leaky-relu"]) {
      assert.ok(ACTIVATIONS.includes(activation as typeof ACTIVATIONS[number]));
      await t.step(activation, async () => {
        const histories: string[] = [];
        for (const engine of ["compiled", "value"]) {
          const out = `${activation}-${engine}`;
          const r = await runCli([
            "train",
            "--activation",
            activation,
            "--engine",
            engine,
            "--layers",
            "8,8",
            "--steps",
            "15",
            "--samples",
            "60",
            "--out",
            out,
            "--quiet",
          ], { cwd });
          assert.equal(r.code, 0, r.stderr);
          const model = JSON.parse(Deno.readTextFileSync(`${cwd}/${out}/model.json`));
          assert.equal(model.config.activation, activation);
          histories.push(Deno.readTextFileSync(`${cwd}/${out}/history.csv`));
        }
        assert.equal(lines(histories[0]).length, 16);
        assert.equal(histories[0], histories[1]);
      });
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("train --help lists every activation, and an unknown one is one line, exit 2", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "denograd_activations_" });
  try {
    const help = await runCli(["train", "--help"], { cwd });
    assert.equal(help.code, 0, help.stderr);
    const row = help.stdout.split("\n").find((l) => l.includes("--activation"))!;
    for (const name of ACTIVATIONS) assert.ok(row.includes(name), `--help names ${name}: ${row}`);
    const bad = await runCli(["train", "--activation", "swish"], { cwd });
    assert.equal(bad.code, 2);
    assert.equal(lines(bad.stderr).length, 1, bad.stderr);
    assert.match(bad.stderr, /gelu or leaky-relu/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
