/**
 * A `--resume` file is checked whole before training: a tampered optimizer
 * state, step counts that disagree, or data that changed since (a CSV that
 * gained a column or a class) end with exit 2, one line naming the problem,
 * and nothing written. A resumed schedule goes on from its last learning rate.
 */
import assert from "node:assert/strict";
import { listFiles, runCli } from "./_cli.ts";

type Doc = Record<string, unknown> & {
  stepsDone: number;
  config: Record<string, unknown>;
  optimizer: Record<string, unknown> & { m?: number[]; v?: number[]; buffers?: number[] };
};

const CSV = "a,b,label\n" +
  Array.from({ length: 24 }, (_, i) => `${(i % 7) / 3},${(i % 5) / 2},${i % 2}`).join("\n") + "\n";

/** A folder with an Adam run (`adam/`), a momentum run (`momentum/`) and a CSV run (`csv/`). */
async function runs(): Promise<string> {
  const cwd = await Deno.makeTempDir({ prefix: "denograd_resume_" });
  await Deno.writeTextFile(`${cwd}/data.csv`, CSV);
  const base = ["train", "--quiet", "--layers", "4", "--steps", "6"];
  for (
    const [out, args] of [
      ["adam", ["--optimizer", "adam"]],
      ["momentum", ["--optimizer", "momentum"]],
      ["csv", ["--dataset", "data.csv", "--optimizer", "adam"]],
    ] as const
  ) {
    const r = await runCli([...base, ...args, "--out", out], { cwd });
    assert.equal(r.code, 0, r.stderr);
  }
  return cwd;
}

const cwd = await runs();
globalThis.addEventListener("unload", () => Deno.removeSync(cwd, { recursive: true }));
const read = (run: string): Doc => JSON.parse(Deno.readTextFileSync(`${cwd}/${run}/model.json`));

/** Each tampering: the run it starts from, what it changes, and what the one line says. */
const CASES: [string, string, (doc: Doc) => void, RegExp][] = [
  ["an Adam moment short of an entry", "adam", (d) => {
    d.optimizer.m!.pop();
  }, /'m' must be an array of \d+ numbers: current length is \d+/],
  ["a second moment that is not finite", "adam", (d) => {
    d.optimizer.v![2] = 1e999;
  }, /'optimizer\.v\.2' is invalid/],
  ["a negative optimizer lr", "adam", (d) => {
    d.optimizer.lr = -1;
  }, /its optimizer's lr is -1 but the run's last step used/],
  ["SGD state in an Adam run", "adam", (d) => {
    d.optimizer = read("momentum").optimizer;
  }, /holds sgd optimizer state, but its run's optimizer is adam/],
  ["a changed beta1", "adam", (d) => {
    d.optimizer.beta1 = 0.5;
  }, /'beta1' must be 0\.9 \(this optimizer's\): current value is 0\.5/],
  ["an optimizer step count that disagrees with the run's", "adam", (d) => {
    d.optimizer.steps = 2;
  }, /its optimizer has made 2 steps but the run 6/],
  ["a run step count that disagrees with its history", "adam", (d) => {
    d.stepsDone = 5;
    (d.optimizer as { steps: number }).steps = 5;
  }, /must have one row per step done \(5\)/],
  ["momentum buffers short of an entry", "momentum", (d) => {
    d.optimizer.buffers!.pop();
  }, /'buffers' must have \d+ entries: current count is \d+/],
  ["momentum buffers that are not numbers", "momentum", (d) => {
    (d.optimizer.buffers as unknown[])[0] = "x";
  }, /'optimizer\.buffers\.0' is invalid/],
  ["an optimizer changed in the config", "adam", (d) => {
    d.config.optimizer = "sgd";
  }, /holds adam optimizer state, but its run's optimizer is sgd/],
];

for (const [name, run, tamper, message] of CASES) {
  Deno.test(`--resume refuses ${name}: exit 2, one line, nothing written`, async () => {
    const doc = read(run);
    tamper(doc);
    Deno.writeTextFileSync(`${cwd}/${run}/tampered.json`, JSON.stringify(doc));
    try {
      const before = listFiles(cwd);
      for (const out of [[], ["--out", "next"]]) {
        const r = await runCli(["train", "--resume", `${run}/tampered.json`, ...out], { cwd });
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /^Cannot train as [^\n]+\n$/);
        assert.match(r.stderr, message);
        assert.deepEqual(listFiles(cwd), before);
      }
    } finally {
      Deno.removeSync(`${cwd}/${run}/tampered.json`);
    }
  });
}

/** Data changes after the run: the CSV file as it now is, and what the one line says. */
const DATA_CASES: [string, string, RegExp][] = [
  [
    "a CSV file that gained a column",
    CSV.split("\n").map((l, i) =>
      l === "" ? l : i === 0 ? `a,b,c,label` : l.replace(/,(\d)$/, ",1,$1")
    )
      .join("\n"),
    /was trained on inputs a, b, but its data "data\.csv" now has a, b, c$/m,
  ],
  [
    "a CSV file whose columns were renamed",
    CSV.replace("a,b,label", "b,a,label"),
    /was trained on inputs a, b, but its data "data\.csv" now has b, a$/m,
  ],
  [
    "a CSV file that gained a class",
    CSV + "1,1,2\n",
    /was trained on classes 0, 1, but its data "data\.csv" now has 0, 1, 2$/m,
  ],
];

for (const [name, csv, message] of DATA_CASES) {
  Deno.test(`--resume refuses ${name}: exit 2, one line, nothing written`, async () => {
    Deno.writeTextFileSync(`${cwd}/data.csv`, csv);
    try {
      const before = listFiles(cwd);
      const r = await runCli(["train", "--resume", "csv/model.json"], { cwd });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^Cannot train as [^\n]+\n$/);
      assert.match(r.stderr, message);
      assert.deepEqual(listFiles(cwd), before);
    } finally {
      Deno.writeTextFileSync(`${cwd}/data.csv`, CSV);
    }
  });
}

Deno.test("a resumed linear schedule goes on from the run's last lr, never back up", async () => {
  const r = await runCli(["train", "--steps", "50", "--layers", "4", "--out", "lin"], { cwd });
  assert.equal(r.code, 0, r.stderr);
  const again = await runCli(["train", "--resume", "lin/model.json", "--out", "lin2"], { cwd });
  assert.equal(again.code, 0, again.stderr);
  const [head, ...rows] = Deno.readTextFileSync(`${cwd}/lin2/history.csv`).trim().split("\n");
  const column = head.split(",").indexOf("lr");
  const lrs = rows.map((row) => Number(row.split(",")[column]));
  assert.equal(lrs.length, 100);
  // The first run's last step: 1 * (1 - 0.9 * 49 / 50) = 0.118; the resumed run starts there.
  assert.ok(Math.abs(lrs[49] - 0.118) < 1e-12, String(lrs[49]));
  assert.equal(lrs[50], lrs[49]);
  for (let k = 1; k < lrs.length; k++) assert.ok(lrs[k] <= lrs[k - 1], `step ${k + 1}`);
  assert.ok(Math.abs(lrs[99] - 0.118 * (1 - 0.9 * 49 / 50)) < 1e-12, String(lrs[99]));
  const resumed = JSON.parse(Deno.readTextFileSync(`${cwd}/lin2/model.json`));
  assert.equal(resumed.config.lr, lrs[49]);
  assert.match(resumed.command, /--lr 0\.118\d* /);
});
