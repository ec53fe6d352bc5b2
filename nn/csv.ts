/**
 * A CSV parser for classification data: numeric feature columns and one
 * label column of class numbers or class names.
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
 * import { CsvError, parseCsv } from "../mod.ts";
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
   * any of its feature cells is not a number.
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

function isNumber(s: string): boolean {
  return s.trim() !== "" && Number.isFinite(Number(s));
}

/**
 * Parses CSV text into a {@linkcode Dataset}. Labels that are all integers
 * from 0 up are used as they are; any other labels are class names, numbered
 * in sorted order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCsv } from "../mod.ts";
 * const data = parseCsv("x1,x2,label\n0.5,1,cat\n-1,2,dog\n");
 * assert.deepEqual(data.x, [[0.5, 1], [-1, 2]]);
 * assert.deepEqual(data.y, [0, 1]);
 * assert.deepEqual(data.classNames, ["cat", "dog"]);
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
  const rows = splitRows(text.replace(/^\uFEFF/, ""));
  if (rows.length === 0) throw new CsvError("Cannot parse the CSV as it has no rows", { line: 1 });
  const width = rows[0].cells.length;
  if (width < 2) {
    throw new CsvError(
      `Cannot parse the CSV as line ${
        rows[0].line
      } must have at least 2 columns (features and a label): current count is ${width}`,
      { line: rows[0].line },
    );
  }
  const { header = "auto", labelColumn = -1 } = options;
  const first = rows[0].cells;
  let label: number;
  let hasHeader: boolean;
  if (typeof labelColumn === "string") {
    if (header === false) {
      throw new CsvError(
        `Cannot parse the CSV as label column ${JSON.stringify(labelColumn)} needs a header row`,
        { line: 1 },
      );
    }
    hasHeader = true;
    label = first.map((s) => s.trim()).indexOf(labelColumn);
    if (label < 0) {
      throw new CsvError(
        `Cannot parse the CSV as the header on line ${rows[0].line} has no column ${
          JSON.stringify(labelColumn)
        }`,
        { line: rows[0].line },
      );
    }
  } else {
    label = labelColumn < 0 ? width + labelColumn : labelColumn;
    if (!Number.isInteger(label) || label < 0 || label >= width) {
      throw new RangeError(
        `Cannot parse the CSV as 'labelColumn' must be an index from ${-width} to ${
          width - 1
        }: current value is ${labelColumn}`,
      );
    }
    // A first row whose feature cells are all numbers is data, even if its label is text.
    hasHeader = header === "auto" ? !first.every((s, j) => j === label || isNumber(s)) : header;
  }
  let names: string[] | undefined;
  if (hasHeader) names = first.map((s) => s.trim());
  const data = hasHeader ? rows.slice(1) : rows;
  if (data.length === 0) {
    throw new CsvError("Cannot parse the CSV as it has a header but no data rows", {
      line: rows[0].line,
    });
  }
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
    cells.forEach((s, j) => {
      if (j === label) return;
      if (!isNumber(s)) {
        const col = names ? ` (${JSON.stringify(names[j])})` : "";
        throw new CsvError(
          `Cannot parse the CSV as line ${line}, column ${
            j + 1
          }${col} must be a number: current value is ${JSON.stringify(s.slice(0, 40))}`,
          { line, column: j + 1 },
        );
      }
      row.push(Number(s));
    });
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
  const featureNames = names?.filter((_, j) => j !== label);
  const { problem = "auto" } = options;
  const numeric = problem !== "classification" && raw.every(isNumber);
  if (problem === "regression" || (numeric && !raw.every((s) => Number.isInteger(Number(s))))) {
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
    const y = raw.map(Number);
    return featureNames ? { x, y, classes: 0, featureNames } : { x, y, classes: 0 };
  }
  if (raw.every((s) => /^\d+$/.test(s))) {
    const y = raw.map(Number);
    // A loop, not Math.max(...y): spreading a million labels overflows the stack.
    let classes = 0;
    for (const c of y) if (c >= classes) classes = c + 1;
    if (classes < 2) {
      throw new CsvError(
        "Cannot parse the CSV as the labels must name at least 2 classes: current count is 1",
        { line: data[0].line, column: label + 1 },
      );
    }
    return featureNames ? { x, y, classes, featureNames } : { x, y, classes };
  }
  const classNames = [...new Set(raw)].sort();
  if (classNames.length < 2) {
    throw new CsvError(
      "Cannot parse the CSV as the labels must name at least 2 classes: current count is 1",
      { line: data[0].line, column: label + 1 },
    );
  }
  const y = raw.map((s) => classNames.indexOf(s));
  return featureNames
    ? { x, y, classes: classNames.length, featureNames, classNames }
    : { x, y, classes: classNames.length, classNames };
}
