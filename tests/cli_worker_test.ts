import assert from "node:assert/strict";
import type { StartMessage } from "../workers/protocol.ts";
import { trainInWorker } from "../workers/client.ts";
import { runWorkerFixture } from "./_cli.ts";
import { startMessage } from "./_helpers.ts";
import { makeMoons } from "../mod.ts";

const data = makeMoons({ samples: 40, noise: 0.1, seed: 3 });

function start(steps: number): StartMessage {
  const settings = { layers: [8], steps, l2: 1e-4, seed: 1 };
  return startMessage({ x: data.x, y: data.y, classes: 2 }, settings, { grid: 10, chunkMs: 20 });
}

/** Runs the worker (with no permissions) on `message` in a subprocess. */
function outcomeOf(message: unknown, ...flags: string[]) {
  // deno-lint-ignore no-explicit-any
  return runWorkerFixture<any>("worker_outcome.ts", message, ...flags);
}

Deno.test("the worker trains, reports progress and sends the model, history and grid", async () => {
  const { progress, outcome } = await outcomeOf(start(30));
  assert.ok(progress >= 1);
  assert.equal(outcome.type, "done");
  assert.equal(outcome.status, "completed");
  assert.equal(outcome.stepsDone, 30);
  assert.equal(outcome.history.length, 30);
  assert.deepEqual(outcome.model.nouts, [8, 1]);
  assert.equal(outcome.grid.size, 10);
  assert.equal(outcome.grid.classes.length, 100);
});

Deno.test("a cancelled worker stops within a chunk and sends what it trained", async () => {
  const { outcome } = await outcomeOf(start(1_000_000), "--cancel");
  assert.equal(outcome.type, "done");
  assert.equal(outcome.status, "cancelled");
  assert.ok(outcome.stepsDone > 0 && outcome.stepsDone < 1_000_000);
  assert.equal(outcome.history.length, outcome.stepsDone);
});

Deno.test("an exception in the worker comes back as an error message", async () => {
  // Valid for the protocol, but a label of 5 does not fit two classes.
  const bad = start(10);
  bad.train = { ...bad.train, y: [5, ...bad.train.y.slice(1)] };
  const { outcome } = await outcomeOf(bad);
  assert.equal(outcome.type, "error");
  assert.equal(outcome.kind, "exception");
  assert.match(outcome.message, /label/i);
  assert.deepEqual(outcome.history, []);
});

Deno.test("the worker answers a malformed start with an error message", async () => {
  const { outcome } = await outcomeOf({ ...start(10), chunkMs: -1 });
  assert.equal(outcome.type, "error");
  assert.equal(outcome.kind, "exception");
  assert.match(outcome.message, /'chunkMs' is invalid/);
});

Deno.test("a worker given back after a cancelled run takes another start and trains as a fresh one", async () => {
  const kept: Worker[] = [];
  const stop = new AbortController();
  stop.abort();
  const cancelled = await trainInWorker(start(1_000_000), {
    signal: stop.signal,
    release: (w) => kept.push(w),
  });
  assert.equal(cancelled.type === "done" && cancelled.status, "cancelled");
  assert.equal(kept.length, 1);
  const other = startMessage({ x: data.x, y: data.y, classes: 2 }, { layers: [4, 4], seed: 7 }, {
    grid: 10,
    chunkMs: 20,
  });
  const again = await trainInWorker(other, { worker: kept[0] });
  const fresh = await trainInWorker(other);
  assert.equal(again.type === "done" && again.status, "completed");
  assert.deepEqual(again.history, fresh.history);
  assert.deepEqual(again.type === "done" && again.model, fresh.type === "done" && fresh.model);
});
