/**
 * Writes the flag table of `docs/flags.md` from the settings table, between
 * its `<!-- flags:start -->` and `<!-- flags:end -->` markers:
 * `deno task flags` (and `deno task flags --check` fails when it is stale).
 *
 * @module
 */
import { flagTable } from "./config.ts";

/** The file the table goes in. */
export const FLAGS_DOC: URL = new URL("../docs/flags.md", import.meta.url);

const START = "<!-- flags:start -->";
const END = "<!-- flags:end -->";

/**
 * `doc` with the text between its markers replaced by the flag table.
 *
 * @throws {RangeError} when `doc` lacks the markers.
 */
export function withFlagTable(doc: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) {
    throw new RangeError(`Cannot write the flag table as the markers ${START} ${END} are missing`);
  }
  return `${doc.slice(0, start + START.length)}\n${flagTable()}\n${doc.slice(end)}`;
}

if (import.meta.main) {
  const doc = await Deno.readTextFile(FLAGS_DOC);
  const next = withFlagTable(doc);
  if (Deno.args.includes("--check")) {
    if (next !== doc) {
      console.error("docs/flags.md's flag table is stale: run deno task flags");
      Deno.exit(1);
    }
  } else if (next !== doc) {
    await Deno.writeTextFile(FLAGS_DOC, next);
  }
}
