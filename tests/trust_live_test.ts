/**
 * The live server (`train --serve`) under hostile and careless use: every
 * malformed request gets a 4xx and prints nothing; idle connections past the
 * file-descriptor limit do not stop the run or its writes; `--port` reads
 * decimals only, and a port that cannot be bound is named before anything
 * is written.
 */
import assert from "node:assert/strict";
import { CLI, cliArgs, cliEnv, runCli } from "./_cli.ts";
import { assertOneLine, exists } from "./_trust.ts";

/** Starts `train` with network access to 127.0.0.1 (under `ulimit -n`, if given). */
function startServe(cwd: string, args: string[], fdLimit?: number) {
  const argv = cliArgs(cwd, args);
  argv.splice(argv.indexOf(CLI), 0, "--allow-net=127.0.0.1");
  const command = fdLimit === undefined
    ? new Deno.Command(Deno.execPath(), {
      args: argv,
      cwd,
      env: cliEnv(),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    })
    : new Deno.Command("sh", {
      args: ["-c", `ulimit -n ${fdLimit} && exec "$0" "$@"`, Deno.execPath(), ...argv],
      cwd,
      env: cliEnv(),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    });
  return spawnCollect(command);
}

function spawnCollect(command: Deno.Command) {
  const child = command.spawn();
  let stdout = "";
  let stderr = "";
  const decoder = new TextDecoder();
  const read = async (stream: ReadableStream<Uint8Array>, sink: (s: string) => void) => {
    for await (const chunk of stream) sink(decoder.decode(chunk, { stream: true }));
  };
  const done = Promise.all([
    read(child.stdout, (s) => stdout += s),
    read(child.stderr, (s) => stderr += s),
  ]).then(() => child.status);
  return {
    child,
    done,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    async url(): Promise<URL> {
      const end = performance.now() + 60_000;
      while (performance.now() < end) {
        const m = stdout.match(/^Live: (http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/)$/m);
        if (m) return new URL(m[1]);
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`No Live line: ${stdout} ${stderr}`);
    },
  };
}

/** Sends `request` as raw bytes and returns the response's status code (0 for none). */
async function rawStatus(port: number, request: string): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    const buf = new Uint8Array(512);
    const n = await conn.read(buf);
    const line = new TextDecoder().decode(buf.subarray(0, n ?? 0)).split("\r\n")[0];
    return Number(line.split(" ")[1] ?? 0);
  } finally {
    conn.close();
  }
}

/** Whether this process may listen on `port` (a privileged port, as root). */
function canBind(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

Deno.test("the live server answers every malformed request with a 4xx and prints nothing", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "denograd_trust_live_" });
  const cli = startServe(cwd, ["train", "--serve", "--steps", "1000000", "--out", "run"]);
  try {
    const url = await cli.url();
    const port = Number(url.port);
    const token = url.pathname.split("/")[1];
    const host = `127.0.0.1:${port}`;
    const get = (path: string, headers: string) => `GET ${path} HTTP/1.1\r\n${headers}\r\n`;
    assert.equal(await rawStatus(port, get(`/${token}/`, `Host: ${host}\r\n`)), 200);
    const bad: [string, string][] = [
      ["a Host with a name after the port", get(`/${token}/`, `Host: ${host}.evil.com\r\n`)],
      ["a Host with a port out of range", get(`/${token}/`, `Host: 127.0.0.1:99999\r\n`)],
      ["a Host with a space", get(`/${token}/`, `Host: a b\r\n`)],
      ["an empty Host", get(`/${token}/`, `Host: \r\n`)],
      ["no Host", get(`/${token}/`, "")],
      ["two Hosts", get(`/${token}/`, `Host: ${host}\r\nHost: evil\r\n`)],
      ["a Host with a user", get(`/${token}/`, `Host: u@${host}\r\n`)],
      ["a relative path", get(`../${token}/`, `Host: ${host}\r\n`)],
      ["an absolute URL", get(`http://evil/${token}/`, `Host: ${host}\r\n`)],
      ["a path of escapes", get(`/%zz%00/${token}`, `Host: ${host}\r\n`)],
      ["a method that is not GET", `BREW /${token}/ HTTP/1.1\r\nHost: ${host}\r\n\r\n`],
      ["POST", `POST /${token}/ready HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\n\r\n`],
      [
        "POST with a body",
        `POST /${token}/ HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 5000\r\n\r\n${
          "x".repeat(5000)
        }`,
      ],
      ["a header without a colon", get(`/${token}/`, `Host: ${host}\r\nnonsense\r\n`)],
      ["no request line", "\r\n\r\n"],
      ["garbage", "\x16\x03\x01 hello\r\n\r\n"],
      ["HTTP/2's preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"],
      ["a head too long", get(`/${token}/`, `Host: ${host}\r\nX: ${"a".repeat(10_000)}\r\n`)],
    ];
    for (const [name, request] of bad) {
      const status = await rawStatus(port, request);
      assert.ok(status >= 400 && status < 500, `${name}: ${status}`);
    }
    // The page is still served, and the run goes on to save its files.
    assert.equal((await fetch(url)).status, 200);
    cli.child.kill("SIGINT");
    const status = await cli.done;
    assert.equal(status.code, 130, cli.stderr);
    assert.doesNotMatch(cli.stderr, /Error|^\s+at /m, cli.stderr);
    for (const f of ["model.json", "history.csv", "report.html"]) {
      assert.ok(exists(`${cwd}/run/${f}`), f);
    }
  } finally {
    try {
      cli.child.kill("SIGKILL");
    } catch {
      // Exited already.
    }
    await cli.done;
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test({
  name: "300 idle connections under ulimit -n 256 neither stop the run nor its writes",
  ignore: Deno.build.os === "windows",
  async fn() {
    const cwd = await Deno.makeTempDir({ prefix: "denograd_trust_live_" });
    const cli = startServe(cwd, ["train", "--serve", "--steps", "1000000", "--out", "run"], 256);
    const conns: Deno.Conn[] = [];
    try {
      const url = await cli.url();
      for (let i = 0; i < 300; i++) {
        conns.push(await Deno.connect({ hostname: "127.0.0.1", port: Number(url.port) }));
      }
      // A page still gets in: an idle stranger makes room for it.
      const page = await fetch(url);
      assert.equal(page.status, 200);
      await page.body?.cancel();
      cli.child.kill("SIGINT");
      const status = await cli.done;
      assert.equal(status.code, 130, cli.stderr);
      assert.doesNotMatch(cli.stderr, /Error|open files|^\s+at /m, cli.stderr);
      const model = JSON.parse(await Deno.readTextFile(`${cwd}/run/model.json`));
      assert.equal(model.status, "cancelled");
      assert.ok(exists(`${cwd}/run/report.html`) && exists(`${cwd}/run/history.csv`));
    } finally {
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // Closed by the server.
        }
      }
      try {
        cli.child.kill("SIGKILL");
      } catch {
        // Exited already.
      }
      await cli.done;
      await Deno.remove(cwd, { recursive: true });
    }
  },
});

