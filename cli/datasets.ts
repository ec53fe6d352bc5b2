/**
 * `denograd datasets`: the built-in datasets, one line each.
 *
 * @module
 */
import { EXIT } from "./_errors.ts";
import { parseFlags } from "./_flags.ts";
import { BUILTIN_DATASETS } from "../mod.ts";
import { DATASET_INFO } from "./setup.ts";
import type { CommandIo } from "./train.ts";

/** The `datasets` help text. */
export const DATASETS_HELP = `List the built-in datasets.

Usage: denograd datasets

Any of them goes to 'denograd train --dataset NAME'; so does a CSV file's path
(numeric feature columns, the label in the last column, an optional header).
`;

/** Runs `datasets` with `args`; resolves with the exit code. */
export function datasetsCommand(args: string[], io: CommandIo): number {
  const { values } = parseFlags("datasets", args, {
    debug: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(DATASETS_HELP);
    return EXIT.ok;
  }
  for (const name of BUILTIN_DATASETS) io.stdout(`${name.padEnd(10)} ${DATASET_INFO[name]}\n`);
  return EXIT.ok;
}
