/**
 * The compiled path's matrix kernels in WebAssembly SIMD (`f64x2`), written
 * here as bytes by a small assembler, so that nothing is downloaded or built.
 *
 * Each lane holds one sum of its own; a sum's terms are added one by one in
 * the same order as the JS kernels add them, with a plain multiply and a
 * plain add (no fused multiply-add, which `f64x2` does not have), so every
 * lane's float is the JS kernel's. A kernel covers the whole blocks of a
 * layer; the JS kernels do the rest. The kernels are register-blocked (a
 * block of outputs x samples held in locals, so that each number loaded
 * serves several sums) and cache-blocked: the weight and bias grads go
 * through the samples in chunks that fit in L2 (the last chunk first, last
 * sample first within it, each grad stored after a chunk and continued by
 * the next: the same terms in the same order), and the input grads meet a
 * chunk of samples per block of inputs, whose weights stay in L1.
 * {@linkcode simdKernels} returns `undefined` where WebAssembly SIMD is
 * missing or may not be compiled (a page whose Content-Security-Policy lacks
 * `'wasm-unsafe-eval'`), or its memory cannot be had, and the JS kernels
 * then do everything. The module is 3.6 KB, under every browser's 4 KB
 * limit for compiling on the main thread (a test keeps it there).
 *
 * @module
 */

/** The SIMD kernels of one instance, over its own memory. Addresses are byte offsets. */
export interface SimdKernels {
  /** The memory every address points into. */
  readonly memory: WebAssembly.Memory;
  /**
   * One layer's sums for samples `[0, ns)` (a multiple of 4) and neurons
   * `[0, nj)` (a multiple of 2): `z[s, j] = bias_j + sum_i wt[i, j] * x[s, i]`, where `wt` is the
   * layer's weights transposed (`nin` rows of `nout`) followed by its biases.
   */
  forward(
    wt: number,
    x: number,
    z: number,
    nin: number,
    nout: number,
    ns: number,
    nj: number,
  ): void;
  /**
   * Adds into the weight grads of neurons `[0, nj)` and inputs `[0, ni)`
   * (multiples of 2) one term per packed sample, last first:
   * `g[j, i] += x[rows[t], i] * gz[t, j]`.
   */
  weightGrads(
    g: number,
    x: number,
    rows: number,
    gz: number,
    nin: number,
    nout: number,
    nj: number,
    ni: number,
    n: number,
  ): void;
  /**
   * Adds into the bias grads of neurons `[0, nj)` (a multiple of 2) one term
   * per packed sample, last first: `g[b_j] += gz[t, j]`.
   */
  biasGrads(g: number, gz: number, nin: number, nout: number, nj: number, n: number): void;
  /**
   * ReLU (`z = max(z, 0)`, `der = z <= 0 ? 0 : 1`) of `n` sums (an even
   * number), the same floats as its kernel in `activations.ts`.
   */
  relu(z: number, der: number, n: number): void;
  /**
   * The input grads of samples `[0, ns)` and inputs `[0, ni)` (multiples
   * of 2): `gx[t, i] = sum_j w[j, i] * gz[t, j]` from 0,
   * last neuron first.
   */
  inputGrads(
    w: number,
    gz: number,
    gx: number,
    nin: number,
    nout: number,
    ns: number,
    ni: number,
  ): void;
  /**
   * {@linkcode SimdKernels.inputGrads} with each sample's neurons met in the
   * order `order[rows[t] * nout ..]`, for samples `[0, n)` and inputs `[0, ni)`.
   */
  orderedInputGrads(
    w: number,
    gz: number,
    gx: number,
    nin: number,
    nout: number,
    rows: number,
    order: number,
    n: number,
    ni: number,
  ): void;
}

// --- A small WebAssembly assembler: just what the kernels use. ---

/** WebAssembly bytes. */
export type Code = number[];

