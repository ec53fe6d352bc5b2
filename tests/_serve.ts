/**
 * A tiny static file server for tests: serves a folder on 127.0.0.1 from
 * `Deno.serve` on a free port, plus in-memory pages a test adds.
 *
 * @module
 */

import { extname, join, normalize } from "node:path";

/** Options for {@linkcode serveDirectory}. */
export interface ServeOptions {
  /**
   * Extra files served from memory, by URL path (e.g. `"/page.html"`); they win over the folder.
   * @default {{}}
   */
  files?: Record<string, string>;
}

/** A running file server, stopped by {@linkcode FileServer.close}. */
export interface FileServer {
  /** The base URL, ending in a slash, e.g. `http://127.0.0.1:43210/`. */
  readonly url: string;
  /** The URL path of every request served, in order. */
  readonly requests: string[];
  /** Stops the server and waits until it has finished. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".ts": "application/typescript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** Serves the files under `root` on 127.0.0.1 on a free port; 404 for anything else (204 for a missing `/favicon.ico`). */
export function serveDirectory(root: string, options: ServeOptions = {}): FileServer {
  const files = options.files ?? {};
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname);
    requests.push(path);
    const type = CONTENT_TYPES[extname(path)] ?? "application/octet-stream";
    if (path in files) return new Response(files[path], { headers: { "content-type": type } });
    const file = normalize(join(root, path));
    if (!file.startsWith(normalize(root))) return new Response("Forbidden", { status: 403 });
    try {
      return new Response(await Deno.readFile(file), { headers: { "content-type": type } });
    } catch {
      // Browsers ask for /favicon.ico on their own: answer with nothing rather than a 404 error.
      if (path === "/favicon.ico") return new Response(null, { status: 204 });
      return new Response("Not found", { status: 404 });
    }
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    requests,
    async close() {
      await server.shutdown();
    },
  };
}