Deno.test("--port reads decimals only, and a port that cannot be bound writes nothing", async (t) => {
  const cwd = await Deno.makeTempDir({ prefix: "denograd_trust_live_" });
  const run = (args: string[]) =>
    runCli(["train", "--steps", "5", "--out", "out", ...args], {
      cwd,
      deno: { flags: ["--allow-net=127.0.0.1"] },
    });
  try {
    for (
      const port of ["0x50", "0o17", "0b1", "", " ", "1_000", "80.5", "-1", "65536", "Infinity"]
    ) {
      await t.step(`--port ${JSON.stringify(port)}`, async () => {
        const r = await run([`--port=${port}`]);
        assert.equal(r.code, 2, r.stderr);
        assertOneLine(r.stderr, /^Cannot train as '--port' must be a whole number from 0 to 65535/);
        assert.ok(!exists(`${cwd}/out`), "no folder");
      });
    }
    await t.step("a port in use is named with the system's reason", async () => {
      const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const port = (taken.addr as Deno.NetAddr).port;
        const r = await run(["--port", String(port)]);
        assert.equal(r.code, 2, r.stderr);
        assertOneLine(r.stderr, new RegExp(`'--port' ${port} is in use \\(.*os error.*\\)`));
        assert.ok(!exists(`${cwd}/out`), "no folder");
        // Nor a fresh run folder under runs/.
        assert.ok(!exists(`${cwd}/runs`) || [...Deno.readDirSync(`${cwd}/runs`)].length === 0);
        const fresh = await runCli(["train", "--steps", "5", "--port", String(port)], {
          cwd,
          deno: { flags: ["--allow-net=127.0.0.1"] },
        });
        assert.equal(fresh.code, 2, fresh.stderr);
        assert.ok(!exists(`${cwd}/runs`) || [...Deno.readDirSync(`${cwd}/runs`)].length === 0);
      } finally {
        taken.close();
      }
    });
    await t.step({
      name: "a privileged port is the system's refusal, not Deno's permissions",
      // As root, port 80 is bound: nothing to refuse.
      ignore: Deno.build.os === "windows" || canBind(80),
      fn: async () => {
        const r = await run(["--port", "80"]);
        assert.equal(r.code, 2, r.stderr);
        assertOneLine(r.stderr, /the system refuses '--port' 80 \(.+\)/);
        assert.doesNotMatch(r.stderr, /--allow-net/);
        assert.ok(!exists(`${cwd}/out`), "no folder");
      },
    });
    await t.step("--port 0 serves on a free port", async () => {
      const cli = startServe(cwd, ["train", "--port", "0", "--steps", "5", "--out", "ok"]);
      await cli.url();
      assert.equal((await cli.done).code, 0, cli.stderr);
    });
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
