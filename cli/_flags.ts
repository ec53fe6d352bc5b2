/**
 * Strict flag parsing over `node:util`'s `parseArgs`: unknown flags, missing
 * values and stray arguments become one-line usage errors.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { show, UsageError } from "./_errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The values `parseArgs` gives, by flag name. */
export type FlagValues = Record<string, string | boolean | undefined>;

/**
 * Parses `args` for `command`, strictly.
 *
 * @throws {UsageError} for an unknown flag, a missing value or a stray argument.
 */
export function parseFlags(command: string, args: string[], options: Options): {
  values: FlagValues;
} {
  // The command as a verb in messages: "Cannot train as...", "Cannot list datasets as...".
  const verb = command === "datasets" ? "list datasets" : command;
  const help = `see 'denograd ${command} --help'`;
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: false, tokens: true });
  } catch (error) {
    const message = (error as Error).message;
    const code = (error as { code?: string }).code;
    const flag = /'(-{1,2}[^' <]+)/.exec(message)?.[1];
    switch (code) {
      case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
        throw new UsageError(`Cannot ${verb} as '${flag}' is not a known flag: ${help}`);
      case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
        const arg = /argument '([^']*)'/.exec(message)?.[1];
        throw new UsageError(
          `Cannot ${verb} as it takes no plain arguments: current value is ${show(arg)}; ${help}`,
        );
      }
      case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
        if (/does not take an argument/.test(message)) {
          throw new UsageError(`Cannot ${verb} as '${flag}' takes no value: ${help}`);
        }
        if (/ambiguous/.test(message)) {
          throw new UsageError(
            `Cannot ${verb} as '${flag}' needs a value; write a value that starts with '-' as ${flag}=VALUE`,
          );
        }
        throw new UsageError(`Cannot ${verb} as '${flag}' needs a value: ${help}`);
      default:
        throw new UsageError(`Cannot ${verb} as its flags are invalid: ${message}`);
    }
  }
  // A flag given twice is a mistake, not "the last one wins".
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option") continue;
    if (seen.has(token.name)) {
      throw new UsageError(
        `Cannot ${verb} as '${token.rawName}' is given more than once: give each flag once`,
      );
    }
    seen.add(token.name);
  }
  return { values: parsed.values as FlagValues };
}
