import assert from "node:assert/strict";
import { makeProgress } from "../cli/_progress.ts";
import type { ProgressMessage } from "../workers/protocol.ts";

function update(done: number, steps = 1000): ProgressMessage {
  const metrics = { step: done - 1, loss: 1 / done, dataLoss: 1 / done, accuracy: 0.5, lr: 0.1 };
  return {
    type: "progress",
    metrics,
    newSteps: [metrics],
    done,
    steps,
    elapsedMs: done,
  };
}

function capture(format: "text" | "ndjson", tty: boolean, quiet = false) {
  const out: string[] = [];
  const progress = makeProgress({ format, tty, quiet, columns: 100, write: (t) => out.push(t) });
  for (let done = 1; done <= 1000; done++) progress.update(update(done));
  progress.end();
  return out;
}

Deno.test("on a terminal, progress is one bar redrawn in place, not once per update", () => {
  const out = capture("text", true);
  assert.ok(out.length < 100, `${out.length} writes for 1000 updates`);
  const draws = out.filter((t) => t.startsWith("\r\x1b[2K"));
  assert.equal(draws.length, out.length - 1);
  assert.equal(out.at(-1), "\n");
  assert.match(draws.at(-1)!, /█+ step 1000\/1000 {2}loss 0\.0010 {2}acc 50\.0% {2}ETA 0s$/);
  assert.ok(draws.every((d) => !d.includes("\n")));
});

Deno.test("ending the bar redraws it, wiping a ^C the terminal echoed, then ends the line", () => {
  const out: string[] = [];
  const progress = makeProgress({
    format: "text",
    tty: true,
    quiet: false,
    write: (t) => out.push(t),
  });
  progress.update(update(5));
  progress.end();
  assert.equal(out.length, 3);
  assert.equal(out[1], out[0]);
  assert.ok(out[1].startsWith("\r\x1b[2K"), "the line is cleared first");
  assert.match(out[1], / 5\/1000 /);
  assert.equal(out[2], "\n");
  progress.end();
  assert.equal(out.length, 3, "a second end() writes nothing");
});

Deno.test("on a narrow terminal the bar gives way and the line never wraps", () => {
  for (const columns of [40, 60]) {
    const out: string[] = [];
    const progress = makeProgress({
      format: "text",
      tty: true,
      quiet: false,
      columns,
      write: (t) => out.push(t),
    });
    progress.update(update(500));
    const line = out[0].replace("\r\x1b[2K", "");
    assert.ok(line.length <= columns - 1, `${line.length} characters on ${columns} columns`);
    if (columns === 60) assert.match(line, /^█+░+ step +500\/1000 .* ETA 0\.5s$/);
    else assert.match(line, /^step +500\/1000 {2}loss/, "no bar, the numbers first");
  }
});

Deno.test("the bar follows the terminal's width when it is resized during a run", () => {
  const out: string[] = [];
  let columns = 100;
  const progress = makeProgress({
    format: "text",
    tty: true,
    quiet: false,
    columns: () => columns,
    write: (t) => out.push(t),
  });
  progress.update(update(100));
  columns = 40;
  progress.end();
  assert.ok(out[0].length > 60, "first drawn at 100 columns");
  assert.ok(out[1].replace("\r\x1b[2K", "").length <= 39, "then redrawn within 40");
});

Deno.test("piped, progress is a plain line at the start and at each tenth of the run", () => {
  const out = capture("text", false);
  assert.equal(out.length, 11);
  assert.match(out[0], /^step 1\/1000 /);
  assert.match(
    out[1],
    /^step 100\/1000 \(before its update\) {2}loss 0\.0100 {2}accuracy 50\.0% {2}lr 0\.100\n$/,
  );
  assert.match(out[10], /^step 1000\/1000 /);
});

Deno.test("progress labels the loss with L2 apart from the data loss when they differ", () => {
  const out: string[] = [];
  const text = makeProgress({
    format: "text",
    tty: false,
    quiet: false,
    write: (t) => out.push(t),
  });
  const m = update(10, 10);
  m.metrics = { ...m.metrics, loss: 0.25, dataLoss: 0.2 };
  text.update(m);
  assert.match(
    out[0],
    /^step 10\/10 \(before its update\) {2}loss 0\.2500 \(data loss 0\.2000 \+ penalty\)/,
  );
  const bar: string[] = [];
  const tty = makeProgress({ format: "text", tty: true, quiet: false, write: (t) => bar.push(t) });
  tty.update(m);
  assert.match(bar[0], /step 10\/10 {2}loss 0\.2500 \(data 0\.2000 \+ penalty\) {2}acc 50\.0%/);
});

Deno.test("ndjson progress is one JSON object per update", () => {
  const out = capture("ndjson", false);
  assert.equal(out.length, 1000);
  const last = JSON.parse(out[999]);
  assert.deepEqual(
    { type: last.type, done: last.done, steps: last.steps, step: last.step },
    { type: "progress", done: 1000, steps: 1000, step: 999 },
  );
});

Deno.test("quiet progress writes nothing", () => {
  assert.deepEqual(capture("text", true, true), []);
  assert.deepEqual(capture("ndjson", false, true), []);
});
