import assert from "node:assert/strict";
import { nearestMoment, POSITIONS, StepScale } from "../cli/page/timeline.ts";
import { logStepTicks, StepStore } from "../cli/page/charts.ts";
import { timelineSteps } from "../workers/snapshots.ts";
import type { Step } from "../workers/protocol.ts";

Deno.test("the timeline's slider is in proportion to the steps for short runs", () => {
  const scale = new StepScale(100);
  assert.equal(scale.log, false);
  assert.equal(scale.position(0), 0);
  assert.equal(scale.position(100), POSITIONS);
  // A quarter along is step 25, and the moment nearest it is picked.
  assert.equal(scale.step(POSITIONS / 4), 25);
  const moments = timelineSteps(100, 48);
  const i = nearestMoment(moments, scale, POSITIONS / 4);
  const best = Math.min(...moments.map((s) => Math.abs(s - 25)));
  assert.equal(Math.abs(moments[i] - 25), best);
  assert.deepEqual(scale.labels(), [0, 25, 50, 75, 100]);
});

Deno.test("the timeline's slider is logarithmic for runs over 1,000 steps", () => {
  const scale = new StepScale(300_000);
  assert.equal(scale.log, true);
  assert.equal(new StepScale(1000).log, false);
  // Half way along: about the square root of the steps.
  assert.ok(Math.abs(scale.step(POSITIONS / 2) - Math.sqrt(300_001)) < 5);
  for (const s of [0, 1, 10, 547, 30_000, 300_000]) {
    assert.ok(Math.abs(scale.step(scale.position(s)) - s) <= Math.max(1, s * 0.01), String(s));
  }
  assert.deepEqual(scale.labels(), [0, 10, 100, 1000, 10_000, 100_000]);
});

Deno.test("a log step axis has round ticks: powers of ten, with 2 and 5 over few decades", () => {
  assert.deepEqual(logStepTicks(1, 300_000), [1, 10, 100, 1000, 10_000, 100_000]);
  assert.deepEqual(logStepTicks(1, 500), [1, 2, 5, 10, 20, 50, 100, 200, 500]);
});

Deno.test("a chart's store thins a long stream but keeps its first steps and its last", () => {
  const store = new StepStore();
  const steps: Step[] = Array.from({ length: 100_000 }, (_, i) => ({
    step: i + 1,
    loss: 1,
    dataLoss: 1,
    lr: 1,
  }));
  for (let i = 0; i < steps.length; i += 500) store.add(steps.slice(i, i + 500));
  const kept = store.steps.map((s) => s.step);
  assert.ok(kept.length <= 1001, `${kept.length}`);
  assert.deepEqual(kept.slice(0, 100), steps.slice(0, 100).map((s) => s.step));
  assert.equal(kept.at(-1), 100_000);
});
