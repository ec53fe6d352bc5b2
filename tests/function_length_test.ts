import assert from "node:assert/strict";
// The TypeScript parser is for this test only, so it is not in deno.json's imports.
// deno-lint-ignore no-import-prefix
import ts from "npm:typescript@5.6.3";

/** How long a function may run, in lines, outside the unrolled kernels named below. */
const LIMIT = 80;

/**
 * Functions allowed to run longer, as `file:name`: none today. A hand-unrolled
 * kernel whose register blocks cannot be split without cost would go here.
 */
const KERNELS: readonly string[] = [];

const ROOT = new URL("../", import.meta.url);
const SKIP = new Set([
  "tests",
  "bench",
  "runs",
  "dist",
  "node_modules",
  "examples",
  "docs",
  ".git",
]);

/** Every source file of the project that ships (not tests, benchmarks or generated bundles). */
async function sourceFiles(dir: URL, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory && !SKIP.has(entry.name) && !entry.name.startsWith(".")) {
      out.push(...await sourceFiles(new URL(`${entry.name}/`, dir), `${path}/`));
    } else if (entry.isFile && path.endsWith(".ts") && !path.endsWith("_bundle.ts")) {
      out.push(path);
    }
  }
  return out;
}

Deno.test("no function of the library, CLI, workers or page runs past 80 lines", async () => {
  const files = await sourceFiles(ROOT);
  assert.ok(files.includes("engine/value.ts") && files.includes("cli/train.ts"), files.join(", "));
  const long: string[] = [];
  for (const file of files) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined) {
        const first = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        const last = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
        const name = (node as ts.FunctionDeclaration).name?.getText() ?? "(anonymous)";
        const where = `${file}:${name}`;
        if (last - first + 1 > LIMIT && !KERNELS.includes(where)) {
          long.push(`${where} (line ${first}, ${last - first + 1} lines)`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  assert.deepEqual(long, []);
});
