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
  const tokens = text.match(
    /\s*(\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|[\p{L}_][\p{L}\p{N}\p{M}_.]*|"(?:[^"]|"")*"?|\S)/giu,
  ) ?? [];
  let at = 0;
  const peek = () => tokens[at]?.trim();
  const fail = (why: string): never => {
    throw new RangeError(`Cannot read the feature ${JSON.stringify(text)} as ${why}`);
  };
  const expect = (t: string) => {
    if (peek() !== t) {
      fail(`'${t}' is expected${at < tokens.length ? ` before '${peek()}'` : " at its end"}`);
    }
    at++;
  };
  function sum(): Fn {
    let left = product();
    for (let op = peek(); op === "+" || op === "-"; op = peek()) {
      at++;
      const a = left;
      const b = product();
      left = op === "+" ? (r) => a(r) + b(r) : (r) => a(r) - b(r);
    }
    return left;
  }
  function product(): Fn {
    let left = unary();
    for (let op = peek(); op === "*" || op === "/"; op = peek()) {
      at++;
      const a = left;
      const b = unary();
      left = op === "*" ? (r) => a(r) * b(r) : (r) => a(r) / b(r);
    }
    return left;
  }
  function power(): Fn {
    const base = atom();
    if (peek() !== "^") return base;
    at++;
    let sign = 1;
    if (peek() === "-") [sign, at] = [-1, at + 1];
    const e = sign * Number(peek());
    if (!/^\d+$/.test(peek() ?? "") || e > 16 || e < -16) {
      fail(`'^' takes a whole-number exponent from -16 to 16`);
    }
    at++;
    return (r) => base(r) ** e;
  }
  function unary(): Fn {
    if (peek() === "-") {
      at++;
      const a = unary();
      return (r) => -a(r);
    }
    return power();
  }
  function atom(): Fn {
    const t = peek();
    if (t === undefined) return fail("it ends too early");
    at++;
    if (t === "(") {
      const inner = sum();
      expect(")");
      return inner;
    }
    if (/^[\d.]/.test(t)) {
      const c = Number(t);
      return () => c;
    }
    if (t.startsWith('"')) {
      if (!/^"(?:[^"]|"")*"$/.test(t)) fail(`the quoted name ${t} has no closing '"'`);
      const name = t.slice(1, -1).replace(/""/g, '"');
      const i = inputs.indexOf(name);
      if (i < 0) {
        fail(`${JSON.stringify(name)} is not an input: expected one of ${inputs.join(", ")}`);
      }
      return (r) => r[i];
    }
    if (/^[\p{L}_]/u.test(t)) {
      if (peek() === "(") {
        const f = FUNCTIONS[t];
        if (!Object.hasOwn(FUNCTIONS, t)) {
          fail(`'${t}' is not a function: expected one of ${Object.keys(FUNCTIONS).join(", ")}`);
        }
        at++;
        const arg = sum();
        expect(")");
        return (r) => f(arg(r));
      }
      const i = inputs.indexOf(t);
      if (i < 0) fail(`'${t}' is not an input: expected one of ${inputs.join(", ")}`);
      return (r) => r[i];
    }
    return fail(`'${t}' is not expected there`);
  }
  if (tokens.length === 0) fail("it is empty");
  const fn = sum();
  if (at < tokens.length) fail(`'${peek()}' is not expected there`);
  return fn;
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
