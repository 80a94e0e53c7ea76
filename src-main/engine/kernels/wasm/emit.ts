// A small WebAssembly binary emitter, so hand-written SIMD kernels stay TypeScript (no C toolchain,
// no committed .wasm). Expressions are byte arrays built bottom-up: `f32x4.add(a, b)` is a's code,
// b's code, then the opcode. Format: WebAssembly Core Specification 2.0, chapter 5 (binary format),
// with the fixed-width SIMD opcodes of section 5.4.8 (0xFD prefix, u32 LEB128 sub-opcode).
export type Code = number[];
export type ValType = 'i32' | 'f32' | 'v128';

const TYPE_BYTE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

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
    const done = (n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

const cat = (...parts: Code[]): Code => parts.flat();
const simd = (op: number): Code => [0xfd, ...uleb(op)];
const un =
  (op: Code) =>
  (a: Code): Code =>
    cat(a, op);
const bin =
  (op: Code) =>
  (a: Code, b: Code): Code =>
    cat(a, b, op);
// memarg: alignment hint 0 (any address is valid; x64 uses unaligned moves either way), byte offset.
const mem =
  (op: Code) =>
  (addr: Code, offset = 0): Code =>
    cat(addr, op, [0], uleb(offset));
const store =
  (op: Code) =>
  (addr: Code, value: Code, offset = 0): Code =>
    cat(addr, value, op, [0], uleb(offset));

export const i32 = {
  const: (v: number): Code => [0x41, ...sleb(v | 0)],
  load: mem([0x28]),
  store: store([0x36]),
  add: bin([0x6a]),
  sub: bin([0x6b]),
  mul: bin([0x6c]),
  divU: bin([0x6e]),
  remU: bin([0x70]),
  shl: bin([0x74]),
  /** Float to int32, rounding toward zero and saturating (NaN gives 0; the plain conversion traps). */
  fromF32: un([0xfc, 0x00]),
  ltU: bin([0x49]),
  geU: bin([0x4f]),
};

export const f32 = {
  const: (v: number): Code => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)],
  add: bin([0x92]),
  sub: bin([0x93]),
  mul: bin([0x94]),
  div: bin([0x95]),
  sqrt: un([0x91]),
  nearest: un([0x90]),
  max: bin([0x97]),
  /** The float whose bits are this int32. */
  fromBits: un([0xbe]),
  load: mem([0x2a]),
  store: store([0x38]),
};

export const v128 = {
  load: mem(simd(0x00)),
  /** One float from memory into all four lanes. */
  loadSplat: mem(simd(0x09)),
  store: store(simd(0x0b)),
  and: bin(simd(0x4e)),
  xor: bin(simd(0x51)),
  /** Bits of a where mask is set, of b elsewhere. */
  select: (a: Code, b: Code, mask: Code): Code => cat(a, b, mask, simd(0x52)),
};

export const i32x4 = {
  splat: un(simd(0x11)),
  shl: bin(simd(0xab)),
  add: bin(simd(0xae)),
  /** Float lanes to int32, rounding toward zero and saturating. */
  fromF32: un(simd(0xf8)),
};

export const f32x4 = {
  splat: (a: Code): Code => cat(a, simd(0x13)),
  lane: (a: Code, lane: number): Code => cat(a, simd(0x1f), [lane]),
  lt: bin(simd(0x43)),
  gt: bin(simd(0x44)),
  nearest: un(simd(0x6a)),
  abs: un(simd(0xe0)),
  neg: un(simd(0xe1)),
  add: bin(simd(0xe4)),
  sub: bin(simd(0xe5)),
  mul: bin(simd(0xe6)),
  div: bin(simd(0xe7)),
  max: bin(simd(0xe9)),
  /** a * b + c, fused where the hardware has FMA (relaxed SIMD; Node 20 needs --experimental-wasm-relaxed-simd). */
  relaxedMadd: (a: Code, b: Code, c: Code): Code => cat(a, b, c, simd(0x105)),
  /** Sum of the four lanes, ((l0 + l1) + l2) + l3. */
  hsum: (a: Code): Code => cat(a, simd(0x1f), [0], a, simd(0x1f), [1], [0x92], a, simd(0x1f), [2], [0x92], a, simd(0x1f), [3], [0x92]),
};

