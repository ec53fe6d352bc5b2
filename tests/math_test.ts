import assert from "node:assert/strict";
import { cos, exp, log, log1p, sin } from "../engine/math.ts";

/** How many doubles apart `a` and `b` are. */
function ulps(a: number, b: number): number {
  const view = new DataView(new ArrayBuffer(16));
  view.setFloat64(0, a);
  view.setFloat64(8, b);
  const d = view.getBigInt64(0) - view.getBigInt64(8);
  return Number(d < 0n ? -d : d);
}

/** A fixed stream of numbers in [0, 1). */
function stream(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
}

Deno.test("engine/math.ts's functions are within an ulp of Math's (log1p: two) over wide ranges", () => {
  const r = stream(7);
  const cases: [string, (x: number) => number, (x: number) => number, () => number, number][] = [
    ["exp", exp, Math.exp, () => (r() - 0.5) * 1400, 1],
    ["log", log, Math.log, () => r() * 10 ** (r() * 600 - 300), 1],
    ["log1p", log1p, Math.log1p, () => (r() - 0.3) * 10 ** (r() * 12 - 10), 2],
    ["sin", sin, Math.sin, () => (r() - 0.5) * 2e5, 1],
    ["cos", cos, Math.cos, () => (r() - 0.5) * 2e5, 1],
  ];
  for (const [name, mine, theirs, arg, most] of cases) {
    for (let i = 0; i < 50_000; i++) {
      const x = arg();
      const d = ulps(mine(x), theirs(x));
      assert.ok(d <= most, `${name}(${x}) is ${mine(x)}, Math's ${theirs(x)}: ${d} ulps apart`);
    }
  }
});

Deno.test("engine/math.ts's functions handle the edges as Math's do", () => {
  for (const x of [0, -0, 1, -1, Infinity, -Infinity, NaN, 5e-324, 1e-300, 709.78, -745.2, 800]) {
    for (const [mine, theirs] of [[exp, Math.exp], [log, Math.log], [log1p, Math.log1p]]) {
      const a = mine(x);
      const b = theirs(x);
      assert.ok(Object.is(a, b) || ulps(a, b) <= 2, `${mine.name}(${x}): ${a} against ${b}`);
    }
    for (const [mine, theirs] of [[sin, Math.sin], [cos, Math.cos]]) {
      const a = mine(x);
      const b = theirs(x);
      assert.ok(Object.is(a, b) || ulps(a, b) <= 1, `${mine.name}(${x}): ${a} against ${b}`);
    }
  }
});
