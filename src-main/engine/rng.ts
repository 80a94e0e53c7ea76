// Seedable PRNG (xoshiro128**, seeded through a splitmix32-style mixer). The whole state is a
// short array of plain numbers so that a run can be checkpointed to JSON and resumed bit for bit.

const GOLDEN = 0x9e3779b9;

/** murmur3's 32-bit finaliser: a bijection on u32 with full avalanche. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function checkInteger(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new Error(`${what} must be an integer, got ${String(value)}`);
  }
}

/** Low and high 32-bit words of an integer, so parts beyond 2^32 still influence the result. */
function words(v: number): [number, number] {
  return [v >>> 0, Math.floor(v / 4294967296) >>> 0];
}

/**
 * A well-mixed 32-bit unsigned seed from a base seed and integers (step, site, ...). Each part is
 * mixed with its position, so deriveSeed(s, 1, 2) and deriveSeed(s, 2, 1) give unrelated streams.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  checkInteger(seed, 'deriveSeed: seed');
  const [lo, hi] = words(seed);
  let h = fmix32(lo ^ fmix32(hi + GOLDEN));
  parts.forEach((p, i) => {
    checkInteger(p, `deriveSeed: part ${i}`);
    const [plo, phi] = words(p);
    h = fmix32((h + Math.imul(i + 1, GOLDEN)) ^ fmix32(plo) ^ rotl(fmix32(phi ^ 0x5bd1e995), 16));
  });
  return h >>> 0;
}

// State layout: [s0, s1, s2, s3, hasSpare (0|1), spare]. The Box-Muller spare is part of the
// state; otherwise a resume between the two halves of a pair would change the stream.
const STATE_LENGTH = 6;

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private hasSpare = false;
  private spare = 0;

  constructor(seed: number) {
    checkInteger(seed, 'Rng: seed');
    let x = (seed >>> 0) ^ (Math.floor(seed / 4294967296) >>> 0);
    const take = (): number => {
      x = (x + GOLDEN) >>> 0;
      return fmix32(x);
    };
    // fmix32 is a bijection and the four inputs differ, so at most one word is zero.
    this.s0 = take();
    this.s1 = take();
    this.s2 = take();
    this.s3 = take();
  }

  nextU32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased (rejection of the incomplete top range). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
      throw new Error(`Rng.int: n must be an integer in [1, 2^32], got ${String(n)}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const r = this.nextU32();
      if (r < limit) return r % n;
    }
  }

  /** Standard normal via Box-Muller; the second value of each pair is cached. */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const u1 = 1 - this.next(); // (0, 1]: log never sees 0
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }

  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Uniform in [0, 1) with 24 random bits, so every value is exact in float32 and below 1. */
  fillUniform(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = (this.nextU32() >>> 8) * 5.9604644775390625e-8;
    return out;
  }

  /** Fisher-Yates shuffle in place. */
  shuffle(a: number[] | Int32Array | Uint32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  getState(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0, this.hasSpare ? 1 : 0, this.spare];
  }

  setState(s: number[]): void {
    if (!Array.isArray(s) || s.length !== STATE_LENGTH) {
      throw new Error(`Rng.setState: expected an array of ${STATE_LENGTH} numbers, got ${JSON.stringify(s)}`);
    }
    for (let i = 0; i < 4; i++) {
      if (!Number.isInteger(s[i]) || s[i] < 0 || s[i] > 0xffffffff) {
        throw new Error(`Rng.setState: word ${i} must be a u32, got ${String(s[i])}`);
      }
    }
    if (s[0] === 0 && s[1] === 0 && s[2] === 0 && s[3] === 0) {
      throw new Error('Rng.setState: the all-zero state is invalid for xoshiro128**');
    }
    if (s[4] !== 0 && s[4] !== 1) throw new Error(`Rng.setState: hasSpare must be 0 or 1, got ${String(s[4])}`);
    if (typeof s[5] !== 'number' || !Number.isFinite(s[5])) {
      throw new Error(`Rng.setState: spare must be a finite number, got ${String(s[5])}`);
    }
    this.s0 = s[0] | 0;
    this.s1 = s[1] | 0;
    this.s2 = s[2] | 0;
    this.s3 = s[3] | 0;
    this.hasSpare = s[4] === 1;
    this.spare = s[5];
  }

  static fromState(s: number[]): Rng {
    const r = new Rng(0);
    r.setState(s);
    return r;
  }
}
