// Strided copies of rank-4 regions, for layout changes (transpose, pad, slice) in one pass. tfjs does
// a pad, a transpose and a slice as separate generic kernels (~0.25 ms per transpose of a
// [32,14,14,16] tensor here). Strides and sizes are in bytes, except the counts d0..d3.
import { type Code, f32, f32x4, Fn, i32, v128 } from './emit';

const PARAMS = ['src', 'dst', 'd0', 'd1', 'd2', 'd3', 's0', 's1', 's2', 's3', 't0', 't1', 't2', 't3'] as const;

/**
 * dst[i0 t0 + i1 t1 + i2 t2 + i3 t3] = src[i0 s0 + i1 s1 + i2 s2 + i3 s3] for every i < d. The `rows`
 * variant copies the innermost axis as 16-byte vectors: it needs s3 = t3 = 4 and d3 a multiple of 4.
 */
function copy4(rows: boolean) {
  const f = new Fn(rows ? 'copy4_rows' : 'copy4', PARAMS).locals({
    i0: 'i32',
    i1: 'i32',
    i2: 'i32',
    i3: 'i32',
    a0: 'i32',
    a1: 'i32',
    a2: 'i32',
    b0: 'i32',
    b1: 'i32',
    b2: 'i32',
    n3: 'i32',
  });
  const g = f.get;
  const axis = (i: string, d: string, a: string, b: string, fromA: Code, fromB: Code, s: string, t: string, ...body: Code[]): Code =>
    f.for(i, i32.const(0), g(d), 1, f.set(a, i32.add(fromA, i32.mul(g(i), g(s)))), f.set(b, i32.add(fromB, i32.mul(g(i), g(t)))), ...body);
  const inner = rows
    ? f.for('i3', i32.const(0), g('n3'), 16, v128.store(i32.add(g('b2'), g('i3')), v128.load(i32.add(g('a2'), g('i3')))))
    : f.for(
        'i3',
        i32.const(0),
        g('d3'),
        1,
        f32.store(i32.add(g('b2'), i32.mul(g('i3'), g('t3'))), f32.load(i32.add(g('a2'), i32.mul(g('i3'), g('s3'))))),
      );
  return {
    fn: f,
    body: [
      ...f.set('n3', i32.mul(g('d3'), i32.const(4))),
      ...axis(
        'i0',
        'd0',
        'a0',
        'b0',
        g('src'),
        g('dst'),
        's0',
        't0',
        axis('i1', 'd1', 'a1', 'b1', g('a0'), g('b0'), 's1', 't1', axis('i2', 'd2', 'a2', 'b2', g('a1'), g('b1'), 's2', 't2', inner)),
      ),
    ],
  };
}

/** Zeroes `bytes` bytes at dst: 16 at a time, then the tail 4 at a time. */
function zero() {
  const f = new Fn('zero', ['dst', 'bytes']).locals({ p: 'i32', end: 'i32', vend: 'i32' });
  const g = f.get;
  return {
    fn: f,
    body: [
      ...f.set('end', i32.add(g('dst'), g('bytes'))),
      ...f.set('vend', i32.add(g('dst'), i32.mul(i32.const(16), i32.divU(g('bytes'), i32.const(16))))),
      ...f.for('p', g('dst'), g('vend'), 16, v128.store(g('p'), f32x4.splat(f32.const(0)))),
      ...f.for('p', g('vend'), g('end'), 4, f32.store(g('p'), f32.const(0))),
    ],
  };
}

export const layoutKernels = () => [copy4(false), copy4(true), zero()];
