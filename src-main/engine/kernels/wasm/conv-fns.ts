// NHWC convolution as an implicit GEMM with the 4x8 microkernel of ./gemm-fns.ts, over an input that
// is already padded ([n, hp, wp, cin], 'valid' from here on), and its filter gradient.
//   forward:  out[p, co] = sum over (ky, kx, ci) of x[b, oy s + ky, ox s + kx, ci] w[ky, kx, ci, co],
//             p = (b, oy, ox): GEMM rows are output positions, K = kh kw cin (w's row order), N = cout.
//   filter:   dw[(ky, kx, ci), co] = sum over p of x[b, oy s + ky, ox s + kx, ci] dy[p, co]:
//             GEMM rows are w's rows, the reduction runs over output positions.
// Nothing is materialised: A's entries are read where they lie in x. cout must be a multiple of 8.
import { type Code, f32, f32x4, Fn, i32, v128 } from './emit';

const GEOMETRY = ['n', 'hp', 'wp', 'cin', 'ho', 'wo', 'cout', 'kh', 'kw', 's'] as const;
const R = 4; // rows per tile

/** Locals and code shared by both kernels: accumulators, the multiply-add, tile stores. */
function parts(f: Fn, fma: boolean) {
  f.locals(Object.fromEntries(Array.from({ length: R * 2 }, (_, q) => [`acc${q}`, 'v128' as const])));
  f.locals({ b0: 'v128', b1: 'v128', xs: 'v128' });
  const g = f.get;
  const madd = (a: Code, b: Code, c: Code) => (fma ? f32x4.relaxedMadd(a, b, c) : f32x4.add(f32x4.mul(a, b), c));
  return {
    clear: (rows: number): Code[] => Array.from({ length: rows * 2 }, (_, q) => f.set(`acc${q}`, f32x4.splat(f32.const(0)))),
    /** b0, b1 from B's current row at `bp`, then each row's splat (address from `addr(r)`) times them. */
    step: (rows: number, bp: Code, addr: (r: number) => Code): Code[] => [
      f.set('b0', v128.load(bp)),
      f.set('b1', v128.load(bp, 16)),
      ...Array.from({ length: rows }, (_, r) => [
        ...f.set('xs', v128.loadSplat(addr(r))),
        ...f.set(`acc${2 * r}`, madd(g('xs'), g('b0'), g(`acc${2 * r}`))),
        ...f.set(`acc${2 * r + 1}`, madd(g('xs'), g('b1'), g(`acc${2 * r + 1}`))),
      ]),
    ],
    /** Row r's 8 results to `at(r)`. */
    store: (rows: number, at: (r: number) => Code): Code[] =>
      Array.from({ length: rows }, (_, r) => [...v128.store(at(r), g(`acc${2 * r}`)), ...v128.store(at(r), g(`acc${2 * r + 1}`), 16)]),
  };
}

function convForward(fma: boolean) {
  const f = new Fn('conv_forward', ['x', 'w', 'out', 'posx', ...GEOMETRY])
    .locals({
      j: 'i32',
      p: 'i32',
      P: 'i32',
      P4: 'i32',
      cb: 'i32',
      ldb: 'i32',
      bp: 'i32',
      ky: 'i32',
      k: 'i32',
      run: 'i32',
      rowb: 'i32',
      b: 'i32',
      oy: 'i32',
      ox: 'i32',
    })
    .locals(Object.fromEntries(Array.from({ length: R }, (_, r) => [`base${r}`, 'i32' as const])));
  const g = f.get;
  const { clear, step, store } = parts(f, fma);
  const add = (...xs: Code[]) => xs.reduce((a, b) => i32.add(a, b));
  const mul = (...xs: Code[]) => xs.reduce((a, b) => i32.mul(a, b));
  // base_r: x at (b, oy s, ox s) of output position p + r, from the table built below.
  const base = (r: number): Code[] => [
    f.set(`base${r}`, i32.add(g('x'), i32.load(add(g('posx'), mul(i32.add(g('p'), i32.const(r)), i32.const(4)))))),
  ];
  const tile = (rows: number): Code[] => [
    ...Array.from({ length: rows }, (_, r) => base(r)).flat(),
    ...clear(rows),
    f.set('bp', i32.add(g('w'), g('j'))),
    // For one ky, the taps kx = 0..kw-1 of a window are adjacent in x: one run of kw cin floats.
    f.for(
      'ky',
      i32.const(0),
      g('kh'),
      1,
      f.for(
        'k',
        i32.const(0),
        g('run'),
        4,
        ...step(rows, g('bp'), (r) => i32.add(g(`base${r}`), g('k'))),
        f.set('bp', i32.add(g('bp'), g('ldb'))),
      ),
      ...Array.from({ length: rows }, (_, r) => f.set(`base${r}`, i32.add(g(`base${r}`), g('rowb')))),
    ),
    ...store(rows, (r) => add(g('out'), g('j'), mul(i32.add(g('p'), i32.const(r)), g('ldb')))),
  ];
  return {
    fn: f,
    body: [
      ...f.set('cb', i32.mul(g('cin'), i32.const(4))),
      ...f.set('ldb', i32.mul(g('cout'), i32.const(4))),
      ...f.set('P', mul(g('n'), g('ho'), g('wo'))),
      ...f.set('run', i32.mul(g('kw'), g('cb'))),
      ...f.set('rowb', i32.mul(g('wp'), g('cb'))),
      // posx[p], p = (b, oy, ox): bytes from x to that output position's window (integer division per
      // tile instead made the kernel ~5x slower).
      ...f.set('p', g('posx')),
      ...f.for(
        'b',
        i32.const(0),
        g('n'),
        1,
        f.for(
          'oy',
          i32.const(0),
          g('ho'),
          1,
          f.for(
            'ox',
            i32.const(0),
            g('wo'),
            1,
            i32.store(g('p'), mul(add(mul(add(mul(g('b'), g('hp')), mul(g('oy'), g('s'))), g('wp')), mul(g('ox'), g('s'))), g('cb'))),
            f.set('p', i32.add(g('p'), i32.const(4))),
          ),
        ),
      ),
      ...f.set('P4', i32.sub(g('P'), i32.remU(g('P'), i32.const(R)))),
      ...f.for(
        'j',
        i32.const(0),
        g('ldb'),
        32,
        f.for('p', i32.const(0), g('P4'), R, ...tile(R)),
        f.for('p', g('P4'), g('P'), 1, ...tile(1)),
      ),
    ],
  };
}

