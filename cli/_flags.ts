/**
 * Strict flag parsing over `node:util`'s `parseArgs` tokens: unknown flags
 * (with a "did you mean" suggestion), missing values, values given to a
 * switch, repeated flags and stray arguments become one-line usage errors.
 * The tokens are classified here, so nothing depends on the wording of
 * Node's own error messages.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { didYouMean, show, UsageError } from "./_errors.ts";
import { parseDecimal } from "../nn/data/csv.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The values of the flags given, by flag name (a null-prototype object). */
export type FlagValues = Record<string, string | boolean | undefined>;

/** The name of a flag as the user may type it: `--steps`, or `-h`. */
function spelled(rawName: string): string {
  return show(rawName).slice(1, -1);
}

/**
 * Parses `args` for `command`, strictly. A value may start with `-` when it
 * is a number (`--lr -0.5` is refused later as out of range, not as a
 * missing value) or `-` itself (stdin); any other value that starts with
 * `-` is taken as the next flag, so it must be written `--flag=-value`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlags } from "./_flags.ts";
 * const options = { steps: { type: "string" }, quiet: { type: "boolean" } } as const;
 * assert.equal(parseFlags("train", ["--steps", "5"], options).values.steps, "5");
 * assert.throws(() => parseFlags("train", ["--setps", "5"], options), /did you mean --steps\?/);
 * ```
 *
 * @throws {UsageError} for an unknown flag, a missing value or a stray argument.
 */
export function parseFlags(command: string, args: string[], options: Options): {
  values: FlagValues;
} {
  // The command as a verb in messages: "Cannot train as...", "Cannot list datasets as...".
  const verb = command === "datasets" ? "list datasets" : command;
  const help = `see 'denograd ${command} --help'`;
  const fail = (why: string): never => {
    throw new UsageError(`Cannot ${verb} as ${why}`);
  };
  const { tokens } = parseArgs({
    args,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const known = Object.keys(options);
  const values: FlagValues = Object.create(null);
  for (const token of tokens) {
    switch (token.kind) {
      case "option-terminator":
        break;
      case "positional":
        fail(`it takes no plain arguments: current value is ${show(token.value)}; ${help}`);
        break;
      case "option": {
        const flag = spelled(token.rawName);
        if (!Object.hasOwn(options, token.name)) {
          const hint = token.rawName.startsWith("--")
            ? didYouMean(token.name, known, "--")
            : didYouMean(token.name, known.filter((k) => options[k].short !== undefined), "-");
          fail(`'${flag}' is not a known flag${hint || `: ${help}`}`);
        }
        if (token.name in values) fail(`'${flag}' is given more than once: give each flag once`);
        if (options[token.name].type === "boolean") {
          if (token.value !== undefined) {
            fail(`'${flag}' takes no value: current value is ${show(token.value)}`);
          }
          values[token.name] = true;
          break;
        }
        const value = token.value;
        if (value === undefined) fail(`'${flag}' needs a value: ${help}`);
        if (
          !token.inlineValue && value!.startsWith("-") && value !== "-" &&
          !Number.isFinite(parseDecimal(value!))
        ) {
          fail(
            `'${flag}' needs a value: current value is the flag ${
              show(value)
            }; write a value that starts with '-' as ${flag}=VALUE`,
          );
        }
        values[token.name] = value;
        break;
      }
      default: {
        const never: never = token;
        fail(`its flags cannot be read: ${show(never)}`);
      }
    }
  }
  return { values };
}
