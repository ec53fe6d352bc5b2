/**
 * Peak memory of the CLI at the largest sizes its flags allow, each run in
 * a fresh process under `/usr/bin/time` (its maximum resident set size) and
 * a V8 heap cap, so a run that would exhaust memory fails here, not the
 * machine:
 *
 * - the largest model the CLI accepts: 8 hidden layers of 1024 units, one step, on moons;
 * - the largest data: 100,000 rows, one step, compiled; and with the `value` engine in
 *   batches of 50,000 (a whole-set step of the `value` engine is refused up front);
 * - `predict` with the largest model on 1,000 points, and with the default model on 100,000.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-run --allow-env bench/peak_memory.ts          # all cases
 * deno run --allow-read --allow-write --allow-run --allow-env bench/peak_memory.ts --heap 4096 model
 * ```
 *
 * Prints one line per case: exit code, wall time and peak RSS.
 *
 * @module
 */
const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const args = [...Deno.args];
const heapAt = args.indexOf("--heap");
const heapMb = heapAt >= 0 ? Number(args.splice(heapAt, 2)[1]) : 8192;
const only = args.filter((a) => !a.startsWith("-"));

const work = await Deno.makeTempDir({ prefix: "denograd_peak_" });
// The largest model the CLI accepts: 8 hidden layers of 1024 (7.35 million parameters, under
// MAX_PARAMETERS in cli/setup.ts); 9 would have 8.4 million and are refused up front.
const LARGEST_LAYERS = Array(8).fill(1024).join(",");

/** Runs the CLI with `cliArgs` under /usr/bin/time; resolves with code, seconds and peak RSS in MiB. */
async function measure(cliArgs: string[], stdinFile?: string) {
  const deno = [
    Deno.execPath(),
    "run",
    "--quiet",
    `--config=${ROOT}/deno.json`,
    `--v8-flags=--max-old-space-size=${heapMb}`,
    "--allow-read",
    `--allow-write=${work}`,
    `${ROOT}/cli/main.ts`,
    ...cliArgs,
  ];
  const quoted = deno.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const t0 = performance.now();
  const out = await new Deno.Command("sh", {
    args: [
      "-c",
      `/usr/bin/time -f '%M' -o '${work}/time.txt' ${quoted}${
        stdinFile ? ` < '${stdinFile}'` : ""
      } > '${work}/stdout.txt'`,
    ],
    cwd: work,
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  const lines = Deno.readTextFileSync(`${work}/time.txt`).trim().split("\n");
  const rssMb = Number(lines.at(-1)) / 1024;
  const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-1)[0] ?? "";
  return { code: out.code, seconds, rssMb, stderr };
}

const points = Array.from({ length: 100_000 }, (_, i) => {
  const t = (i * 0.7548776662) % 1;
  const u = (i * 0.5698402910) % 1;
  return `${(t * 4 - 2).toFixed(4)},${(u * 4 - 2).toFixed(4)},${i % 2}`;
});
Deno.writeTextFileSync(`${work}/big.csv`, `x1,x2,label\n${points.join("\n")}\n`);
Deno.writeTextFileSync(`${work}/small.csv`, `x1,x2,label\n${points.slice(0, 1000).join("\n")}\n`);

const cases: Record<string, () => Promise<Awaited<ReturnType<typeof measure>>>> = {
  model: () => measure(["train", "--layers", LARGEST_LAYERS, "--steps", "1", "--out", "model"]),
  data: () => measure(["train", "--dataset", "big.csv", "--steps", "1", "--out", "data"]),
  // The value engine builds a graph per step: 100,000 rows at once are refused up front, half
  // of them per batch fit.
  "data-value": () =>
    measure([
      "train",
      "--dataset",
      "big.csv",
      "--engine",
      "value",
      "--batch-size",
      "50000",
      "--steps",
      "1",
      "--out",
      "data-value",
    ]),
  predict: async () => {
    try {
      Deno.statSync(`${work}/model/model.json`);
    } catch {
      const t = await measure([
        "train",
        "--layers",
        LARGEST_LAYERS,
        "--steps",
        "1",
        "--out",
        "model",
      ]);
      if (t.code !== 0) return { ...t, stderr: `no model to predict with: ${t.stderr}` };
    }
    // 7.35 million multiply-adds a point: 1,000 points take about as long as the training step.
    return measure(["predict", "--model", "model/model.json"], `${work}/small.csv`);
  },
  "predict-data": async () => {
    try {
      Deno.statSync(`${work}/data/model.json`);
    } catch {
      const t = await measure(["train", "--dataset", "big.csv", "--steps", "1", "--out", "data"]);
      if (t.code !== 0) return { ...t, stderr: `no model to predict with: ${t.stderr}` };
    }
    return measure(["predict", "--model", "data/model.json"], `${work}/big.csv`);
  },
};

console.log(`heap cap ${heapMb} MiB`);
for (const [name, run] of Object.entries(cases)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const r = await run();
  console.log(
    `${name}: exit ${r.code}, ${r.seconds.toFixed(1)} s, peak RSS ${r.rssMb.toFixed(0)} MiB${
      r.code === 0 ? "" : `: ${r.stderr.slice(0, 160)}`
    }`,
  );
}
await Deno.remove(work, { recursive: true });
