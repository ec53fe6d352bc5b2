/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * A worker thread of {@linkcode ThreadPool}: instantiates the SIMD kernels
 * over the memory it is sent and serves kernel calls until told to stop.
 *
 * @module
 */
import { simdKernelsOver } from "./_simd.ts";
import { serveKernels, type ThreadStart } from "./_threads.ts";

self.onmessage = (e: MessageEvent<ThreadStart>) => {
  const simd = simdKernelsOver(e.data.memory, true);
  // The pool only starts where SIMD runs on a shared memory: this does not happen.
  if (simd === undefined) throw new Error("Cannot run kernels as SIMD is missing in this worker");
  serveKernels(e.data, simd);
  // Stopped: a worker that is still open would keep its process running.
  self.close();
};
