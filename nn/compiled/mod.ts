/**
 * The compiled path: {@linkcode CompiledMlp} runs a model's steps on flat typed arrays (WebAssembly SIMD where there is one), bit for bit the `Value` graph's numbers.
 *
 * @module
 */
export * from "./compiled_mlp.ts";
