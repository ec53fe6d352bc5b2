// @ts-check
/**
 * A module Web Worker that trains on request and posts plain numbers back:
 * `{ type: "step", step, loss }` per step, then `{ type: "done", accuracy }`.
 *
 * @module
 */
import { trainXor } from "./train_xor.js";

self.onmessage = (event) => {
  if (event.data?.type !== "train") {
    console.error("Unexpected message to the worker:", event.data);
    return;
  }
  const { accuracy } = trainXor(({ step, loss }) => self.postMessage({ type: "step", step, loss }));
  self.postMessage({ type: "done", accuracy });
};
