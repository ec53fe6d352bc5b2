import assert from "node:assert/strict";
import { makeMoons, Mlp } from "../mod.ts";
import type { StartMessage } from "../workers/protocol.ts";
import { mlpJsonOf, timelineSteps } from "../workers/snapshots.ts";
import { runWorkerFixture } from "./_cli.ts";
import { startMessage } from "./_helpers.ts";

const data = makeMoons({ samples: 40, noise: 0.1, seed: 3 });

function start(steps: number, watch: StartMessage["watch"], chunkMs = 20): StartMessage {
  const settings = { layers: [8], steps, l2: 1e-4, seed: 1 };
  return {
    ...startMessage({ x: data.x, y: data.y, classes: 2 }, settings, { grid: 10, chunkMs }),
    watch,
  };
}

type Typed = { typed: string; values: number[] };
interface Result {
  snapshots: {
    step: number;
    params: Typed;
    grads: Typed;
    timeline: boolean;
    grid?: { size: number; classes: Typed; confidence: Typed };
  }[];
  outcome: { type: string; status?: string; stepsDone?: number; model?: unknown };
}

function run(message: StartMessage, ...flags: string[]): Promise<Result> {
  return runWorkerFixture<Result>("worker_snapshots.ts", message, ...flags);
}

Deno.test("the worker sends the timeline's moments, dense early, with the model at each", async () => {
  const r = await run(start(300, { timeline: 20, liveMs: 0 }));
  assert.equal(r.outcome.type, "done");
  const timeline = r.snapshots.filter((s) => s.timeline);
  assert.deepEqual(timeline.map((s) => s.step), timelineSteps(300, 20));
  assert.equal(r.snapshots.length, timeline.length, "no live snapshots unless asked");
  for (const s of timeline) {
    assert.equal(s.params.typed, "Float64Array");
    assert.equal(s.params.values.length, 3 * 8 + 9 * 1);
  }
  // Before training: the model as built; at the end: the model the run ends with.
  const built = new Mlp(2, [8, 1], { seed: 1 }).parameters().map((p) => p.data);
  assert.deepEqual(timeline[0].params.values, built);
  assert.ok(timeline[0].grads.values.every((g) => g === 0));
  assert.deepEqual(mlpJsonOf(new Mlp(2, [8, 1]), timeline.at(-1)!.params.values), r.outcome.model);
  assert.ok(timeline.at(-1)!.grads.values.some((g) => g !== 0), "the last step's grads");
});

Deno.test("live snapshots carry a fresh decision grid as typed arrays", async () => {
  const r = await run(start(3000, { timeline: 0, liveMs: 1 }, 5));
  const live = r.snapshots.filter((s) => !s.timeline);
  assert.ok(live.length >= 2, `live snapshots: ${live.length}`);
  for (const s of live) {
    assert.equal(s.grid?.size, 10);
    assert.equal(s.grid?.classes.typed, "Uint8Array");
    assert.equal(s.grid?.confidence.typed, "Float64Array");
    assert.equal(s.grid?.classes.values.length, 100);
  }
  const steps = live.map((s) => s.step);
  assert.deepEqual(steps, [...steps].sort((a, b) => a - b), "in order");
  assert.ok(steps.at(-1)! > steps[0], "taken as training goes");
});

Deno.test("a cancelled run's last moment joins the timeline", async () => {
  const r = await run(start(1_000_000, { timeline: 48, liveMs: 0 }), "--cancel");
  assert.equal(r.outcome.status, "cancelled");
  const last = r.snapshots.at(-1)!;
  assert.equal(last.timeline, true);
  assert.equal(last.step, r.outcome.stepsDone);
  assert.deepEqual(mlpJsonOf(new Mlp(2, [8, 1]), last.params.values), r.outcome.model);
});
