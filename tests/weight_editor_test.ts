import assert from "node:assert/strict";
import { weightProblem } from "../cli/page/weight_editor.ts";

Deno.test("the weight editor takes finite decimal numbers only, and says why not in one line", () => {
  for (const ok of ["0", "-0.25", " 1.5 ", "3e-4", "+2", ".5"]) {
    assert.equal(weightProblem(ok), null, ok);
  }
  for (
    const bad of ["", " ", "abc", "1,5", "Infinity", "-Infinity", "NaN", "1e999", "0x10", "1 2"]
  ) {
    const problem = weightProblem(bad);
    assert.ok(problem !== null, bad);
    assert.equal(
      problem,
      `Cannot set the weight as it must be a finite number, e.g. -0.25: current value is ${
        JSON.stringify(bad.trim())
      }`,
    );
    assert.doesNotMatch(problem, /\n/);
  }
});
