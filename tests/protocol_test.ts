import assert from "node:assert/strict";
import { Mlp } from "../mod.ts";
import { startMessage } from "./_helpers.ts";
import {
  type FromWorker,
  parseFromWorker,
  parseToWorker,
  ProtocolError,
  type StartMessage,
} from "../workers/protocol.ts";

const START: StartMessage = startMessage(
  { x: [[0, 1], [1, 0]], y: [0, 1], classes: 2 },
  { layers: [4], steps: 10, seed: 1 },
  { grid: 20 },
);

const STEP = { step: 1, loss: 1.2, dataLoss: 1.1, accuracy: 0.5, lr: 1 };

const DONE: FromWorker = {
  type: "done",
  status: "completed",
  stepsDone: 1,
  model: new Mlp(2, [1], { seed: 1 }).toJSON(),
  final: { trainLoss: 1, trainAccuracy: 0.5 },
  elapsedMs: 3,
};

/** `base` with the value at `path` replaced (or removed when `value` is undefined). */
function withValue(base: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}

Deno.test("the worker accepts well-formed start and cancel messages", () => {
  assert.deepEqual(parseToWorker(START), START);
  assert.deepEqual(parseToWorker({ type: "cancel" }), { type: "cancel" });
});

Deno.test("the worker rejects malformed messages", async (t) => {
  const cases: [string, unknown][] = [
    ["not an object", "start"],
    ["null", null],
    ["no type", { spec: START.spec }],
    ["an unknown type", { type: "pause" }],
    ["a start without a spec", withValue(START, ["spec"], undefined)],
    ["a negative learning rate", withValue(START, ["spec", "lr"], -1)],
    ["a learning rate that is a string", withValue(START, ["spec", "lr"], "1")],
    ["zero steps", withValue(START, ["spec", "steps"], 0)],
    ["fractional steps", withValue(START, ["spec", "steps"], 1.5)],
    ["an unknown loss", withValue(START, ["spec", "loss"], "hinge")],
    ["an unknown engine", withValue(START, ["spec", "engine"], "gpu")],
    ["a model with no layers", withValue(START, ["spec", "nouts"], [])],
    ["a feature that is NaN", withValue(START, ["train", "x", 0, 0], NaN)],
    ["an infinite feature", withValue(START, ["train", "x", 1, 1], Infinity)],
    ["a negative label", withValue(START, ["train", "y", 0], -1)],
    ["one class", withValue(START, ["train", "classes"], 1)],
    ["a grid too fine", withValue(START, ["grid"], 10_000)],
    ["a chunk of 0 ms", withValue(START, ["chunkMs"], 0)],
  ];
  for (const [name, message] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseToWorker(message), ProtocolError);
    });
  }
});

Deno.test("the main thread accepts well-formed worker messages", () => {
  const progress: FromWorker = {
    type: "progress",
    metrics: { ...STEP, testLoss: 1, testAccuracy: 1 },
    newSteps: [STEP, { ...STEP, testLoss: 1, testAccuracy: 1 }],
    done: 1,
    steps: 10,
    elapsedMs: 2,
  };
  assert.deepEqual(parseFromWorker(progress), progress);
  assert.deepEqual(parseFromWorker(DONE), DONE);
  const error: FromWorker = {
    type: "error",
    kind: "diverged",
    message: "Cannot train",
    step: 3,
    elapsedMs: 1,
  };
  assert.deepEqual(parseFromWorker(error), error);
});

Deno.test("the main thread rejects malformed worker messages", async (t) => {
  const cases: [string, unknown][] = [
    ["an unknown type", { type: "finished" }],
    ["progress without metrics", { type: "progress", done: 1, steps: 2, elapsedMs: 0 }],
    ["progress with a NaN loss", {
      type: "progress",
      metrics: { ...STEP, loss: NaN },
      newSteps: [{ ...STEP, loss: NaN }],
      done: 1,
      steps: 2,
      elapsedMs: 0,
    }],
    ["progress with no new steps", {
      type: "progress",
      metrics: STEP,
      newSteps: [],
      done: 1,
      steps: 2,
      elapsedMs: 0,
    }],
    ["a new step with an accuracy above 1", {
      type: "progress",
      metrics: STEP,
      newSteps: [{ ...STEP, accuracy: 1.5 }],
      done: 1,
      steps: 2,
      elapsedMs: 0,
    }],
    ["a final accuracy above 1", withValue(DONE, ["final", "trainAccuracy"], 1.5)],
    ["an unknown status", withValue(DONE, ["status"], "paused")],
    ["a model in another format", withValue(DONE, ["model", "format"], "mlp/2")],
    ["a model weight that is a string", withValue(DONE, ["model", "layers", 0, "biases", 0], "0")],
    ["done without final metrics", withValue(DONE, ["final"], undefined)],
    ["an error of an unknown kind", {
      type: "error",
      kind: "oops",
      message: "x",
      step: 0,
      elapsedMs: 0,
    }],
  ];
  for (const [name, message] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseFromWorker(message), ProtocolError);
    });
  }
});

Deno.test("a protocol error names the path of the bad field", () => {
  assert.throws(
    () => parseToWorker(withValue(START, ["spec", "lr"], -1)),
    /'spec\.lr' is invalid/,
  );
});
