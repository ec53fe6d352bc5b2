/**
 * A CSV parser for classification data (numeric feature columns and one
 * label column of class numbers or class names) and for points to predict,
 * with the one decimal number grammar of the project.
 *
 * @module
 */
import type { Dataset } from "./datasets.ts";

/** Where in the text a {@linkcode CsvError} is. */
export interface CsvErrorPosition {
  /** 1-based line of the problem. */
  line: number;
  /**
   * 1-based column of the problem, 0 when it is about the whole line.
   *
   * @default {0}
   */
  column?: number;
}

/**
 * A malformed CSV, with the 1-based line and column of the problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsvError, parseCsv } from "../../mod.ts";
 * try {
 *   parseCsv("x,y\n1,0\nfive,1\n");
 *   assert.fail("no error");
 * } catch (error) {
 *   assert.ok(error instanceof CsvError);
 *   assert.deepEqual([error.line, error.column], [3, 1]);
 * }
 * ```
 */
export class CsvError extends SyntaxError {
  /** 1-based line of the problem. */
  readonly line: number;
  /** 1-based column of the problem (0 when it is about the whole line). */
  readonly column: number;

  /** Makes an error at `position`. */
  constructor(message: string, position: CsvErrorPosition) {
    super(message);
    this.name = "CsvError";
    this.line = position.line;
    this.column = position.column ?? 0;
  }
}

/** Options for {@linkcode parseCsv}. */
export interface CsvOptions {
  /**
   * Whether the first row is a header. `"auto"` treats it as a header when
   * none of its cells is a number.
   *
   * @default {"auto"}
   */
  header?: boolean | "auto";
  /**
   * The label column: its index (0-based; negative counts from the end) or,
   * with a header, its name.
   *
   * @default {-1}
   */
  labelColumn?: number | string;
  /**
   * What the labels are: class names or numbers (`"classification"`), or real
   * targets (`"regression"`). `"auto"` reads them as targets when every label
   * is a number and one of them is not an integer.
   *
   * @default {"auto"}
   */
  problem?: "classification" | "regression" | "auto";
}

/** Splits CSV text into rows of cells (RFC 4180 quoting), with each row's line number. */
function splitRows(text: string): { cells: string[]; line: number }[] {
  const rows: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const endRow = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0].trim() === "")) rows.push({ cells, line: rowLine });
    cells = [];
    cell = "";
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        cell += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && cell.trim() === "") {
      quoted = true;
      cell = "";
    } else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else cell += ch;
    i++;
  }
  if (quoted) {
    throw new CsvError(
      `Cannot parse the CSV as a quote opened on line ${rowLine} is never closed`,
      { line: rowLine },
    );
  }
  if (cell !== "" || cells.length > 0) endRow();
  return rows;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Reads a decimal number as people write it (`0.1`, `-3`, `1e-4`, `+.5`),
 * around any spaces; anything else (`0x10`, `0b11`, `0o7`, `Infinity`,
 * `NaN`, `1_000`, "") is `NaN`. The one number grammar of flags, config
 * files, CSV cells and `predict`'s points. A decimal too large for a double
 * (`1e309`) reads as `Infinity`, for callers to refuse as out of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDecimal } from "../../mod.ts";
 * assert.equal(parseDecimal(" -1.5e-3 "), -0.0015);
 * assert.ok(Number.isNaN(parseDecimal("0x10")));
 * assert.ok(Number.isNaN(parseDecimal("Infinity")));
 * ```
 */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text.trim()) ? Number(text) : NaN;
}

/** A label spelled as a number that is not finite. */
const NON_FINITE = /^\s*[+-]?(?:inf|infinity|nan)\s*$/i;

/** The largest regression target in size: its square (the loss) must stay finite. */
const MAX_TARGET = 1e150;

/** Whether `s` is a finite decimal number. */
function isNumber(s: string): boolean {
  return Number.isFinite(parseDecimal(s));
}

/** The rows of `text` and whether the first is a header: only if none of its cells is a number. */
function readTable(rows: { cells: string[]; line: number }[], header: boolean | "auto"): {
  rows: { cells: string[]; line: number }[];
  names?: string[];
} {
  if (rows.length === 0) throw new CsvError("Cannot parse the CSV as it has no rows", { line: 1 });
  const first = rows[0].cells;
  const hasHeader = header === "auto" ? !first.some(isNumber) : header;
  if (!hasHeader) return { rows };
  if (rows.length === 1) {
    throw new CsvError("Cannot parse the CSV as it has a header but no data rows", {
      line: rows[0].line,
    });
  }
  return { rows: rows.slice(1), names: first.map((s) => s.trim()) };
}

/** The number in a cell, or a {@linkcode CsvError} naming its line and column. */
function numberAt(s: string, line: number, j: number, names?: string[]): number {
  const value = parseDecimal(s);
  if (Number.isFinite(value)) return value;
  const col = names ? ` (${JSON.stringify(names[j])})` : "";
  const want = Number.isNaN(value) ? "a number" : "a finite number";
  throw new CsvError(
    `Cannot parse the CSV as line ${line}, column ${
      j + 1
    }${col} must be ${want}: current value is ${JSON.stringify(s.slice(0, 40))}`,
    { line, column: j + 1 },
  );
}

/**
 * Parses CSV text into a {@linkcode Dataset}. The first row is a header
 * when none of its cells is a number. Feature cells are decimal numbers
 * (see {@linkcode parseDecimal}). The classes are the distinct labels
 * found: numeric labels in increasing order (labels 1 and 2 are 2 classes,
 * named "1" and "2"; labels 0..k-1 are used as they are), text labels as
 * class names in sorted order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCsv } from "../../mod.ts";
 * const data = parseCsv("x1,x2,label\n0.5,1,cat\n-1,2,dog\n");
 * assert.deepEqual(data.x, [[0.5, 1], [-1, 2]]);
 * assert.deepEqual(data.y, [0, 1]);
 * assert.deepEqual(data.classNames, ["cat", "dog"]);
 * assert.deepEqual(parseCsv("1,1\n2,9\n3,1\n").classNames, ["1", "9"]);
 * assert.throws(() => parseCsv("a,b,c\n1,x,0\n"), /line 2, column 2/);
 * ```
 *
 * @throws {CsvError} naming the line and column of the first bad cell.
 */
