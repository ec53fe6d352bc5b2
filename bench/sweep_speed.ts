/**
 * How much a sweep gains from a second worker: the 24-trial sweep of the
 * issue (3 lr x 2 layers x 4 seeds) run as the CLI runs it, alternately with
 * `--workers 1` and `--workers 2`, each into a fresh folder, for several
 * rounds; prints each run's wall time and CPU time (user + sys, read from
 * `/proc` for the child and its threads) and the median ratio of the 2-worker
 * time to the 1-worker time. Timings on a shared machine are noisy: read the
 * CPU column (what the work costs) beside the wall column (what it took).
 *
 * ```sh
 * deno run -A bench/sweep_speed.ts            # 5 rounds
 * deno run -A bench/sweep_speed.ts --rounds 9
 * deno run -A bench/sweep_speed.ts --trial="--steps 2000 --samples 400"  # heavier trials
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: { rounds: { type: "string" }, trial: { type: "string" } },
});
const ROUNDS = Number(values.rounds ?? 5);
/** `train` flags added to every trial (`--trial="--steps 1000"`). */
const TRIAL = (values.trial ?? "").split(/\s+/).filter(Boolean);
const ROOT = new URL("..", import.meta.url).pathname;
const GRID = [
  ...["--lr", "0.03", "--lr", "0.1", "--lr", "0.3"],
  ...["--layers", "8", "--layers", "16,16"],
  ...["--seed", "1", "--seed", "2", "--seed", "3", "--seed", "4"],
];

/** CPU seconds (user + sys) of a process and its threads so far, from /proc; 0 once it is gone. */
function cpuOf(pid: number): number {
  try {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** One sweep: its wall time and the CPU time last seen, in seconds. */
async function sweep(workers: number): Promise<{ wall: number; cpu: number }> {
  const out = await Deno.makeTempDir({ prefix: "denograd_sweep_speed_" });
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "cli/main.ts",
      "sweep",
      ...GRID,
      ...TRIAL,
      "--out",
      `${out}/s`,
      "--workers",
      String(workers),
      "--quiet",
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let cpu = 0;
  const watch = setInterval(() => cpu = Math.max(cpu, cpuOf(child.pid)), 20);
  const { code, stderr } = await child.output();
  clearInterval(watch);
  const wall = (performance.now() - t0) / 1000;
  await Deno.remove(out, { recursive: true });
  if (code !== 0) throw new Error(`sweep failed: ${new TextDecoder().decode(stderr)}`);
  return { wall, cpu };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratios: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const one = await sweep(1);
  const two = await sweep(2);
  ratios.push(two.wall / one.wall);
  console.log(
    `round ${round}: 1 worker ${one.wall.toFixed(2)} s (CPU ${one.cpu.toFixed(2)} s), ` +
      `2 workers ${two.wall.toFixed(2)} s (CPU ${two.cpu.toFixed(2)} s), ratio ${
        ratios.at(-1)!.toFixed(2)
      }`,
  );
}
console.log(`median ratio of 2 workers to 1: ${median(ratios).toFixed(2)} over ${ROUNDS} rounds`);
