// The shared memory between rank 0 and one replica thread, and the handshake on it: rank 0 writes the
// weights and the replica's batch indices, bumps `seq` and notifies; the replica computes, writes its
// gradients, loss and BatchNorm statistics, sets `done = seq` and notifies. Atomics order the writes.
export const CMD_STEP = 1;
export const CMD_STOP = 2;
const MAX_BN = 512; // BatchNorm layers a model may have (resnet50 has 53)
// A replica that neither answers nor fails within this long has died (e.g. out of memory): rank 0 blocks
// on Atomics and cannot hear the thread's exit event, so the wait itself gives up.
const ANSWER_TIMEOUT_MS = 5 * 60_000;
// ctrl slots
const SEQ = 0,
  DONE = 1,
  CMD = 2,
  COUNT = 3,
  SEED = 4,
  FAILED = 5,
  LAYERS = 6;
// f64 slots
const LOSS = 0,
  HITS = 1;

export interface BlockBuffers {
  ctrl: SharedArrayBuffer;
  f64: SharedArrayBuffer;
  idx: SharedArrayBuffer;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  bn: SharedArrayBuffer;
  bnMeta: SharedArrayBuffer;
  err: SharedArrayBuffer;
}
export interface StepOrder {
  cmd: number;
  count: number;
  seed: number;
}
export interface BnPart {
  mean: Float32Array;
  variance: Float32Array;
  count: number;
}

export class SharedBlock {
  readonly ctrl: Int32Array;
  readonly f64: Float64Array;
  readonly idx: Int32Array;
  readonly params: Float32Array;
  readonly grads: Float32Array;
  private readonly bn: Float32Array;
  private readonly bnMeta: Int32Array;
  private readonly err: Uint8Array;
  private seen = 0;

  private constructor(readonly buffers: BlockBuffers) {
    this.ctrl = new Int32Array(buffers.ctrl);
    this.f64 = new Float64Array(buffers.f64);
    this.idx = new Int32Array(buffers.idx);
    this.params = new Float32Array(buffers.params);
    this.grads = new Float32Array(buffers.grads);
    this.bn = new Float32Array(buffers.bn);
    this.bnMeta = new Int32Array(buffers.bnMeta);
    this.err = new Uint8Array(buffers.err);
  }

  static create(paramCount: number, maxBatch: number): SharedBlock {
    const sab = (bytes: number) => new SharedArrayBuffer(bytes);
    return new SharedBlock({
      ctrl: sab(8 * 4),
      f64: sab(2 * 8),
      idx: sab(maxBatch * 4),
      params: sab(paramCount * 4),
      grads: sab(paramCount * 4),
      bn: sab(paramCount * 4),
      bnMeta: sab(MAX_BN * 2 * 4),
      err: sab(4096),
    });
  }

  static attach(buffers: BlockBuffers): SharedBlock {
    return new SharedBlock(buffers);
  }

  // ---- rank 0 side

  kick(cmd: number, count: number, seed: number): void {
    Atomics.store(this.ctrl, CMD, cmd);
    Atomics.store(this.ctrl, COUNT, count);
    Atomics.store(this.ctrl, SEED, seed | 0);
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
  }

  /** Blocks until the replica answers the last order; throws its error if it failed. */
  await(name: string, timeoutMs = ANSWER_TIMEOUT_MS): { loss: number; hits: number; count: number; bn: BnPart[] } {
    const seq = Atomics.load(this.ctrl, SEQ);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      // Sleep only while DONE still holds the value just checked: re-reading it for the wait would miss
      // an answer (and its notify) landing between the two reads, and sleep until the timeout.
      const done = Atomics.load(this.ctrl, DONE);
      if (done === seq) break;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${name} did not answer within ${timeoutMs / 1000} s (the thread has probably died)`);
      Atomics.wait(this.ctrl, DONE, done, left);
    }
    if (Atomics.load(this.ctrl, FAILED)) {
      const n = this.err.indexOf(0);
      throw new Error(`${name}: ${new TextDecoder().decode(this.err.slice(0, n < 0 ? this.err.length : n))}`);
    }
    const bn: BnPart[] = [];
    let off = 0;
    for (let l = 0; l < Atomics.load(this.ctrl, LAYERS); l++) {
      const c = this.bnMeta[2 * l];
      bn.push({ mean: this.bn.slice(off, off + c), variance: this.bn.slice(off + c, off + 2 * c), count: this.bnMeta[2 * l + 1] });
      off += 2 * c;
    }
    return { loss: this.f64[LOSS], hits: this.f64[HITS], count: Atomics.load(this.ctrl, COUNT), bn };
  }

  // ---- replica side

  /** Blocks until rank 0 gives the next order. */
  next(): StepOrder {
    while (Atomics.load(this.ctrl, SEQ) === this.seen) Atomics.wait(this.ctrl, SEQ, this.seen);
    this.seen = Atomics.load(this.ctrl, SEQ);
    return { cmd: Atomics.load(this.ctrl, CMD), count: Atomics.load(this.ctrl, COUNT), seed: Atomics.load(this.ctrl, SEED) >>> 0 };
  }

  finish(loss: number, hits: number, grads: Float32Array[], bn: BnPart[]): void {
    let off = 0;
    for (const g of grads) {
      this.grads.set(g, off);
      off += g.length;
    }
    if (bn.length > MAX_BN) throw new Error(`more than ${MAX_BN} BatchNorm layers`);
    off = 0;
    bn.forEach((b, l) => {
      this.bn.set(b.mean, off);
      this.bn.set(b.variance, off + b.mean.length);
      off += 2 * b.mean.length;
      this.bnMeta[2 * l] = b.mean.length;
      this.bnMeta[2 * l + 1] = b.count;
    });
    Atomics.store(this.ctrl, LAYERS, bn.length);
    this.f64[LOSS] = loss;
    this.f64[HITS] = hits;
    this.done(false);
  }

  fail(message: string): void {
    this.err.fill(0);
    this.err.set(new TextEncoder().encode(message).subarray(0, this.err.length - 1));
    this.done(true);
  }

  private done(failed: boolean): void {
    Atomics.store(this.ctrl, FAILED, failed ? 1 : 0);
    Atomics.store(this.ctrl, DONE, this.seen);
    Atomics.notify(this.ctrl, DONE);
  }
}