function convFilterGrad(fma: boolean) {
  const f = new Fn('conv_filter_grad', ['x', 'dy', 'dw', 'offs', ...GEOMETRY])
    .locals({
      j: 'i32',
      q: 'i32',
      Q: 'i32',
      Q4: 'i32',
      cb: 'i32',
      ldb: 'i32',
      dp: 'i32',
      dyb: 'i32',
      b: 'i32',
      oy: 'i32',
      row: 'i32',
      px: 'i32',
      step: 'i32',
      span: 'i32',
      ky: 'i32',
      kx: 'i32',
      ci: 'i32',
      end: 'i32',
    })
    .locals(Object.fromEntries(Array.from({ length: R }, (_, r) => [`off${r}`, 'i32' as const])));
  const g = f.get;
  const { step, store } = parts(f, fma);
  const add = (...xs: Code[]) => xs.reduce((a, b) => i32.add(a, b));
  const mul = (...xs: Code[]) => xs.reduce((a, b) => i32.mul(a, b));
  const dwRow = (r: number) => add(g('dw'), g('j'), mul(i32.add(g('q'), i32.const(r)), g('ldb')));
  // One image at a time, every tile of dw: the image's x and dy (~30 KB here) stay in cache across the
  // tiles; streaming all of dy and x once per tile was memory-bound (~8 GFLOP/s).
  const tile = (rows: number): Code[] => [
    ...Array.from({ length: rows }, (_, r) => [
      ...f.set(`off${r}`, i32.load(add(g('offs'), mul(i32.add(g('q'), i32.const(r)), i32.const(4))))),
      ...f.set(`acc${2 * r}`, v128.load(dwRow(r))),
      ...f.set(`acc${2 * r + 1}`, v128.load(dwRow(r), 16)),
    ]),
    f.set('dp', i32.add(g('dyb'), g('j'))),
    f.for(
      'oy',
      i32.const(0),
      g('ho'),
      1,
      f.set('row', add(g('x'), mul(add(mul(g('b'), g('hp')), mul(g('oy'), g('s'))), g('wp'), g('cb')))),
      f.for(
        'px',
        g('row'),
        i32.add(g('row'), g('span')),
        g('step'),
        ...step(rows, g('dp'), (r) => i32.add(g('px'), g(`off${r}`))),
        f.set('dp', i32.add(g('dp'), g('ldb'))),
      ),
    ),
    ...store(rows, dwRow),
  ];
  return {
    fn: f,
    body: [
      ...f.set('cb', i32.mul(g('cin'), i32.const(4))),
      ...f.set('step', i32.mul(g('s'), g('cb'))),
      ...f.set('span', i32.mul(g('wo'), g('step'))),
      ...f.set('ldb', i32.mul(g('cout'), i32.const(4))),
      ...f.set('Q', mul(g('kh'), g('kw'), g('cin'))),
      ...f.set('Q4', i32.sub(g('Q'), i32.remU(g('Q'), i32.const(R)))),
      // dw accumulates over images: start at zero.
      ...f.set('end', add(g('dw'), mul(g('Q'), g('ldb')))),
      ...f.for('px', g('dw'), g('end'), 16, v128.store(g('px'), f32x4.splat(f32.const(0)))),
      // offs[q], q = (ky, kx, ci) in w's row order: bytes from a window's corner in x to its q-th entry.
      ...f.set('q', g('offs')),
      ...f.for(
        'ky',
        i32.const(0),
        g('kh'),
        1,
        f.for(
          'kx',
          i32.const(0),
          g('kw'),
          1,
          f.for(
            'ci',
            i32.const(0),
            g('cb'),
            4,
            i32.store(g('q'), add(mul(add(mul(g('ky'), g('wp')), g('kx')), g('cb')), g('ci'))),
            f.set('q', i32.add(g('q'), i32.const(4))),
          ),
        ),
      ),
      ...f.for(
        'b',
        i32.const(0),
        g('n'),
        1,
        f.set('dyb', add(g('dy'), mul(g('b'), g('ho'), g('wo'), g('ldb')))),
        f.for(
          'j',
          i32.const(0),
          g('ldb'),
          32,
          f.for('q', i32.const(0), g('Q4'), R, ...tile(R)),
          f.for('q', g('Q4'), g('Q'), 1, ...tile(1)),
        ),
      ),
    ],
  };
}

export const convKernels = (fma: boolean) => [convForward(fma), convFilterGrad(fma)];