export function parseCsv(text: string, options: CsvOptions = {}): Dataset {
  if (typeof text !== "string") {
    throw new TypeError(
      `Cannot parse the CSV as 'text' must be a string: current value is ${typeof text}`,
    );
  }
  const { header = "auto", labelColumn = -1 } = options;
  if (typeof labelColumn === "string" && header === false) {
    throw new CsvError(
      `Cannot parse the CSV as label column ${JSON.stringify(labelColumn)} needs a header row`,
      { line: 1 },
    );
  }
  const all = splitRows(text.replace(/^\uFEFF/, ""));
  const width = tableWidth(all);
  const { rows: data, names } = readTable(
    all,
    typeof labelColumn === "string" ? true : header,
  );
  const label = labelIndex(labelColumn, width, names, all[0].line);
  const { x, raw } = readCells(data, width, label, names);
  const featureNames = names?.filter((_, j) => j !== label);
  const { problem = "auto" } = options;
  // A label that reads as a number but not a finite one (`Infinity`, `1e309`, `NaN`) is a
  // broken number, not a class name, once any label is a number.
  if (problem === "regression" || raw.some(isNumber)) checkFiniteLabels(raw, data, label);
  // One label that is a number with a fraction (or too large to be a class number) makes
  // the column a regression's targets.
  if (
    problem === "regression" ||
    (problem !== "classification" &&
      raw.some((s) => isNumber(s) && !Number.isSafeInteger(parseDecimal(s))))
  ) {
    const y = regressionTargets(raw, data, label);
    return featureNames ? { x, y, classes: 0, featureNames } : { x, y, classes: 0 };
  }
  const { y, classNames } = classesOf(raw);
  if (classNames.length < 2) {
    throw new CsvError(
      "Cannot parse the CSV as the labels must name at least 2 classes: current count is 1",
      { line: data[0].line, column: label + 1 },
    );
  }
  // Labels 0..k-1 are class indices already: no names needed.
  const indices = classNames.every((name, k) => name === String(k));
  return {
    x,
    y,
    classes: classNames.length,
    ...(featureNames ? { featureNames } : {}),
    ...(indices ? {} : { classNames }),
  };
}

