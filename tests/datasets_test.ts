import assert from "node:assert/strict";
import {
  CsvError,
  makeBlobs,
  makeCircles,
  makeMoons,
  makeSpiral,
  makeXor,
  parseCsv,
  trainTestSplit,
} from "../mod.ts";
import { assertClose, readReference, readReferenceText } from "./_helpers.ts";

interface Points {
  X: number[][];
  y: number[];
}

/** scikit-learn's cos/sin come from another libm: allow a few ulps. */
function assertSamePoints(got: { x: number[][]; y: number[] }, want: Points): void {
  assert.deepEqual(got.y, want.y);
  assert.equal(got.x.length, want.X.length);
  got.x.forEach((p, i) =>
    p.forEach((v, j) => assertClose(v, want.X[i][j], 1e-15, `x[${i}][${j}]`))
  );
}

Deno.test("makeMoons with zero noise equals scikit-learn's make_moons", () => {
  const want = readReference<Points>("moons_noise_free.json");
  assertSamePoints(makeMoons({ samples: 10, noise: 0, shuffle: false }), want);
});

Deno.test("makeCircles with zero noise equals scikit-learn's make_circles", () => {
  const want = readReference<Points>("circles_noise_free.json");
  assertSamePoints(makeCircles({ samples: 10, noise: 0, shuffle: false, factor: 0.5 }), want);
});

Deno.test("generators are seeded: the same seed repeats, another differs", async (t) => {
  const makers = {
    moons: (seed: number) => makeMoons({ noise: 0.1, seed }),
    circles: (seed: number) => makeCircles({ noise: 0.1, seed }),
    blobs: (seed: number) => makeBlobs({ seed }),
    xor: (seed: number) => makeXor({ seed }),
    spiral: (seed: number) => makeSpiral({ noise: 0.05, seed }),
  };
  for (const [name, make] of Object.entries(makers)) {
    await t.step(name, () => {
      assert.deepEqual(make(1), make(1));
      assert.notDeepEqual(make(1).x, make(2).x);
      const d = make(3);
      assert.equal(d.x.length, 100);
      assert.equal(d.y.length, 100);
      assert.ok(d.x.every((p) => p.length === 2 && p.every(Number.isFinite)));
      assert.ok(d.y.every((c) => Number.isInteger(c) && c >= 0 && c < d.classes));
    });
  }
});

Deno.test("makeBlobs and makeSpiral make k balanced classes", () => {
  const blobs = makeBlobs({ samples: 100, classes: 4, seed: 1 });
  assert.equal(blobs.classes, 4);
  assert.deepEqual([0, 1, 2, 3].map((k) => blobs.y.filter((c) => c === k).length), [
    25,
    25,
    25,
    25,
  ]);
  const spiral = makeSpiral({ samples: 100, classes: 3, shuffle: false });
  assert.deepEqual([0, 1, 2].map((k) => spiral.y.filter((c) => c === k).length), [34, 33, 33]);
  // Noise-free arms reach radius 1 at their last point.
  assertClose(Math.hypot(...spiral.x[33]), 1, 1e-15);
});

Deno.test("makeSpiral's arms are one arm turned by 2π/k, each turning through 4 radians", () => {
  const n = 50;
  const k = 3;
  const { x } = makeSpiral({ samples: n * k, classes: k, shuffle: false });
  const arm = (c: number) => x.slice(c * n, (c + 1) * n);
  // Radius grows evenly from 1/n to 1.
  arm(0).forEach((p, i) => assertClose(Math.hypot(...p), (i + 1) / n, 1e-12, `radius ${i}`));
  // The angle swept from the first point to the last, step by step (each step is small).
  let swept = 0;
  for (let i = 1; i < n; i++) {
    const [a, b] = [arm(0)[i - 1], arm(0)[i]];
    swept += Math.atan2(a[1] * b[0] - a[0] * b[1], a[0] * b[0] + a[1] * b[1]);
  }
  assertClose(swept, 4 * (n - 1) / n, 1e-12, "swept angle");
  for (let c = 1; c < k; c++) {
    const d = (2 * Math.PI * c) / k;
    arm(c).forEach((p, i) => {
      const [x0, y0] = arm(0)[i];
      assertClose(p[0], x0 * Math.cos(d) + y0 * Math.sin(d), 1e-12, `arm ${c} x ${i}`);
      assertClose(p[1], y0 * Math.cos(d) - x0 * Math.sin(d), 1e-12, `arm ${c} y ${i}`);
    });
  }
});

