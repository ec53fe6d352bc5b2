import assert from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath as fromFileUrl, pathToFileURL } from "node:url";

const ROOT = fromFileUrl(new URL("../", import.meta.url));

interface InfoDependency {
  specifier: string;
  code?: { specifier: string };
  type?: { specifier: string };
}
interface InfoModule {
  specifier: string;
  kind?: string;
  error?: string;
  local?: string;
  dependencies?: InfoDependency[];
}

/** Runs `deno info --json` on `entry` and returns its modules. */
async function moduleGraph(entry: string): Promise<InfoModule[]> {
  const env = { ...Deno.env.toObject(), RUST_BACKTRACE: "", NO_COLOR: "1" };
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    env,
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout)).modules;
}

/** Every way the module graph fails to be importable by URL anywhere, one line each. */
function impurities(modules: InfoModule[]): string[] {
  const problems: string[] = [];
  for (const module of modules) {
    if (!module.specifier.startsWith("file:")) {
      problems.push(`${module.specifier} is not a local file (kind ${module.kind})`);
      continue;
    }
    const where = relative(ROOT, fromFileUrl(module.specifier));
    if (module.error) problems.push(`${where}: ${module.error}`);
    for (const dependency of module.dependencies ?? []) {
      const written = dependency.specifier;
      if (!/^\.\.?\//.test(written) || !written.endsWith(".ts")) {
        problems.push(`${where} imports "${written}": not a relative path ending in .ts`);
      }
      for (const resolved of [dependency.code?.specifier, dependency.type?.specifier]) {
        if (resolved !== undefined && !resolved.startsWith("file:")) {
          problems.push(`${where} imports ${resolved}`);
        }
      }
    }
  }
  return problems;
}

Deno.test("mod.ts imports only relative .ts files under engine/ and nn/", async () => {
  const modules = await moduleGraph("mod.ts");
  assert.deepEqual(impurities(modules), []);
  const files = modules.map((m) => relative(ROOT, fromFileUrl(m.specifier))).sort();
  assert.ok(
    files.includes("engine/value.ts") && files.includes("nn/train/train.ts"),
    files.join(", "),
  );
  for (const file of files) {
    assert.match(file, /^(mod\.ts|engine\/[a-z_]+\.ts|nn\/([a-z]+\/)?[a-z_]+\.ts)$/);
  }
});

Deno.test("no module of mod.ts touches Deno.*, Node's process or the DOM", async () => {
  for (const module of await moduleGraph("mod.ts")) {
    const source = await Deno.readTextFile(fromFileUrl(module.specifier));
    const where = relative(ROOT, fromFileUrl(module.specifier));
    for (const pattern of [/\bDeno\.[A-Za-z]/, /\bprocess\.[A-Za-z]/, /\b(window|document)\./]) {
      assert.doesNotMatch(source, pattern, `${where} uses ${pattern.source}`);
    }
  }
});

Deno.test("the purity check reports node:, npm:, jsr:, remote and bare imports", async (t) => {
  await t.step("on a real graph with a node: import and an extensionless path", async () => {
    const dir = await Deno.makeTempDir({ prefix: "denograd_purity_" });
    try {
      await Deno.writeTextFile(`${dir}/helper.ts`, "export const two = 2;\n");
      await Deno.writeTextFile(
        `${dir}/entry.ts`,
        'import { join } from "node:path";\nimport { two } from "./helper";\nexport const x = join("a", String(two));\n',
      );
      const problems = impurities(await moduleGraph(`${dir}/entry.ts`));
      assert.ok(problems.some((p) => p.includes('imports "node:path"')), problems.join("\n"));
      assert.ok(
        problems.some((p) => p.includes("node:path is not a local file")),
        problems.join("\n"),
      );
      assert.ok(problems.some((p) => p.includes('imports "./helper"')), problems.join("\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("on npm:, jsr: and https: modules as deno info lists them", () => {
    const entry = pathToFileURL(`${ROOT}mod.ts`).href;
    const problems = impurities([
      {
        specifier: entry,
        dependencies: [
          { specifier: "zod", code: { specifier: "npm:zod@4" } },
          { specifier: "jsr:@std/assert", code: { specifier: "jsr:@std/assert" } },
          {
            specifier: "https://example.com/x.ts",
            code: { specifier: "https://example.com/x.ts" },
          },
        ],
      },
      { specifier: "npm:zod@4", kind: "npm" },
      { specifier: "https://example.com/x.ts", kind: "esm" },
    ]);
    for (const word of ['"zod"', "npm:zod@4", '"jsr:@std/assert"', "https://example.com/x.ts"]) {
      assert.ok(
        problems.some((p) => p.includes(word)),
        `${word} not reported in:\n${problems.join("\n")}`,
      );
    }
  });
});

/** The library's layers, lowest first: a file may import its own layer or a lower one only. */
const LAYERS: readonly RegExp[] = [
  /^engine\//,
  /^nn\/model\//,
  /^nn\/(compiled|data)\//,
  /^nn\/train\//,
  /^nn\/draw\//,
  /^(nn\/mod\.ts|mod\.ts)$/,
];

/** The layer of a file (its index in {@linkcode LAYERS}), or -1. */
function layerOf(file: string): number {
  return LAYERS.findIndex((layer) => layer.test(file));
}

/** Every import of the graph as [from, to] relative paths. */
function arrows(modules: InfoModule[]): [string, string][] {
  const out: [string, string][] = [];
  for (const module of modules) {
    const from = relative(ROOT, fromFileUrl(module.specifier));
    for (const dependency of module.dependencies ?? []) {
      const to = dependency.code?.specifier ?? dependency.type?.specifier;
      if (to?.startsWith("file:")) out.push([from, relative(ROOT, fromFileUrl(to))]);
    }
  }
  return out;
}

Deno.test("the library's imports run one way: no circle and no arrow back up a wing", async () => {
  const modules = await moduleGraph("mod.ts");
  const edges = arrows(modules);
  assert.ok(edges.length > 20, `${edges.length} imports`);
  const upward = edges.filter(([from, to]) => layerOf(to) > layerOf(from))
    .map(([from, to]) => `${from} -> ${to}`);
  assert.deepEqual(upward, []);
  // A depth-first search over the files finds no cycle.
  const next = new Map<string, string[]>();
  for (const [from, to] of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  function visit(file: string, path: string[]): void {
    if (state.get(file) === "done") return;
    if (state.get(file) === "open") {
      cycles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
      return;
    }
    state.set(file, "open");
    for (const to of next.get(file) ?? []) visit(to, [...path, file]);
    state.set(file, "done");
  }
  for (const file of next.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
  for (const file of modules.map((m) => relative(ROOT, fromFileUrl(m.specifier)))) {
    assert.notEqual(layerOf(file), -1, `${file} belongs to no layer`);
  }
});
