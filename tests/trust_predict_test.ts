/**
 * `predict` matches a header's names to the model's inputs: columns in
 * another order are reordered by name (never silently swapped), and a name
 * the model does not know is refused.
 */
import assert from "node:assert/strict";
import { parseCsvPoints } from "../mod.ts";
import { runCli } from "./_cli.ts";
import { assertRefused } from "./_trust.ts";

Deno.test("parseCsvPoints reorders a header's columns by the inputs' names", () => {
  const inputs = ["alpha", "beta"];
  assert.deepEqual(parseCsvPoints("beta,alpha\n1,2\n", { features: 2, inputs }), [[2, 1]]);
  assert.deepEqual(parseCsvPoints("label,beta,alpha\nx,1,2\n", { features: 2, inputs }), [[2, 1]]);
  // No header: the columns in order, as before.
  assert.deepEqual(parseCsvPoints("1,2\n", { features: 2, inputs }), [[1, 2]]);
  // Without the names, a header is skipped.
  assert.deepEqual(parseCsvPoints("beta,alpha\n1,2\n", { features: 2 }), [[1, 2]]);
  assert.throws(
    () => parseCsvPoints("foo,bar\n1,2\n", { features: 2, inputs }),
    /"foo", "bar" are not inputs, and "alpha", "beta" are missing/,
  );
});

Deno.test("predict matches the header to the model's inputs by name", async (t) => {
  const cwd = await Deno.makeTempDir({ prefix: "denograd_trust_predict_" });
  try {
    const rows = [];
    for (let i = 0; i < 40; i++) {
      const [a, b] = [Math.sin(i) * 2, Math.cos(i * 1.3)];
      rows.push(`${a},${b},${a > 2 * b ? "hi" : "lo"}`);
    }
    await Deno.writeTextFile(`${cwd}/ab.csv`, "alpha,beta,label\n" + rows.join("\n") + "\n");
    const trained = await runCli(
      ["train", "--dataset", "ab.csv", "--steps", "20", "--out", "m", "--quiet"],
      { cwd },
    );
    assert.equal(trained.code, 0, trained.stderr);
    const predict = (text: string) =>
      runCli(["predict", "--model", "m/model.json"], { cwd, stdin: text });
    // Points where swapping the columns changes the answer.
    const points = [[3, -1], [-1, 3], [0.5, 0.2]];
    const inOrder = await predict(
      "alpha,beta\n" + points.map((p) => p.join(",")).join("\n") + "\n",
    );
    assert.equal(inOrder.code, 0, inOrder.stderr);
    const swapped = await predict(
      "beta,alpha\n" + points.map(([a, b]) => `${b},${a}`).join("\n") + "\n",
    );
    assert.equal(swapped.code, 0, swapped.stderr);
    assert.equal(swapped.stdout, inOrder.stdout, "reordered by name, not swapped");
    const plain = await predict(points.map((p) => p.join(",")).join("\n") + "\n");
    assert.equal(plain.stdout, inOrder.stdout, "no header: columns in order");
    const withLabel = await predict(
      "label,beta,alpha\n" + points.map(([a, b]) => `x,${b},${a}`).join("\n") + "\n",
    );
    assert.equal(withLabel.stdout, inOrder.stdout, "a label column anywhere is ignored");
    const headers: [string, RegExp][] = [
      ["foo,bar", /"foo", "bar" are not inputs, and "alpha", "beta" are missing/],
      ["alpha,gamma", /"gamma" is not an input.*"beta" is missing|"beta" is missing/],
      ["alpha,alpha", /names "alpha" twice/],
      ["alpha,beta,x,y", /"x", "y" are not inputs/],
      ["Alpha,Beta", /"Alpha", "Beta" are not inputs/],
      ["alpha,\x1b[31mbeta", /"\\u001b\[31mbeta" is not an input/],
    ];
    for (const [header, pattern] of headers) {
      await t.step(JSON.stringify(header), async () => {
        const width = header.split(",").length;
        const r = await predict(`${header}\n${Array(width).fill("1").join(",")}\n`);
        assertRefused(r, new RegExp(`^Cannot predict as the header of stdin on line 1 .*`));
        assert.match(r.stderr, pattern);
        assert.equal(r.stdout, "", "nothing written");
      });
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