Deno.test("noise is Gaussian with the asked deviation, on top of the noise-free points", async (t) => {
  const makers = { makeMoons, makeCircles, makeBlobs, makeXor, makeSpiral };
  for (const [name, make] of Object.entries(makers)) {
    await t.step(name, () => {
      const clean = make({ samples: 2000, seed: 5 });
      const noisy = make({ samples: 2000, seed: 5, noise: 0.2 });
      assert.deepEqual(noisy.y, clean.y);
      const d = noisy.x.flatMap((p, i) => p.map((v, j) => v - clean.x[i][j]));
      const mean = d.reduce((a, b) => a + b, 0) / d.length;
      const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
      assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
      assert.ok(Math.abs(std - 0.2) < 0.01, `standard deviation ${std}`);
    });
  }
});

Deno.test("makeBlobs draws each cluster with the asked deviation around a center in the box", () => {
  const { x, y } = makeBlobs({ samples: 3000, classes: 3, std: 0.4, centerBox: [-2, 2], seed: 2 });
  for (let c = 0; c < 3; c++) {
    const pts = x.filter((_, i) => y[i] === c);
    for (const j of [0, 1]) {
      const v = pts.map((p) => p[j]);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      assert.ok(mean > -2 - 0.1 && mean < 2 + 0.1, `class ${c} center ${mean}`);
      assert.ok(Math.abs(std - 0.4) < 0.03, `class ${c} deviation ${std}`);
    }
  }
});

Deno.test("makeXor labels by the signs of the coordinates and keeps off the axes", () => {
  const { x, y } = makeXor({ samples: 500, seed: 9 });
  x.forEach(([a, b], i) => {
    assert.equal(y[i], a * b < 0 ? 1 : 0);
    assert.ok(Math.abs(a) >= 0.05 && Math.abs(b) >= 0.05 && Math.abs(a) <= 1 && Math.abs(b) <= 1);
  });
  assert.ok(y.filter((c) => c === 1).length > 200);
});

Deno.test("trainTestSplit holds out ceil(n * fraction) samples and loses none", () => {
  const data = makeMoons({ samples: 101, seed: 1 });
  const { train, test } = trainTestSplit(data, { testFraction: 0.2, seed: 4 });
  assert.equal(test.x.length, 21);
  assert.equal(train.x.length, 80);
  const key = (p: number[]) => p.join(",");
  const all = new Set(data.x.map(key));
  const seen = new Set([...train.x, ...test.x].map(key));
  assert.deepEqual(seen, all);
  assert.deepEqual(trainTestSplit(data, { seed: 4 }), trainTestSplit(data, { seed: 4 }));
  assert.equal(trainTestSplit(data, { testFraction: 0 }).test.x.length, 0);
  assert.throws(() => trainTestSplit(data, { testFraction: 1 }), {
    name: "RangeError",
    message: "Cannot split the data as 'testFraction' must be in [0, 1): current value is 1",
  });
});

Deno.test("bad generator options throw RangeError naming the option", () => {
  assert.throws(() => makeMoons({ samples: 0 }), {
    name: "RangeError",
    message:
      "Cannot make moons as 'samples' must be an integer from 1 to 1000000: current value is 0",
  });
  assert.throws(
    () => makeCircles({ noise: -1 }),
    /'noise' must be a finite number >= 0: current value is -1/,
  );
  assert.throws(() => makeCircles({ factor: 1 }), /'factor' must be in \[0, 1\)/);
  assert.throws(() => makeSpiral({ classes: 1 }), /'classes' must be an integer from 2 to 100/);
  assert.throws(() => makeBlobs({ classes: 5, samples: 3 }), /'samples' must be an integer from 5/);
  assert.throws(() => makeXor({ seed: 0.5 }), /'seed' must be a safe integer/);
});