/** The number of columns of the first row, refused when there are no rows or fewer than 2. */
function tableWidth(all: { cells: string[]; line: number }[]): number {
  if (all.length === 0) throw new CsvError("Cannot parse the CSV as it has no rows", { line: 1 });
  const width = all[0].cells.length;
  if (width < 2) {
    throw new CsvError(
      `Cannot parse the CSV as line ${
        all[0].line
      } must have at least 2 columns (features and a label): current count is ${width}`,
      { line: all[0].line },
    );
  }
  return width;
}

/** The 0-based index of the label column, from its name in the header or its (signed) index. */
function labelIndex(
  labelColumn: number | string,
  width: number,
  names: string[] | undefined,
  headerLine: number,
): number {
  if (typeof labelColumn === "string") {
    const label = names!.indexOf(labelColumn);
    if (label < 0) {
      throw new CsvError(
        `Cannot parse the CSV as the header on line ${headerLine} has no column ${
          JSON.stringify(labelColumn)
        }`,
        { line: headerLine },
      );
    }
    return label;
  }
  const label = labelColumn < 0 ? width + labelColumn : labelColumn;
  if (!Number.isInteger(label) || label < 0 || label >= width) {
    throw new RangeError(
      `Cannot parse the CSV as 'labelColumn' must be an index from ${-width} to ${
        width - 1
      }: current value is ${labelColumn}`,
    );
  }
  return label;
}

/** The feature numbers and the raw (trimmed) label of each data row, checking each row's width. */
function readCells(
  data: { cells: string[]; line: number }[],
  width: number,
  label: number,
  names?: string[],
): { x: number[][]; raw: string[] } {
  const x: number[][] = [];
  const raw: string[] = [];
  for (const { cells, line } of data) {
    if (cells.length !== width) {
      throw new CsvError(
        `Cannot parse the CSV as line ${line} must have ${width} columns: current count is ${cells.length}`,
        { line },
      );
    }
    const row: number[] = [];
    for (let j = 0; j < width; j++) if (j !== label) row.push(numberAt(cells[j], line, j, names));
    const y = cells[label].trim();
    if (y === "") {
      throw new CsvError(
        `Cannot parse the CSV as line ${line}, column ${
          label + 1
        } must be a label: current value is ""`,
        { line, column: label + 1 },
      );
    }
    x.push(row);
    raw.push(y);
  }
  return { x, raw };
}

/** Refuses the first label that reads as a number but not a finite one. */
function checkFiniteLabels(
  raw: string[],
  data: { cells: string[]; line: number }[],
  label: number,
): void {
  const bad = raw.findIndex((s) => NON_FINITE.test(s) || Math.abs(parseDecimal(s)) === Infinity);
  if (bad >= 0) {
    const { line } = data[bad];
    throw new CsvError(
      `Cannot parse the CSV as line ${line}, column ${
        label + 1
      } must be a finite number (a label): current value is ${
        JSON.stringify(raw[bad].slice(0, 40))
      }`,
      { line, column: label + 1 },
    );
  }
}

/** The labels as regression targets, refusing one that is not a number or is too large. */
function regressionTargets(
  raw: string[],
  data: { cells: string[]; line: number }[],
  label: number,
): number[] {
  const bad = raw.findIndex((s) => !isNumber(s));
  if (bad >= 0) {
    const { line } = data[bad];
    throw new CsvError(
      `Cannot parse the CSV as line ${line}, column ${
        label + 1
      } must be a number (a regression target): current value is ${
        JSON.stringify(raw[bad].slice(0, 40))
      }`,
      { line, column: label + 1 },
    );
  }
  const y = raw.map(parseDecimal);
  const far = y.findIndex((v) => Math.abs(v) > MAX_TARGET);
  if (far >= 0) {
    const { line } = data[far];
    throw new CsvError(
      `Cannot parse the CSV as line ${line}, column ${
        label + 1
      } must be a regression target from -1e150 to 1e150 (its square must be a finite number): current value is ${
        JSON.stringify(raw[far].slice(0, 40))
      }; divide the labels by a power of ten`,
      { line, column: label + 1 },
    );
  }
  return y;
}

