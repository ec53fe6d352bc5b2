/**
 * The `denograd` command line, as functions: {@linkcode main} runs it with
 * argument strings, and each command is here for programs that embed it.
 *
 * @module
 */
export * from "./main.ts";
export * from "./train.ts";
export * from "./predict.ts";
export * from "./graph.ts";
export * from "./datasets.ts";
export * from "./config.ts";
export * from "./setup.ts";
export * from "./model_file.ts";
export * from "./report.ts";
export * from "./sweep.ts";
export * from "./compare.ts";
