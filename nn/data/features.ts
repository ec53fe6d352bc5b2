/**
 * Feature crosses, as TensorFlow Playground offers them: the model's inputs
 * are expressions over the data's inputs, such as `x1*x2`, `x1^2` or
 * `sin(x1)`.
 *
 * Grammar: `+ - * /`, `^` with a whole-number exponent, parentheses, numbers,
 * input names, and the functions `sin cos tanh abs exp sqrt`. A name is a
 * word of Unicode letters, digits, `_` and `.` (`größe*2`), or any CSV
 * header in double quotes (`"petal width"^2`, a `"` inside written `""`);
 * a header used on its own as a feature needs no quotes.
 *
 * @module
 */
import { cos, exp, sin } from "../../engine/math.ts";

/** Feature expressions made ready to apply to rows of raw inputs. */
export interface Features {
  /** The expressions, as given: the model's input names. */
  readonly names: readonly string[];
  /** The model's inputs for one row of raw inputs. */
  apply(row: readonly number[]): number[];
}

type Fn = (row: readonly number[]) => number;

const FUNCTIONS: Readonly<Record<string, (x: number) => number>> = {
  sin: sin,
  cos: cos,
  tanh: Math.tanh,
  abs: Math.abs,
  exp: exp,
  sqrt: Math.sqrt,
};

/** Turns one expression into a function of a row, reading it by recursive descent. */
function compile(text: string, inputs: readonly string[]): Fn {
  const whole = inputs.indexOf(text.trim());
  if (whole >= 0) return (row) => row[whole];
  return new FeatureReader(text, inputs).read();
}

/** A recursive-descent reader of one feature expression, one method per grammar rule. */
class FeatureReader {
  #text: string;
  #inputs: readonly string[];
  #tokens: string[];
  #at = 0;

  /** Splits `text` into tokens, to read over `inputs`. */
  constructor(text: string, inputs: readonly string[]) {
    this.#text = text;
    this.#inputs = inputs;
    this.#tokens = text.match(
      /\s*(\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|[\p{L}_][\p{L}\p{N}\p{M}_.]*|"(?:[^"]|"")*"?|\S)/giu,
    ) ?? [];
  }

  /** The whole expression as a function of a row, refusing an empty one or one with tokens left. */
  read(): Fn {
    if (this.#tokens.length === 0) this.#fail("it is empty");
    const fn = this.#sum();
    if (this.#at < this.#tokens.length) this.#fail(`'${this.#peek()}' is not expected there`);
    return fn;
  }

  /** The next token without its spaces, or `undefined` at the end. */
  #peek(): string | undefined {
    return this.#tokens[this.#at]?.trim();
  }

  /** Throws the RangeError that says why the expression cannot be read. */
  #fail(why: string): never {
    throw new RangeError(`Cannot read the feature ${JSON.stringify(this.#text)} as ${why}`);
  }

  /** Steps over the token `t`, or fails saying it is expected. */
  #expect(t: string): void {
    if (this.#peek() !== t) {
      this.#fail(
        `'${t}' is expected${
          this.#at < this.#tokens.length ? ` before '${this.#peek()}'` : " at its end"
        }`,
      );
    }
    this.#at++;
  }

  /** A sum: products joined by `+` and `-`, from left to right. */
  #sum(): Fn {
    let left = this.#product();
    for (let op = this.#peek(); op === "+" || op === "-"; op = this.#peek()) {
      this.#at++;
      const a = left;
      const b = this.#product();
      left = op === "+" ? (r) => a(r) + b(r) : (r) => a(r) - b(r);
    }
    return left;
  }

  /** A product: unary terms joined by `*` and `/`, from left to right. */
  #product(): Fn {
    let left = this.#unary();
    for (let op = this.#peek(); op === "*" || op === "/"; op = this.#peek()) {
      this.#at++;
      const a = left;
      const b = this.#unary();
      left = op === "*" ? (r) => a(r) * b(r) : (r) => a(r) / b(r);
    }
    return left;
  }

  /** An atom, raised to a whole-number power from -16 to 16 when `^` follows. */
  #power(): Fn {
    const base = this.#atom();
    if (this.#peek() !== "^") return base;
    this.#at++;
    let sign = 1;
    if (this.#peek() === "-") [sign, this.#at] = [-1, this.#at + 1];
    const e = sign * Number(this.#peek());
    if (!/^\d+$/.test(this.#peek() ?? "") || e > 16 || e < -16) {
      this.#fail(`'^' takes a whole-number exponent from -16 to 16`);
    }
    this.#at++;
    return (r) => base(r) ** e;
  }

  /** A power, negated once for each leading `-`. */
  #unary(): Fn {
    if (this.#peek() === "-") {
      this.#at++;
      const a = this.#unary();
      return (r) => -a(r);
    }
    return this.#power();
  }

  /** A parenthesised sum, a number, a quoted name, a function call or an input name. */
  #atom(): Fn {
    const t = this.#peek();
    if (t === undefined) return this.#fail("it ends too early");
    this.#at++;
    if (t === "(") {
      const inner = this.#sum();
      this.#expect(")");
      return inner;
    }
    if (/^[\d.]/.test(t)) {
      const c = Number(t);
      return () => c;
    }
    if (t.startsWith('"')) return this.#quoted(t);
    if (/^[\p{L}_]/u.test(t)) return this.#word(t);
    return this.#fail(`'${t}' is not expected there`);
  }

  /** The input named by the quoted token `t` (a `""` inside stands for `"`). */
  #quoted(t: string): Fn {
    if (!/^"(?:[^"]|"")*"$/.test(t)) this.#fail(`the quoted name ${t} has no closing '"'`);
    const name = t.slice(1, -1).replace(/""/g, '"');
    const i = this.#inputs.indexOf(name);
    if (i < 0) {
      this.#fail(
        `${JSON.stringify(name)} is not an input: expected one of ${this.#inputs.join(", ")}`,
      );
    }
    return (r) => r[i];
  }

  /** The word `t`: a call of one of {@linkcode FUNCTIONS} when `(` follows, else an input. */
  #word(t: string): Fn {
    if (this.#peek() === "(") {
      const f = FUNCTIONS[t];
      if (!Object.hasOwn(FUNCTIONS, t)) {
        this.#fail(
          `'${t}' is not a function: expected one of ${Object.keys(FUNCTIONS).join(", ")}`,
        );
      }
      this.#at++;
      const arg = this.#sum();
      this.#expect(")");
      return (r) => f(arg(r));
    }
    const i = this.#inputs.indexOf(t);
    if (i < 0) this.#fail(`'${t}' is not an input: expected one of ${this.#inputs.join(", ")}`);
    return (r) => r[i];
  }
}

/**
 * Compiles feature expressions over the inputs named `inputs`.
 *
 * @example TensorFlow Playground's crosses
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileFeatures } from "./features.ts";
 * const f = compileFeatures(["x1", "x2^2", "x1*x2", "sin(x1)"], ["x1", "x2"]);
 * assert.deepEqual(f.apply([0, 3]), [0, 9, 0, 0]);
 * ```
 *
 * @throws {RangeError} naming the first expression that cannot be read, and why.
 */
export function compileFeatures(exprs: readonly string[], inputs: readonly string[]): Features {
  if (exprs.length === 0) {
    throw new RangeError(
      "Cannot read the features as there must be at least one: current list is empty",
    );
  }
  const fns = exprs.map((e) => compile(e, inputs));
  return {
    names: exprs.slice(),
    apply: (row) => fns.map((f) => f(row)),
  };
}