/** The distinct labels as classes: numbers in increasing order, else text in sorted order. */
function classesOf(raw: string[]): { y: number[]; classNames: string[] } {
  const numeric = raw.every(isNumber);
  const key = numeric ? (s: string) => String(parseDecimal(s)) : (s: string) => s;
  const distinct = [...new Set(raw.map(key))];
  if (numeric) distinct.sort((a, b) => Number(a) - Number(b));
  else distinct.sort();
  const index = new Map(distinct.map((name, k) => [name, k]));
  return { y: raw.map((s) => index.get(key(s))!), classNames: distinct };
}

/** Options for {@linkcode parseCsvPoints}. */
export interface CsvPointsOptions {
  /** How many numbers each point has. */
  features: number;
  /**
   * Whether a row may carry one more cell after its features (a label,
   * which is ignored).
   *
   * @default {true}
   */
  allowLabel?: boolean;
  /**
   * The inputs' names, in the model's order. A header row is then matched
   * to them by name (its columns may come in any order; one more column is
   * the label), and a name that is not an input is refused. Without it, a
   * header is skipped and the columns are taken in order.
   */
  inputs?: readonly string[];
}

/**
 * Parses CSV points to predict: `features` decimal numbers per row,
 * optionally followed by a label cell that is ignored. The first row is a
 * header when none of its cells is a number, as in {@linkcode parseCsv}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCsvPoints } from "../../mod.ts";
 * assert.deepEqual(parseCsvPoints("x1,x2\n1,2\n3,4,cat\n", { features: 2 }), [[1, 2], [3, 4]]);
 * assert.throws(() => parseCsvPoints("1,abc\n", { features: 2 }), /line 1, column 2/);
 * ```
 *
 * @throws {CsvError} naming the line and column of the first bad cell.
 */
export function parseCsvPoints(text: string, options: CsvPointsOptions): number[][] {
  const { features, allowLabel = true, inputs } = options;
  const all = splitRows(text.replace(/^\uFEFF/, ""));
  const { rows, names } = readTable(all, "auto");
  const columns = names && inputs ? matchHeader(names, inputs, allowLabel, all[0].line) : undefined;
  const points: number[][] = [];
  for (const { cells, line } of rows) {
    if (columns && cells.length !== names!.length) {
      throw new CsvError(
        `Cannot parse the CSV as line ${line} must have ${
          names!.length
        } cells, as its header has: current count is ${cells.length}`,
        { line },
      );
    }
    if (columns) {
      points.push(columns.map((c) => numberAt(cells[c], line, c, names)));
      continue;
    }
    if (cells.length !== features && !(allowLabel && cells.length === features + 1)) {
      throw new CsvError(
        `Cannot parse the CSV as line ${line} must have ${features} numbers${
          allowLabel ? ` (or ${features + 1} with a label)` : ""
        }: current count is ${cells.length}`,
        { line },
      );
    }
    const point = new Array<number>(features);
    for (let j = 0; j < features; j++) point[j] = numberAt(cells[j], line, j, names);
    points.push(point);
  }
  return points;
}

/**
 * The column of each input in a header row, by name; refuses a header that
 * misses an input, names one twice, or has a column that is neither an
 * input nor (when `allowLabel`) the one label column.
 */
function matchHeader(
  names: readonly string[],
  inputs: readonly string[],
  allowLabel: boolean,
  line: number,
): number[] {
  const fail = (why: string): never => {
    throw new CsvError(`Cannot parse the CSV as the header on line ${line} ${why}`, { line });
  };
  const list = (xs: readonly string[]) => xs.map((x) => JSON.stringify(x)).join(", ");
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) fail(`names ${JSON.stringify(twice)} twice`);
  const unknown = names.filter((n) => !inputs.includes(n));
  const missing = inputs.filter((n) => !names.includes(n));
  if (missing.length > 0 || unknown.length > (allowLabel ? 1 : 0)) {
    fail(
      `must name the model's inputs ${list(inputs)}${
        allowLabel ? " (and at most one label column)" : ""
      }: ${
        unknown.length > 0
          ? `${list(unknown)} ${unknown.length === 1 ? "is not an input" : "are not inputs"}`
          : ""
      }${unknown.length > 0 && missing.length > 0 ? ", and " : ""}${
        missing.length > 0 ? `${list(missing)} ${missing.length === 1 ? "is" : "are"} missing` : ""
      }`,
    );
  }
  return inputs.map((n) => names.indexOf(n));
}