function uleb(n: number): Code {
  const out: Code = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): Code {
  const out: Code = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const I32 = 0x7f;
/** The `f64` value type. */
export const F64 = 0x7c;
const V128 = 0x7b;
const SIMD = 0xfd;

/** The instructions, by their text-format names. */
export const op = {
  get: (i: number): Code => [0x20, ...uleb(i)],
  set: (i: number): Code => [0x21, ...uleb(i)],
  tee: (i: number): Code => [0x22, ...uleb(i)],
  i32: (n: number): Code => [0x41, ...sleb(n)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  divS: [0x6d],
  shl: [0x74],
  and: [0x71],
  f64: (x: number): Code => [0x44, ...new Uint8Array(new Float64Array([x]).buffer)],
  geS: [0x4e],
  ltS: [0x48],
  gtS: [0x4a],
  leS: [0x4c],
  leU: [0x4d],
  select: [0x1b],
  i32Load: [0x28, 2, 0],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (d: number): Code => [0x0c, ...uleb(d)],
  brIf: (d: number): Code => [0x0d, ...uleb(d)],
  vLoad: (offset = 0): Code => [SIMD, 0x00, 3, ...uleb(offset)],
  vStore: (offset = 0): Code => [SIMD, 0x0b, 3, ...uleb(offset)],
  vSplat: (offset = 0): Code => [SIMD, 0x0a, 3, ...uleb(offset)],
  vZero: [SIMD, 0x0c, ...new Array(16).fill(0)],
  vLoadLane: (lane: number): Code => [SIMD, 0x57, 3, 0, lane],
  vStoreLane: (lane: number): Code => [SIMD, 0x5b, 3, 0, lane],
  fSplat: [SIMD, 0x14],
  fLe: [SIMD, ...uleb(0x4b)],
  andNot: [SIMD, ...uleb(0x4f)],
  fMax: [SIMD, ...uleb(0xf5)],
  fAdd: [SIMD, ...uleb(0xf0)],
  fMul: [SIMD, ...uleb(0xf2)],
  fExtractLane: (lane: number): Code => [SIMD, 0x21, lane],
  f64Add: [0xa0],
};

/** `for (i = from; i < to; i += step) body`, with `i` and `to` locals. */
function forUp(i: number, from: Code, to: number, step: number, body: Code): Code {
  return [
    ...from,
    ...op.set(i),
    ...op.block,
    ...op.loop,
    ...op.get(i),
    ...op.get(to),
    ...op.geS,
    ...op.brIf(1),
    ...body,
    ...op.get(i),
    ...op.i32(step),
    ...op.add,
    ...op.set(i),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

/** `for (i = from; i >= to; i--) body`. */
function forDown(i: number, from: Code, body: Code, to: Code = op.i32(0)): Code {
  return [
    ...from,
    ...op.set(i),
    ...op.block,
    ...op.loop,
    ...op.get(i),
    ...to,
    ...op.ltS,
    ...op.brIf(1),
    ...body,
    ...op.get(i),
    ...op.i32(1),
    ...op.sub,
    ...op.set(i),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

/**
 * `while (p > lo) body` (the body moves `p` down), with `p` and `lo` local
 * addresses, compared unsigned (a memory may be larger than 2 GiB).
 */
function walkDown(p: number, lo: number, body: Code): Code {
  return [
    ...op.block,
    ...op.loop,
    ...expr(p, lo),
    ...op.leU,
    ...op.brIf(1),
    ...body,
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

/**
 * The samples `[0, n)` in chunks of `size` (a local), first chunk first:
 * `for (lo = 0; lo < n; lo = hi) { hi = min(lo + size, n); body }`.
 */
function chunksUp(lo: number, hi: number, n: number, size: number, body: Code): Code {
  return [
    ...op.i32(0),
    ...op.set(lo),
    ...op.block,
    ...op.loop,
    ...expr(lo, n),
    ...op.geS,
    ...op.brIf(1),
    // hi = lo + size < n ? lo + size : n
    ...expr(lo, size, "+"),
    ...op.tee(hi),
    ...op.get(n),
    ...expr(hi, n),
    ...op.ltS,
    ...op.select,
    ...op.set(hi),
    ...body,
    ...op.get(hi),
    ...op.set(lo),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

/**
 * The samples `[0, n)` in chunks of `size` (a local), last chunk first:
 * `for (hi = n; hi > 0; hi = lo) { lo = max(hi - size, 0); body }`.
 */
function chunksDown(lo: number, hi: number, n: number, size: number, body: Code): Code {
  return [
    ...op.get(n),
    ...op.set(hi),
    ...op.block,
    ...op.loop,
    ...op.get(hi),
    ...op.i32(0),
    ...op.leS,
    ...op.brIf(1),
    // lo = hi - size > 0 ? hi - size : 0
    ...expr(hi, size, "-"),
    ...op.tee(lo),
    ...op.i32(0),
    ...op.get(lo),
    ...op.i32(0),
    ...op.gtS,
    ...op.select,
    ...op.set(lo),
    ...body,
    ...op.get(lo),
    ...op.set(hi),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

/**
 * `dst = max(floor(budget / width) & -m, m)`: how many samples of `width`
 * numbers fit in `budget` numbers, a multiple of `m` (a power of 2), at least `m`.
 */
function chunkSize(dst: number, budget: number, width: Code, m: number): Code {
  return [
    ...op.i32(budget),
    ...width,
    ...op.divS,
    ...op.i32(-m),
    ...op.and,
    ...op.tee(dst),
    ...op.i32(m),
    ...expr(dst, op.i32(m)),
    ...op.gtS,
    ...op.select,
    ...op.set(dst),
  ];
}

/** `a = a + b * c` on v128 locals, `b` and `c` given as code. */
function acc(a: number, b: Code, c: Code): Code {
  return [...op.get(a), ...b, ...c, ...op.fMul, ...op.fAdd, ...op.set(a)];
}

/**
 * Code that pushes an i32 expression, written in postfix: numbers are
 * locals, `"+"`, `"-"`, `"*"`, `"<<2"` and `"<<3"` are operators, arrays are
 * code (constants, loads). `expr(s, nin, "*", "<<3", x, "+")` is `x + (s * nin) * 8`.
 */
function expr(...parts: (number | string | Code)[]): Code {
  const out: Code = [];
  for (const p of parts) {
    if (typeof p === "number") out.push(...op.get(p));
    else if (p === "+") out.push(...op.add);
    else if (p === "-") out.push(...op.sub);
    else if (p === "*") out.push(...op.mul);
    else if (p === "<<3") out.push(...op.i32(3), ...op.shl);
    else if (p === "<<2") out.push(...op.i32(2), ...op.shl);
    else out.push(...(p as Code));
  }
  return out;
}

/** A function: its `i32` parameters, its locals, its code and the type of its one result (none when missing). */
export interface Fn {
  params: number;
  i32s: number;
  v128s: number;
  body: Code;
  result?: number;
}

function vector(items: Code[]): Code {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, content: Code): Code {
  return [id, ...uleb(content.length), ...content];
}

/**
 * A module of `fns`, exported as `names`, that imports `m.memory` (a shared
 * one when `memory.shared`), or no memory when `memory` is `undefined`.
 */
export function module(
  fns: Fn[],
  names: string[],
  memory: { shared: boolean } | undefined,
): Uint8Array<ArrayBuffer> {
  const types = fns.map((f) => [
    0x60,
    ...uleb(f.params),
    ...new Array(f.params).fill(I32),
    ...(f.result === undefined ? [0] : [1, f.result]),
  ]);
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  // A shared memory is imported with the shared flag and a maximum (here 4 GiB: any fits).
  const limits = memory?.shared ? [0x03, 0x01, ...uleb(65536)] : [0x00, 0x01];
  const imports = [[...name("m"), ...name("memory"), 0x02, ...limits]];
  const bodies = fns.map((f) => {
    const locals = [[...uleb(f.i32s), I32], [...uleb(f.v128s), V128]];
    const code = [...vector(locals), ...f.body, ...op.end];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector(types)),
    ...(memory ? section(2, vector(imports)) : []),
    ...section(3, vector(fns.map((_, i) => uleb(i)))),
    ...section(7, vector(names.map((n, i) => [...name(n), 0x00, ...uleb(i)]))),
    ...section(10, vector(bodies)),
  ]);
}

// --- The kernels. Locals are numbered: parameters first, then i32s, then v128s. ---

/** The indices of `n` locals from `first` on. */
function locals(first: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => first + k);
}

/** `lo` rounded down to a multiple of `m` (a power of 2), into local `dst`. */
function roundDown(dst: number, lo: number, m: number): Code {
  return [...expr(lo, op.i32(-m)), ...op.and, ...op.set(dst)];
}

/** `regs[k] = the vector at addr + 16k`. */
function loadVectors(addr: number, regs: number[]): Code {
  return regs.flatMap((r, k) => [...op.get(addr), ...op.vLoad(16 * k), ...op.set(r)]);
}

/** `the vector at addr + 16k = regs[k]`. */
function storeVectors(addr: number, regs: number[]): Code {
  return regs.flatMap((r, k) => [...op.get(addr), ...op.get(r), ...op.vStore(16 * k)]);
}

/** `regs[k] = 0`. */
function zeroVectors(regs: number[]): Code {
  return regs.flatMap((r) => [...op.vZero, ...op.set(r)]);
}

/**
 * For each vector `k` at `addr + 16k` (loaded into `tmp`) and each pair
 * `[accs, scalar]`: `accs[k] += vector * scalar`, one sum per lane.
 */
function accumulate(addr: number, tmp: number, pairs: [number[], number][]): Code {
  return pairs[0][0].flatMap((_, k) => [
    ...op.get(addr),
    ...op.vLoad(16 * k),
    ...op.set(tmp),
    ...pairs.flatMap(([accs, scalar]) => acc(accs[k], op.get(tmp), op.get(scalar))),
  ]);
}

/**
 * `block(4)` for each 8 inputs `i` below `ni8` (which this sets to `ni`
 * rounded down to 8), then `block(1)` for each 2 up to `ni` (even).
 */
function inputBlocks(i: number, ni: number, ni8: number, block: (v: number) => Code): Code {
  return [
    ...roundDown(ni8, ni, 8),
    ...forUp(i, op.i32(0), ni8, 8, block(4)),
    ...forUp(i, op.get(ni8), ni, 2, block(1)),
  ];
}

function forwardFn(): Fn {
  // (wt, x, z, nin, nout, ns, nj): blocks of 4 samples x 4 neurons, then 4 x 2.
  const [wt, x, z, nin, nout, ns, nj] = locals(0, 7);
  const [s, j, i, wp, zp, strideB, nj4] = locals(7, 7);
  const xs = locals(14, 4);
  const a = locals(18, 8);
  const w = locals(26, 2);
  const u = 28;
  // v vectors (2v neurons) per sample r: accumulators a[2r] and a[2r + 1].
  const block = (v: number): Code => {
    const row = (r: number) => a.slice(2 * r, 2 * r + v);
    const inner: Code = [
      ...loadVectors(wp, w.slice(0, v)),
      ...xs.flatMap((xp, r) => [
        ...op.get(xp),
        ...op.vSplat(0),
        ...op.set(u),
        ...row(r).flatMap((ar, c) => acc(ar, op.get(w[c]), op.get(u))),
        ...expr(xp, op.i32(8), "+"),
        ...op.set(xp),
      ]),
      ...expr(wp, strideB, "+"),
      ...op.set(wp),
    ];
    return [
      // the biases: wt + (nin * nout + j) * 8
      ...expr(nin, nout, "*", j, "+", "<<3", wt, "+"),
      ...op.set(wp),
      ...xs.flatMap((_, r) => loadVectors(wp, row(r))),
      // each sample's inputs, one row apart
      ...xs.flatMap((
        xp,
        r,
      ) => [...expr(s, op.i32(r), "+", nin, "*", "<<3", x, "+"), ...op.set(xp)]),
      ...expr(j, "<<3", wt, "+"),
      ...op.set(wp),
      ...forUp(i, op.i32(0), nin, 1, inner),
      // z + (s * nout + j) * 8, then one row per sample
      ...expr(s, nout, "*", j, "+", "<<3", z, "+"),
      ...op.set(zp),
      ...xs.flatMap((
        _,
        r,
      ) => [...storeVectors(zp, row(r)), ...expr(zp, strideB, "+"), ...op.set(zp)]),
    ];
  };
  // Each block of 4 samples meets every block of neurons: their inputs stay
  // in the L1 cache, the weights come from L2 row by row. (Neurons outside,
  // samples inside would walk a column of the weights at a stride of a
  // power of 2 at widths such as 256, which thrashes a few sets of L1.)
  return {
    params: 7,
    i32s: 11,
    v128s: 11,
    body: [
      ...expr(nout, "<<3"),
      ...op.set(strideB),
      ...roundDown(nj4, nj, 4),
      ...forUp(s, op.i32(0), ns, 4, [
        ...forUp(j, op.i32(0), nj4, 4, block(2)),
        ...forUp(j, op.get(nj4), nj, 2, block(1)),
      ]),
    ],
  };
}

function weightGradsFn(): Fn {
  // (g, x, rows, gz, nin, nout, nj, ni, n): blocks of 2 neurons x 8 inputs, then 2 x 2.
  const [g, x, rows, gz, nin, nout, nj, ni, n] = locals(0, 9);
  const [j, i, rp, ga, gb, xp, zp, strideB, ni8, lo, hi, size, rlo, xi, ninB, noutB] = locals(
    9,
    16,
  );
  const a = locals(25, 4);
  const b = locals(29, 4);
  const [z0, z1, u] = locals(33, 3);
  const block = (v: number): Code => [
    ...expr(j, nin, op.i32(1), "+", "*", i, "+", "<<3", g, "+"),
    ...op.tee(ga),
    ...expr(strideB, "+"),
    ...op.set(gb),
    ...loadVectors(ga, a.slice(0, v)),
    ...loadVectors(gb, b.slice(0, v)),
    // Samples hi - 1 down to lo, by pointers: rp at rows[s], zp at gz[s, j].
    ...expr(hi, "<<2", rows, "+"),
    ...op.set(rp),
    ...expr(hi, nout, "*", j, "+", "<<3", gz, "+"),
    ...op.set(zp),
    ...expr(i, "<<3", x, "+"),
    ...op.set(xi),
    ...walkDown(rp, rlo, [
      ...expr(rp, op.i32(4), "-"),
      ...op.set(rp),
      ...expr(zp, noutB, "-"),
      ...op.set(zp),
      // xp = x + (rows[s] * nin + i) * 8; z0, z1 = gz[s, j], gz[s, j + 1]
      ...expr(rp, op.i32Load, ninB, "*", xi, "+"),
      ...op.set(xp),
      ...op.get(zp),
      ...op.vSplat(0),
      ...op.set(z0),
      ...op.get(zp),
      ...op.vSplat(8),
      ...op.set(z1),
      ...accumulate(xp, u, [[a.slice(0, v), z0], [b.slice(0, v), z1]]),
    ]),
    ...storeVectors(ga, a.slice(0, v)),
    ...storeVectors(gb, b.slice(0, v)),
  ];
  // Chunks of samples, last first, whose inputs and grads fit in a few
  // hundred KB (the L2 cache): each grad adds a chunk's terms, is stored,
  // and goes on with the next chunk's, the same terms in the same order.
  return {
    params: 9,
    i32s: 16,
    v128s: 11,
    body: [
      ...expr(nin, op.i32(1), "+", "<<3"),
      ...op.set(strideB),
      ...expr(nin, "<<3"),
      ...op.set(ninB),
      ...expr(nout, "<<3"),
      ...op.set(noutB),
      ...chunkSize(size, 32768, expr(nin, nout, "+"), 1),
      ...chunksDown(lo, hi, n, size, [
        ...expr(lo, "<<2", rows, "+"),
        ...op.set(rlo),
        ...forUp(j, op.i32(0), nj, 2, inputBlocks(i, ni, ni8, block)),
      ]),
    ],
  };
}

function biasGradsFn(): Fn {
  // (g, gz, nin, nout, nj, n): g[b_j] += gz[t, j], last sample first, 2 neurons at a time.
  const [g, gz, nin, nout, nj, n] = locals(0, 6);
  const [j, s, ga, gb, lo, hi, size] = locals(6, 7);
  const c = 13;
  // Chunks of samples, last first, as in weightGradsFn.
  const chunk = forUp(j, op.i32(0), nj, 2, [
    // the two biases: g + (j * (nin + 1) + nin) * 8, and one stride on
    ...expr(j, nin, op.i32(1), "+", "*", nin, "+", "<<3", g, "+"),
    ...op.tee(ga),
    ...expr(nin, op.i32(1), "+", "<<3", "+"),
    ...op.set(gb),
    ...op.get(gb),
    ...op.get(ga),
    ...op.vSplat(0),
    ...op.vLoadLane(1),
    ...op.set(c),
    ...forDown(s, expr(hi, op.i32(1), "-"), [
      ...op.get(c),
      ...expr(s, nout, "*", j, "+", "<<3", gz, "+"),
      ...op.vLoad(0),
      ...op.fAdd,
      ...op.set(c),
    ], op.get(lo)),
    ...op.get(ga),
    ...op.get(c),
    ...op.vStoreLane(0),
    ...op.get(gb),
    ...op.get(c),
    ...op.vStoreLane(1),
  ]);
  return {
    params: 6,
    i32s: 7,
    v128s: 1,
    body: [...chunkSize(size, 32768, op.get(nout), 1), ...chunksDown(lo, hi, n, size, chunk)],
  };
}

function inputGradsFn(): Fn {
  // (w, gz, gx, nin, nout, ns, ni): blocks of 2 samples x 8 inputs, then 2 x 2.
  const [w, gz, gx, nin, nout, ns, ni] = locals(0, 7);
  const [s, i, zlo, wp, zp, xp, ni8, lo, hi, size, strideB, noutB] = locals(7, 12);
  const a = locals(19, 4);
  const b = locals(23, 4);
  const [u, v, wv] = locals(27, 3);
  const block = (vs: number): Code => [
    ...zeroVectors([...a.slice(0, vs), ...b.slice(0, vs)]),
    // Neurons nout - 1 down to 0, by pointers: zp at gz[s, j], wp at w[j, i].
    ...expr(s, nout, "*", "<<3", gz, "+"),
    ...op.tee(zlo),
    ...expr(noutB, "+"),
    ...op.set(zp),
    ...expr(nout, nin, op.i32(1), "+", "*", i, "+", "<<3", w, "+"),
    ...op.set(wp),
    ...walkDown(zp, zlo, [
      ...expr(zp, op.i32(8), "-"),
      ...op.tee(zp),
      ...op.vSplat(0),
      ...op.set(u),
      // u, v = gz[s, j], gz[s + 1, j]
      ...expr(zp, noutB, "+"),
      ...op.vSplat(0),
      ...op.set(v),
      ...expr(wp, strideB, "-"),
      ...op.set(wp),
      ...accumulate(wp, wv, [[a.slice(0, vs), u], [b.slice(0, vs), v]]),
    ]),
    ...expr(s, nin, "*", i, "+", "<<3", gx, "+"),
    ...op.set(xp),
    ...storeVectors(xp, a.slice(0, vs)),
    ...expr(xp, nin, "<<3", "+"),
    ...op.set(xp),
    ...storeVectors(xp, b.slice(0, vs)),
  ];
  // Chunks of samples whose grads fit in a few hundred KB (the L2 cache),
  // each met by every block of inputs, whose weights stay in the L1 cache.
  return {
    params: 7,
    i32s: 12,
    v128s: 11,
    body: [
      ...expr(nin, op.i32(1), "+", "<<3"),
      ...op.set(strideB),
      ...expr(nout, "<<3"),
      ...op.set(noutB),
      ...chunkSize(size, 3072, op.get(nout), 2),
      ...chunksUp(
        lo,
        hi,
        ns,
        size,
        inputBlocks(i, ni, ni8, (vs) => forUp(s, op.get(lo), hi, 2, block(vs))),
      ),
    ],
  };
}

function orderedInputGradsFn(): Fn {
  // (w, gz, gx, nin, nout, rows, order, n, ni): blocks of 1 sample x 8 inputs, then 1 x 2.
  const [w, gz, gx, nin, nout, rows, order, n, ni] = locals(0, 9);
  const [s, i, r, j, wp, at, xp, ni8] = locals(9, 8);
  const a = locals(17, 4);
  const [u, wv] = locals(21, 2);
  const block = (v: number): Code => [
    ...zeroVectors(a.slice(0, v)),
    ...forUp(r, op.i32(0), nout, 1, [
      // j = order[at + r]; wp = w + (j * (nin + 1) + i) * 8; u = gz[s, j]
      ...expr(at, r, "+", "<<2", order, "+", op.i32Load),
      ...op.set(j),
      ...expr(j, nin, op.i32(1), "+", "*", i, "+", "<<3", w, "+"),
      ...op.set(wp),
      ...expr(s, nout, "*", j, "+", "<<3", gz, "+"),
      ...op.vSplat(0),
      ...op.set(u),
      ...accumulate(wp, wv, [[a.slice(0, v), u]]),
    ]),
    ...expr(s, nin, "*", i, "+", "<<3", gx, "+"),
    ...op.set(xp),
    ...storeVectors(xp, a.slice(0, v)),
  ];
  return {
    params: 9,
    i32s: 8,
    v128s: 6,
    body: forUp(s, op.i32(0), n, 1, [
      ...expr(s, "<<2", rows, "+", op.i32Load, nout, "*"),
      ...op.set(at),
      ...inputBlocks(i, ni, ni8, block),
    ]),
  };
}

function reluFn(): Fn {
  // (z, der, n): z = max(z, 0) and der = (z <= 0 ? 0 : 1), two at a time, n even.
  const [z, der, n] = locals(0, 3);
  const [i, zp] = locals(3, 2);
  const [x, one, zero] = locals(5, 3);
  return {
    params: 3,
    i32s: 2,
    v128s: 3,
    body: [
      ...op.f64(1),
      ...op.fSplat,
      ...op.set(one),
      ...op.vZero,
      ...op.set(zero),
      ...forUp(i, op.i32(0), n, 2, [
        ...expr(i, "<<3", z, "+"),
        ...op.tee(zp),
        ...op.get(zp),
        ...op.vLoad(0),
        ...op.tee(x),
        ...op.get(zero),
        ...op.fMax,
        ...op.vStore(0),
        // der: 1.0 where not (x <= 0), so NaN gets 1 as in the JS kernel
        ...expr(i, "<<3", der, "+"),
        ...op.get(one),
        ...op.get(x),
        ...op.get(zero),
        ...op.fLe,
        ...op.andNot,
        ...op.vStore(0),
      ]),
    ],
  };
}

/** The kernels' names, in the module's order. */
export const SIMD_KERNEL_NAMES = [
  "forward",
  "weightGrads",
  "biasGrads",
  "inputGrads",
  "orderedInputGrads",
  "relu",
] as const;

const NAMES = SIMD_KERNEL_NAMES;

// The compiled modules, over a private memory and over a shared one.
const compiled: (WebAssembly.Module | null | undefined)[] = [undefined, undefined];

/**
 * The module's bytes, over its own memory or (`shared`) over an imported
 * shared one. Browsers compile a module of at most 4 KB on the main
 * thread (`new WebAssembly.Module`); the tests keep it under that.
 */
export function simdModuleBytes(shared = false): Uint8Array<ArrayBuffer> {
  const fns = [forwardFn, weightGradsFn, biasGradsFn, inputGradsFn, orderedInputGradsFn, reluFn];
  return module(fns.map((fn) => fn()), [...NAMES], { shared });
}

/** The compiled module, or `null` where WebAssembly SIMD cannot be compiled here. */
function simdModule(shared: boolean): WebAssembly.Module | null {
  const k = shared ? 1 : 0;
  if (compiled[k] !== undefined) return compiled[k];
  // Outside the try: a mistake in the assembler is an error, not a reason to fall back.
  const bytes = simdModuleBytes(shared);
  try {
    compiled[k] = new WebAssembly.Module(bytes);
  } catch {
    // No SIMD in this engine, or a page's Content-Security-Policy forbids compiling.
    compiled[k] = null;
  }
  return compiled[k];
}

/**
 * The SIMD kernels over a new memory of at least `bytes` bytes, or
 * `undefined` where WebAssembly SIMD is not available or the memory cannot
 * be had. A `shared` memory (fixed size, `shared: true`) is one that worker
 * threads may run the kernels over too (`_threads.ts`).
 */
export function simdKernels(bytes: number, shared = false): SimdKernels | undefined {
  if (typeof WebAssembly !== "object") return undefined;
  try {
    const pages = Math.max(1, Math.ceil(bytes / 65536));
    const memory = shared
      ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true })
      : new WebAssembly.Memory({ initial: pages });
    return simdKernelsOver(memory, shared);
  } catch {
    return undefined;
  }
}

/**
 * The SIMD kernels of a new instance over `memory` (a worker thread's, over
 * the memory it shares), or `undefined` where WebAssembly SIMD is not available.
 */
export function simdKernelsOver(
  memory: WebAssembly.Memory,
  shared: boolean,
): SimdKernels | undefined {
  if (typeof WebAssembly !== "object") return undefined;
  const mod = simdModule(shared);
  if (mod === null) return undefined;
  try {
    const exports = new WebAssembly.Instance(mod, { m: { memory } }).exports;
    const kernels = { memory } as Record<string, unknown>;
    for (const name of NAMES) kernels[name] = exports[name];
    return kernels as unknown as SimdKernels;
  } catch {
    return undefined;
  }
}
