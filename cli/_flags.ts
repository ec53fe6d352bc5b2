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
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    return { values: values as FlagValues };
  } catch (error) {
    const message = (error as Error).message;
    const code = (error as { code?: string }).code;
    const flag = /'(-{1,2}[^' <]+)/.exec(message)?.[1];
    const help = `see 'denograd ${command} --help'`;
    switch (code) {
      case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
        throw new UsageError(`Cannot ${command} as '${flag}' is not a known flag: ${help}`);
      case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
        const arg = /argument '([^']*)'/.exec(message)?.[1];
        throw new UsageError(
          `Cannot ${command} as it takes no plain arguments: current value is ${
            show(arg)
          }; ${help}`,
        );
      }
      case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
        if (/does not take an argument/.test(message)) {
          throw new UsageError(`Cannot ${command} as '${flag}' takes no value: ${help}`);
        }
        if (/ambiguous/.test(message)) {
          throw new UsageError(
            `Cannot ${command} as '${flag}' needs a value; write a value that starts with '-' as ${flag}=VALUE`,
          );
        }
        throw new UsageError(`Cannot ${command} as '${flag}' needs a value: ${help}`);
      default:
        throw new UsageError(`Cannot ${command} as its flags are invalid: ${message}`);
    }
  }
}