/** A parameter in call order: a name (an i32: an address, a size or a count) or a name and its type. */
export type Param = string | readonly [string, ValType];

/** What JavaScript passes for `params`: one number each, in order. */
export type Args<P extends readonly Param[]> = { -readonly [I in keyof P]: number };

/**
 * A function under construction: named parameters and locals, each a wasm local index. Its name and
 * parameter list are kept as literal types, so the module's export types are derived from the kernels
 * (`ExportsOf`) rather than written a second time.
 */
export class Fn<const N extends string = string, const P extends readonly Param[] = readonly Param[]> {
  private readonly index = new Map<string, number>();
  private readonly localTypes: ValType[] = [];
  readonly paramTypes: ValType[];

  constructor(
    readonly name: N,
    readonly params: P,
  ) {
    this.paramTypes = params.map((p) => (typeof p === 'string' ? 'i32' : p[1]));
    params.forEach((p, i) => {
      const n = typeof p === 'string' ? p : p[0];
      if (this.index.has(n)) throw new Error(`wasm emit: ${name} has two parameters '${n}'`);
      this.index.set(n, i);
    });
  }

  /** Declares locals (names must be new); returns this for chaining. */
  locals(decl: Record<string, ValType>): this {
    for (const [name, type] of Object.entries(decl)) {
      if (this.index.has(name)) throw new Error(`wasm emit: ${this.name} declares '${name}' twice`);
      this.index.set(name, this.paramTypes.length + this.localTypes.length);
      this.localTypes.push(type);
    }
    return this;
  }

  private at(name: string): Code {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`wasm emit: ${this.name} has no local '${name}'`);
    return uleb(i);
  }

  get = (name: string): Code => [0x20, ...this.at(name)];
  set = (name: string, value: Code): Code => cat(value, [0x21], this.at(name));

  /** for (name = from; name < to; name += step) body; unsigned compare, `to` and `step` re-evaluated each pass. */
  for = (name: string, from: Code, to: Code, step: number | Code, ...body: Code[]): Code =>
    cat(
      this.set(name, from),
      [0x02, 0x40, 0x03, 0x40], // block { loop {
      i32.geU(this.get(name), to),
      [0x0d, 1], // br_if out of the block
      ...body,
      this.set(name, i32.add(this.get(name), typeof step === 'number' ? i32.const(step) : step)),
      [0x0c, 0, 0x0b, 0x0b], // br to the loop } }
    );

  /** The function body in the code section's format (local declarations, instructions, end). */
  encode(body: Code): Code {
    const groups: [number, ValType][] = []; // run-length: (count, type)
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const code = cat(vec(groups.map(([n, t]) => cat(uleb(n), [TYPE_BYTE[t]]))), body, [0x0b]);
    return cat(uleb(code.length), code);
  }
}

const vec = (items: Code[]): Code => cat(uleb(items.length), ...items);
const section = (id: number, content: Code): Code => cat([id], uleb(content.length), content);
const name = (s: string): Code => cat(uleb(s.length), [...new TextEncoder().encode(s)]);

export interface Kernel<N extends string = string, P extends readonly Param[] = readonly Param[]> {
  fn: Fn<N, P>;
  body: Code;
}

/** The instance's exports for a list of kernels: each by its name, taking its parameters in order. */
export type ExportsOf<L extends readonly Kernel[]> = {
  [K in L[number] as K['fn']['name']]: (...args: Args<K['fn']['params']>) => void;
};

/** A module that imports its memory as env.memory and exports every function by name (no results). */
export function buildModule(fns: Kernel[]): Uint8Array<ArrayBuffer> {
  const bytes = cat(
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    section(1, vec(fns.map(({ fn }) => cat([0x60], vec(fn.paramTypes.map((t) => [TYPE_BYTE[t]])), [0x00])))),
    section(2, vec([cat(name('env'), name('memory'), [0x02, 0x00], uleb(1))])),
    section(3, vec(fns.map((_, i) => uleb(i)))),
    section(7, vec(fns.map(({ fn }, i) => cat(name(fn.name), [0x00], uleb(i))))),
    section(10, vec(fns.map(({ fn, body }) => fn.encode(body)))),
  );
  return new Uint8Array(bytes);
}
