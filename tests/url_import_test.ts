import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { serveDirectory } from "./_serve.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** A program a user could write: import by URL, train XOR, print the last step as JSON. */
function program(base: string): string {
  return `import { evaluate, makeXor, Mlp, trainSteps } from "${base}mod.ts";

const data = makeXor({ samples: 64, seed: 1 });
const model = new Mlp(2, [8, 8, 1], { seed: 3 });
let last;
for (const metrics of trainSteps(model, data, { optimizer: "adam", lr: 0.05, steps: 150 })) {
  last = metrics;
}
console.log(JSON.stringify({ last, evaluated: evaluate(model, data, { loss: "svm" }) }));
`;
}

Deno.test("mod.ts imported by URL in a fresh Deno type-checks and trains XOR to 100% accuracy", async () => {
  const server = serveDirectory(ROOT);
  const home = await Deno.makeTempDir({ prefix: "denograd_url_import_" });
  try {
    await Deno.mkdir(`${home}/deno_dir`);
    await Deno.writeTextFile(`${home}/main.ts`, program(server.url));
    const env: Record<string, string> = {
      ...Deno.env.toObject(),
      DENO_DIR: `${home}/deno_dir`,
      NO_COLOR: "1",
    };
    delete env.RUST_BACKTRACE;
    const host = new URL(server.url).host;
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--check=all", "--no-config", "--no-lock", `--allow-import=${host}`, "main.ts"],
      cwd: home,
      env,
      clearEnv: true,
    }).output();
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 0, err);
    const { last, evaluated } = JSON.parse(new TextDecoder().decode(stdout));
    assert.equal(last.step, 150);
    assert.equal(last.accuracy, 1, `final step: ${JSON.stringify(last)}`);
    assert.deepEqual(Object.keys(evaluated).sort(), ["accuracy", "loss"]);
    assert.equal(evaluated.accuracy, 1);

    // The fresh Deno fetched the library from the server and nothing but the library.
    const fetched = [...new Set(server.requests)].sort();
    assert.ok(
      fetched.includes("/mod.ts") && fetched.includes("/nn/train/train.ts"),
      fetched.join(", "),
    );
    for (const path of fetched) {
      assert.match(path, /^\/(mod\.ts|engine\/[a-z_]+\.ts|nn\/([a-z]+\/)?[a-z_]+\.ts)$/);
    }
    assert.ok((await Array.fromAsync(Deno.readDir(`${home}/deno_dir`))).length > 0);
  } finally {
    await server.close();
    await Deno.remove(home, { recursive: true });
  }
});
