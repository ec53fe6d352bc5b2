/**
 * The plan of a sweep: which `train` flags vary and the trials they make.
 * A setting flag given more than once is a grid axis; with `--random N`, a
 * flag may also be a range (`--lr 0.001..1`) sampled from `--sweep-seed`.
 * Which flags exist and how each value is read and checked come from the
 * settings table through the CLI's own flag reading (`config.ts`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { parseDecimal, Rng, SETTING_KEYS, type SettingKey, SETTINGS } from "../mod.ts";
import { show, UsageError } from "./_errors.ts";
import { type FlagValues, parseFlags } from "./_flags.ts";
import { configFlagOptions, configFromFlags } from "./config.ts";

/** The most trials one sweep may hold. */
export const MAX_TRIALS = 10_000;

/** The format tag of `sweep.json`. */
export const SWEEP_FORMAT = "denograd.sweep/1";

/** The flags of the sweep itself (the settings' flags come from the table). */
export const SWEEP_OPTIONS = {
  random: { type: "string" },
  "sweep-seed": { type: "string" },
  workers: { type: "string" },
  out: { type: "string" },
  shard: { type: "string" },
  index: { type: "string" },
  commands: { type: "boolean" },
  quiet: { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** One trial: its folder's name and its `train` settings flags. */
export interface Trial {
  /** The trial's folder in the sweep folder, `trial-007`. */
  name: string;
  /** Its settings as `train` flags, in table order. */
  args: string[];
}

/** What `sweep.json` holds: the plan, the same for every shard that runs it. */
export interface SweepPlan {
  /** {@linkcode SWEEP_FORMAT}. */
  format: typeof SWEEP_FORMAT;
  /** The sweep's own flags that make this plan (no `--out`, `--workers`, `--shard`...). */
  args: string[];
  /** The settings that vary across trials, in table order. */
  varying: SettingKey[];
  /** Every trial, in order; a trial's index is its place here. */
  trials: Trial[];
}

/** The sweep's flags read, with the plan they make. */
export interface SweepRequest {
  /** The flags of the sweep itself. */
  values: FlagValues;
  /** The plan. */
  plan: SweepPlan;
}

const FLAG_TO_KEY = new Map<string, SettingKey>(SETTING_KEYS.map((k) => [SETTINGS[k].flag, k]));

function fail(why: string): never {
  throw new UsageError(`Cannot sweep as ${why}`);
}

/** Checks one setting's text with the `train` reading of its flag; the message says "sweep". */
function checkValue(flag: string, text: string): unknown {
  try {
    const config = configFromFlags({ [flag]: text }) as Record<string, unknown>;
    return config[FLAG_TO_KEY.get(flag)!];
  } catch (error) {
    if (error instanceof UsageError) {
      throw new UsageError(error.message.replace(/^Cannot train as /, "Cannot sweep as "));
    }
    throw error;
  }
}

/**
 * Splits `args` into the settings' values (a list per flag, in the order
 * given) and the other arguments, which go through the strict `parseFlags`.
 */
function splitArgs(args: string[]): { lists: Map<SettingKey, string[]>; values: FlagValues } {
  const settings = configFlagOptions();
  const options = { ...settings, ...SWEEP_OPTIONS };
  const { tokens } = parseArgs({
    args,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const lists = new Map<SettingKey, string[]>();
  const taken = new Set<number>();
  for (const token of tokens) {
    if (token.kind === "option-terminator") break;
    if (token.kind !== "option" || !Object.hasOwn(settings, token.name)) continue;
    if (!token.rawName.startsWith("--")) continue;
    const value = token.value;
    if (
      value === undefined ||
      (!token.inlineValue && value.startsWith("-") && !Number.isFinite(parseDecimal(value)))
    ) {
      fail(`'--${token.name}' needs a value: see 'denograd sweep --help'`);
    }
    const key = FLAG_TO_KEY.get(token.name)!;
    const list = lists.get(key) ?? [];
    if (list.includes(value!)) fail(`'--${token.name}' is given ${show(value)} twice`);
    list.push(value!);
    lists.set(key, list);
    taken.add(token.index);
    if (!token.inlineValue) taken.add(token.index + 1);
  }
  const rest = args.filter((_, i) => !taken.has(i));
  return { lists, values: parseFlags("sweep", rest, options).values };
}

/** A whole number from `min` to `max`, or a usage error naming the flag. */
export function intFlag(
  values: FlagValues,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  const text = values[flag];
  if (text === undefined) return undefined;
  const n = typeof text === "string" ? parseDecimal(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    fail(
      `'--${flag}' must be a whole number from ${min} to ${max}: current value is ${show(text)}`,
    );
  }
  return n;
}

/** A range `lo..hi` of a numeric setting, checked; undefined when `text` is no range. */
function rangeOf(key: SettingKey, text: string): [number, number] | undefined {
  const m = /^(.*)\.\.(.*)$/.exec(text);
  if (m === null) return undefined;
  const { flag, kind } = SETTINGS[key];
  if (kind.type !== "int" && kind.type !== "number") {
    fail(`'--${flag}' takes no range (only numbers do): current value is ${show(text)}`);
  }
  const lo = checkValue(flag, m[1]) as number;
  const hi = checkValue(flag, m[2]) as number;
  if (!(lo < hi)) {
    fail(`the range of '--${flag}' must go from low to high: current value is ${show(text)}`);
  }
  return [lo, hi];
}

/** A value drawn from `[lo, hi]`: log-uniform for a positive-only setting (the lr), else uniform. */
function sample(key: SettingKey, [lo, hi]: [number, number], rng: Rng): string {
  const kind = SETTINGS[key].kind;
  const u = rng.float();
  const logScale = kind.type === "number" && "aboveMin" in kind && kind.aboveMin === true &&
    lo > 0;
  const x = logScale
    ? Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo)))
    : lo + u * (hi - lo);
  // Four significant digits: the trial's command line gives the same number back.
  const v = kind.type === "int" ? Math.round(x) : Number(x.toPrecision(4));
  return String(Math.min(hi, Math.max(lo, v)));
}

/** The `train` flags of one trial's settings, in table order. */
function trialArgs(chosen: Map<SettingKey, string>): string[] {
  return SETTING_KEYS.filter((k) => chosen.has(k)).flatMap((k) => [
    `--${SETTINGS[k].flag}`,
    chosen.get(k)!,
  ]);
}

function trialName(i: number, count: number): string {
  return `trial-${String(i).padStart(Math.max(3, String(count - 1).length), "0")}`;
}

/**
 * Reads the sweep's arguments and makes its plan.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planSweep } from "./_sweep_plan.ts";
 * const { plan } = planSweep(["--lr", "0.01", "--lr", "0.1", "--seed", "1", "--seed", "2"]);
 * assert.equal(plan.trials.length, 4);
 * assert.deepEqual(plan.trials[1].args, ["--lr", "0.01", "--seed", "2"]);
 * ```
 *
 * @throws {UsageError} for a bad flag or value, no varying setting, or too many trials.
 */
export function planSweep(args: string[]): SweepRequest {
  const { lists, values } = splitArgs(args);
  if (values.help) {
    return { values, plan: { format: SWEEP_FORMAT, args: [], varying: [], trials: [] } };
  }
  const random = intFlag(values, "random", 1, MAX_TRIALS);
  const seed = intFlag(values, "sweep-seed", 0, 2 ** 32 - 1) ?? 0;
  if (random === undefined && values["sweep-seed"] !== undefined) {
    fail("'--sweep-seed' is for --random N: a grid has no randomness");
  }
  // Each value checked as `train` would read it; ranges only with --random.
  const ranges = new Map<SettingKey, [number, number]>();
  for (const [key, list] of lists) {
    for (const text of list) {
      const range = rangeOf(key, text);
      if (range === undefined) checkValue(SETTINGS[key].flag, text);
      else if (random === undefined) {
        fail(`'--${SETTINGS[key].flag}' ${show(text)} is a range: ranges need --random N`);
      } else if (list.length > 1) {
        fail(`'--${SETTINGS[key].flag}' ${show(text)} is a range: give a range once, alone`);
      } else ranges.set(key, range);
    }
  }
  const keys = SETTING_KEYS.filter((k) => lists.has(k));
  const varying = keys.filter((k) => lists.get(k)!.length > 1 || ranges.has(k));
  if (varying.length === 0) {
    fail(
      "no setting varies: give a flag more than once (--lr 0.01 --lr 0.1), or --random N with a range (--lr 0.001..1)",
    );
  }
  const trials: Trial[] = [];
  if (random === undefined) {
    let count = 1;
    for (const k of varying) count *= lists.get(k)!.length;
    if (count > MAX_TRIALS) {
      fail(`its grid has ${count} trials: a sweep holds at most ${MAX_TRIALS}`);
    }
    for (let i = 0; i < count; i++) {
      // The last flag varies fastest, as in a nested loop written in the table's order.
      const chosen = new Map<SettingKey, string>();
      let rest = i;
      for (const k of [...keys].reverse()) {
        const list = lists.get(k)!;
        chosen.set(k, list[rest % list.length]);
        rest = Math.floor(rest / list.length);
      }
      trials.push({ name: trialName(i, count), args: trialArgs(chosen) });
    }
  } else {
    const rng = new Rng(seed);
    for (let i = 0; i < random; i++) {
      const chosen = new Map<SettingKey, string>();
      for (const k of keys) {
        const list = lists.get(k)!;
        const range = ranges.get(k);
        chosen.set(
          k,
          range ? sample(k, range, rng) : list[Math.floor(rng.float() * list.length)],
        );
      }
      trials.push({ name: trialName(i, random), args: trialArgs(chosen) });
    }
  }
  const planArgs = [
    ...keys.flatMap((k) => lists.get(k)!.flatMap((v) => [`--${SETTINGS[k].flag}`, v])),
    ...(random === undefined ? [] : ["--random", String(random), "--sweep-seed", String(seed)]),
  ];
  return { values, plan: { format: SWEEP_FORMAT, args: planArgs, varying, trials } };
}