Deno.test("parseCsv reads micrograd's demo data", () => {
  const data = parseCsv(readReferenceText("moons_micrograd_demo.csv"));
  assert.equal(data.x.length, 100);
  assert.deepEqual(data.featureNames, ["x1", "x2"]);
  assert.equal(data.classes, 2);
  assert.deepEqual(data.x[0], [1.1221146075409683, 0.08147717341718697]);
  assert.equal(data.classNames, undefined);
  const traj = readReference<{ X: number[][]; y: number[] }>("train_trajectory.json");
  assert.deepEqual(data.x, traj.X);
  assert.deepEqual(data.y, traj.y);
});

Deno.test("parseCsv handles quotes, CRLF, blank lines, named labels and no header", () => {
  const data = parseCsv('"a, b",x2,"kind"\r\n1,2,"big ""one"""\r\n\r\n3,4,small\r\n');
  assert.deepEqual(data.featureNames, ["a, b", "x2"]);
  assert.deepEqual(data.x, [[1, 2], [3, 4]]);
  assert.deepEqual(data.classNames, ['big "one"', "small"]);
  assert.deepEqual(data.y, [0, 1]);
  const bare = parseCsv("1,2,0\n3,4,1\n5,6,2");
  assert.equal(bare.featureNames, undefined);
  assert.equal(bare.classes, 3);
  const sorted = parseCsv("x,kind\n1,dog\n2,cat\n3,dog\n");
  assert.deepEqual(sorted.classNames, ["cat", "dog"], "class names are numbered in sorted order");
  assert.deepEqual(sorted.y, [1, 0, 1]);
  const first = parseCsv("label,x\n1,0.5\n0,0.25", { labelColumn: "label" });
  assert.deepEqual(first.x, [[0.5], [0.25]]);
  assert.deepEqual(first.y, [1, 0]);
});

Deno.test("parseCsv reads 300,000 rows", () => {
  const rows = Array.from({ length: 300_000 }, (_, i) => `${i / 1000},${i % 3}`);
  const data = parseCsv(`x,y\n${rows.join("\n")}\n`);
  assert.equal(data.x.length, 300_000);
  assert.equal(data.classes, 3);
  assert.deepEqual(data.x.at(-1), [299.999]);
});

Deno.test("parseCsv names the line and column of a bad row", async (t) => {
  const cases: [string, string, RegExp, number, number][] = [
    [
      "a cell that is not a number",
      "x1,x2,y\n1,2,0\n3,oops,1\n",
      /line 3, column 2 \("x2"\) must be a number: current value is "oops"/,
      3,
      2,
    ],
    [
      "a short row",
      "x1,x2,y\n1,2,0\n3,1\n",
      /line 3 must have 3 columns: current count is 2/,
      3,
      0,
    ],
    ["an empty label", "x1,x2,y\n1,2,\n", /line 2, column 3 must be a label/, 2, 3],
    ["an open quote", 'x1,x2,y\n1,"2,0\n', /quote opened on line 2 is never closed/, 2, 0],
    ["one class only", "x1,y\n1,0\n2,0\n", /at least 2 classes/, 2, 2],
    ["no rows", "\n\n", /has no rows/, 1, 0],
    ["a header only", "x1,x2,y\n", /has a header but no data rows/, 1, 0],
    ["one column", "x\n1\n", /at least 2 columns/, 1, 0],
    ["an unknown label column", "a,b\n1,0\n", /has no column "c"/, 1, 0],
  ];
  for (const [name, text, message, line, column] of cases) {
    await t.step(name, () => {
      const options = name === "an unknown label column" ? { labelColumn: "c" } : {};
      assert.throws(() => parseCsv(text, options), (e: unknown) => {
        assert.ok(e instanceof CsvError, `a CsvError, not ${e}`);
        assert.match(e.message, message);
        assert.match(e.message, /^Cannot parse the CSV as /);
        assert.equal(e.line, line);
        assert.equal(e.column, column);
        return true;
      });
    });
  }
});
