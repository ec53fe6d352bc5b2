/**
 * The `train` settings as the CLI sees them: every flag, zod schema, help
 * line and config-file check is made from the one table in `nn/train/settings.ts`.
 *
 * @module
 */
import type { z } from "zod";
import {
  defaultLrTableText,
  expectOf,
  parseDecimal,
  REGRESSION_LR,
  type Setting,
  SETTING_KEYS,
  type SettingKey,
  type SettingKind,
  SETTINGS,
  type TrainSettings,
} from "../mod.ts";
import { orList } from "../nn/train/or_list.ts";
import { PartialSettingsSchema, settingSchema, TrainSettingsSchema } from "../workers/protocol.ts";
import { show, suggest, UsageError } from "./_errors.ts";

/** Every `train` setting, resolved: what `model.json` records as `config`. */
export type TrainConfig = TrainSettings;

/** A partial config: what flags or a file set. */
export type PartialConfig = Partial<TrainConfig>;

/** What the text of a flag means, by kind: numbers, names or lists. */
function fromFlag(kind: SettingKind, text: string): unknown {
  switch (kind.type) {
    case "int":
      return text.trim() === kind.word ? kind.word : parseDecimal(text);
    case "number":
      return parseDecimal(text);
    case "ints":
      if (text.trim() === kind.empty) return [];
      return text.trim() === "" ? [NaN] : text.split(",").map(parseDecimal);
    case "texts":
      return text.trim() === "" ? [] : text.split(",").map((t) => t.trim());
    default:
      return text;
  }
}

/** The schema of a full config, as `model.json` stores it. */
export const TrainConfigSchema: z.ZodType<TrainConfig> = TrainSettingsSchema;

/**
 * The schema of `model.json`'s `config` as read back: a file written by an
 * earlier version lacks the settings added since, which then take their
 * defaults (see the version rule in `cli/model_file.ts`).
 */
export const StoredConfigSchema: z.ZodType<PartialConfig> = PartialSettingsSchema;

/** The `--flag` of each setting. */
export function flagOf(key: SettingKey): string {
  return SETTINGS[key].flag;
}

function defaultText(key: SettingKey): string {
  const row = SETTINGS[key] as Setting<unknown>;
  if (row.defaultText !== undefined) return row.defaultText;
  const d = row.default;
  return Array.isArray(d) ? (d.length === 0 ? "none" : d.join(",")) : String(d);
}

/** One help line per setting: `--flag  what it sets (default ...)`. */
export function configHelp(): string[] {
  return SETTING_KEYS.map((k) => {
    const row = SETTINGS[k];
    const line = `  --${row.flag.padEnd(14)} ${row.help} (default ${defaultText(k)})`;
    if (line.length <= 100) return line;
    return `  --${row.flag.padEnd(14)} ${row.help}\n${" ".repeat(19)}(default ${defaultText(k)})`;
  });
}

/** Escapes a table cell's text for Markdown. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("*", "\\*");
}

/**
 * The flag table of `docs/flags.md`, made from the settings table: one row
 * per setting with its flag, its `model.json` key, the values it takes, its
 * default, what `--resume` does with it, and its help line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagTable } from "./config.ts";
 * const lines = flagTable().split("\n");
 * assert.match(lines[0], /^\| Flag \| `config` key \|/);
 * assert.ok(lines.some((l) => l.startsWith("| `--lr` | `lr` |")));
 * ```
 */
export function flagTable(): string {
  const rows = SETTING_KEYS.map((k) => {
    const row = SETTINGS[k];
    return `| \`--${row.flag}\` | \`${k}\` | ${cell(expectOf(k))} | ${cell(defaultText(k))} | ${
      row.resume === "keep" ? "kept" : "may change"
    } | ${cell(row.help)} |`;
  });
  return [
    "| Flag | `config` key | Values | Default | With `--resume` | What it sets |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "Default learning rates for classification, by optimizer, loss and hidden activation",
    "(found by a sweep over moons, circles, xor and spiral: `bench/lr_sweep.ts`):",
    "",
    "```",
    ...defaultLrTableText(),
    "```",
    "",
    `For regression: ${Object.entries(REGRESSION_LR).map(([o, lr]) => `${o} ${lr}`).join(", ")}.`,
  ].join("\n");
}

/** The parseArgs option table of the settings (all strings). */
export function configFlagOptions(): Record<string, { type: "string" }> {
  return Object.fromEntries(
    SETTING_KEYS.map((k) => [SETTINGS[k].flag, { type: "string" as const }]),
  );
}

/** "did you mean ...?" for a bad choice, when one is close. */
function hint(kind: SettingKind, value: unknown): string {
  if (kind.type !== "choice" || typeof value !== "string") return "";
  const near = suggest(value, kind.values);
  return near === undefined ? "" : `; did you mean ${near}?`;
}

/**
 * Reads the settings from parsed flags, checking each with its schema.
 *
 * @throws {UsageError} naming the first bad flag, its value and what it expects.
 */
export function configFromFlags(values: Record<string, unknown>): PartialConfig {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const row = SETTINGS[key];
    const raw = values[row.flag];
    if (typeof raw !== "string") continue;
    const parsed = settingSchema(key).safeParse(fromFlag(row.kind, raw));
    if (!parsed.success) {
      throw new UsageError(
        `Cannot train as '--${row.flag}' must be ${expectOf(key)}: current value is ${show(raw)}${
          hint(row.kind, raw)
        }`,
      );
    }
    out[key] = parsed.data;
  }
  return out as PartialConfig;
}

/**
 * Checks the JSON of a `--config` file: an object whose keys are setting
 * names (`testFraction`, `lrSchedule`...), as `model.json` records them.
 *
 * @throws {UsageError} naming the first bad key, its value and what it expects.
 */
export function configFromJson(doc: unknown, file: string): PartialConfig {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new UsageError(
      `Cannot train as the config file ${show(file)} must hold a JSON object: current value is ${
        show(doc)
      }`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!Object.hasOwn(SETTINGS, key)) {
      const near = suggest(key, SETTING_KEYS);
      throw new UsageError(
        `Cannot train as the config file ${show(file)} has an unknown setting ${show(key)}: ${
          near === undefined ? `expected one of ${orList(SETTING_KEYS)}` : `did you mean ${near}?`
        }`,
      );
    }
    const k = key as SettingKey;
    const parsed = settingSchema(k).safeParse(value);
    if (!parsed.success) {
      throw new UsageError(
        `Cannot train as '${key}' in the config file ${show(file)} must be ${
          expectOf(k)
        }: current value is ${show(value)}${hint(SETTINGS[k].kind, value)}`,
      );
    }
    out[key] = parsed.data;
  }
  return out as PartialConfig;
}
