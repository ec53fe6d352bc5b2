import assert from "node:assert/strict";
import { loopSettings, makeMoons, Mlp, trainSteps } from "../mod.ts";
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

Deno.test("every timeline snapshot holds the weights and grads of its step, as the Value engine's", async () => {
  const message = start(40, { timeline: 12, liveMs: 0 });
  const r = await run(message);
  const timeline = r.snapshots.filter((s) => s.timeline);
  // The worker trains on the compiled engine, its parameters in flat arrays between snapshots.
  const model = new Mlp(message.spec.nin, message.spec.nouts, { seed: message.spec.seed });
  const params = model.parameters();
  const at = new Map<number, { params: number[]; grads: number[] }>();
  at.set(0, { params: params.map((p) => p.data), grads: params.map(() => 0) });
  const options = { ...loopSettings(message.spec), engine: "value" } as const;
  for (const m of trainSteps(model, data, options)) {
    at.set(m.step, { params: params.map((p) => p.data), grads: params.map((p) => p.grad) });
  }
  assert.ok(timeline.length >= 10);
  for (const s of timeline) {
    assert.deepEqual(s.params.values, at.get(s.step)!.params, `params at step ${s.step}`);
    assert.deepEqual(s.grads.values, at.get(s.step)!.grads, `grads at step ${s.step}`);
  }
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
