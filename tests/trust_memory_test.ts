/**
 * Issue 9's out-of-memory rows, as subprocess tests under a V8 heap cap so a
 * regression fails the test instead of taking the machine down: at sizes
 * the flags allow, the final metrics, the decision grid and `predict` run on
 * the compiled path in bounded batches, so these runs complete (or are
 * refused up front with exit code 2) within a heap far smaller than a
 * `Value` graph over them would need.
 */
import assert from "node:assert/strict";
import { inTempDir, lines, runCli } from "./_cli.ts";

/** `rows` points of two features and a 0/1 label, as a CSV with a header. */
function csv(rows: number): string {
  const out = ["x1,x2,label"];
  for (let i = 0; i < rows; i++) {
    const a = ((i * 0.7548776662) % 1) * 4 - 2;
    const b = ((i * 0.569840291) % 1) * 4 - 2;
    out.push(`${a.toFixed(4)},${b.toFixed(4)},${a * b > 0 ? 1 : 0}`);
  }
  return out.join("\n") + "\n";
}

Deno.test({
  name: "three hidden layers of 1024, one step, completes within a 2 GiB heap",
  fn: async () => {
    await inTempDir(async (cwd) => {
      const r = await runCli(
        ["train", "--layers", "1024,1024,1024", "--steps", "1", "--out", "o", "--quiet"],
        { cwd, deno: { memoryMb: 2048 } },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(lines(r.stdout).length, 1);
    });
  },
});

Deno.test({
  name:
    "100,000 rows train compiled within a 1 GiB heap and predict within 256 MiB; --engine value is refused up front",
  fn: async () => {
    await inTempDir(async (cwd) => {
      Deno.writeTextFileSync(`${cwd}/big.csv`, csv(100_000));
      const deno = { memoryMb: 1024 };
      const value = await runCli(
        ["train", "--dataset", "big.csv", "--engine", "value", "--steps", "1", "--out", "v"],
        { cwd, deno },
      );
      assert.equal(value.code, 2, value.stderr);
      assert.match(
        value.stderr,
        /^Cannot train as '--engine value' would build a graph of about [\d.]+ GB each step \(100000 samples through 2-16-16-1\): use --engine compiled \(the same numbers\), or a --batch-size of at most \d+\n$/,
      );
      const r = await runCli(
        ["train", "--dataset", "big.csv", "--steps", "1", "--out", "o"],
        { cwd, deno },
      );
      assert.equal(r.code, 0, r.stderr);
      const p = await runCli(
        ["predict", "--model", "o/model.json", "--input", "big.csv"],
        { cwd, deno: { memoryMb: 256 } },
      );
      assert.equal(p.code, 0, p.stderr);
      assert.equal(lines(p.stdout).length, 100_001);
    });
  },
});
