import assert from "node:assert/strict";
import { STOP_SIGNALS, watchSignals } from "../cli/_signals.ts";
import { removePendingTemps, writeFileSet } from "../cli/_fs.ts";

Deno.test({
  name: "each stop signal aborts the run once and sets its exit code",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    // SIGINT is left out: `deno test` takes it for itself (cli_test.ts sends it to a CLI process).
    for (const [name, code] of Object.entries(STOP_SIGNALS).filter(([n]) => n !== "SIGINT")) {
      const signals = watchSignals();
      const seen: string[] = [];
      signals.onStop((s) => seen.push(s));
      try {
        Deno.kill(Deno.pid, name as Deno.Signal);
        // Signals arrive through the event loop.
        for (let k = 0; k < 100 && !signals.signal.aborted; k++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.ok(signals.signal.aborted, `${name} aborts`);
        assert.equal(signals.received, name);
        assert.equal(signals.exitCode, code);
        assert.deepEqual(seen, [name]);
        // A listener added late hears of it at once.
        signals.onStop((s) => seen.push(`late ${s}`));
        assert.deepEqual(seen, [name, `late ${name}`]);
      } finally {
        signals.dispose();
      }
    }
    assert.deepEqual(STOP_SIGNALS, { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, SIGQUIT: 131 });
  },
});

Deno.test("a set of files is written whole or not at all, naming the real file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denograd_set_" });
  try {
    await writeFileSet({ [`${dir}/a.txt`]: "one", [`${dir}/b.txt`]: "two" });
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["a.txt", "b.txt"]);
    // A folder in the way of the second file: the first is not replaced either.
    await Deno.remove(`${dir}/b.txt`);
    await Deno.mkdir(`${dir}/b.txt`);
    await assert.rejects(
      () => writeFileSet({ [`${dir}/a.txt`]: "new", [`${dir}/b.txt`]: "new" }),
      (e: Error) => e.message.includes(`${dir}/b.txt`) && !e.message.includes(".tmp"),
    );
    assert.equal(Deno.readTextFileSync(`${dir}/a.txt`), "one");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["a.txt", "b.txt"]);
    // A link in place of a file is replaced, not written through.
    await Deno.writeTextFile(`${dir}/target.txt`, "outside");
    await Deno.symlink(`${dir}/target.txt`, `${dir}/c.txt`);
    await writeFileSet({ [`${dir}/c.txt`]: "inside" });
    assert.equal(Deno.readTextFileSync(`${dir}/target.txt`), "outside");
    assert.equal(Deno.readTextFileSync(`${dir}/c.txt`), "inside");
    removePendingTemps();
    assert.ok(![...Deno.readDirSync(dir)].some((e) => e.name.endsWith(".tmp")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
