import assert from "node:assert/strict";
import { makeBlobs, Mlp, predictClass } from "../mod.ts";
import { confidence, decisionGrid, planeCells, planeModel } from "../workers/grid.ts";
import { startMessage } from "./_helpers.ts";

Deno.test("the decision grid holds the class model.predict gives at each cell's centre", () => {
  const data = makeBlobs({ samples: 60, classes: 3, seed: 4 });
  const model = new Mlp(2, [8, 3], { seed: 2 });
  const start = startMessage(data, { layers: [8] }, { grid: 12 });
  const g = decisionGrid(model, start, "ce");
  assert.equal(g.classes.length, 144);
  assert.ok(g.xMin < Math.min(...data.x.map((p) => p[0])));
  assert.ok(g.yMax > Math.max(...data.x.map((p) => p[1])));
  for (let j = 0; j < g.size; j++) {
    for (let i = 0; i < g.size; i++) {
      const x = g.xMin + ((i + 0.5) / g.size) * (g.xMax - g.xMin);
      const y = g.yMin + ((j + 0.5) / g.size) * (g.yMax - g.yMin);
      assert.equal(g.classes[j * g.size + i], predictClass(model.predict([x, y])));
      assert.ok(g.confidence[j * g.size + i] >= 0 && g.confidence[j * g.size + i] <= 1);
    }
  }
  assert.ok(new Set(g.classes).size > 1, "the grid shows more than one class");
});

Deno.test("a grid of many cells (several passes of the compiled model) holds model.predict's numbers bit for bit", () => {
  const data = makeBlobs({ samples: 60, classes: 3, seed: 5 });
  const model = new Mlp(2, [16, 16, 3], { seed: 3 });
  // 45 x 45 = 2,025 cells: passes of 512 cells, the last one short.
  const start = startMessage(data, { layers: [16, 16] }, { grid: 45 });
  const g = decisionGrid(model, start, "ce");
  for (let j = 0; j < g.size; j++) {
    for (let i = 0; i < g.size; i++) {
      const x = g.xMin + ((i + 0.5) / g.size) * (g.xMax - g.xMin);
      const y = g.yMin + ((j + 0.5) / g.size) * (g.yMax - g.yMin);
      const scores = model.predict([x, y]);
      assert.equal(g.classes[j * g.size + i], predictClass(scores));
      assert.equal(g.confidence[j * g.size + i], confidence(scores, "ce"), `cell ${i}, ${j}`);
    }
  }
});

Deno.test("a plane's values (a regression's, several passes) are model.predict's bit for bit", () => {
  const model = new Mlp(2, [16, 16, 1], { seed: 6 });
  // 45 x 45 = 2,025 cells: passes of 512 cells, the last one short.
  const cells = planeCells({ xMin: -2, xMax: 3, yMin: -1, yMax: 1.5 }, 45);
  const out = planeModel(model, cells.length).predict(cells);
  assert.equal(out.length, cells.length);
  cells.forEach((cell, i) => assert.equal(out[i], model.predict(cell)[0], `cell ${i}`));
});
