// C = A B for row-major float32 matrices, N a multiple of 8: the register-blocked microkernel of
// Goto & van de Geijn (2008) over 4 rows x 8 columns (8 v128 accumulators, 2 B vectors, 1 splat of A:
// 11 of x64's 16 vector registers). With relaxed SIMD the multiply-add is one FMA; without, mul + add.
// Strides are in bytes (lda, ldb, ldc); A's row i starts at a + i lda, and so on.
import { type Code, f32, f32x4, Fn, i32, type ExportsOf, v128 } from './emit';

const ROWS = 4;

function gemm(fma: boolean) {
  const f = new Fn('gemm', ['a', 'b', 'c', 'M', 'K', 'N', 'lda', 'ldb', 'ldc'])
    .locals({ j: 'i32', i: 'i32', k: 'i32', kb: 'i32', m4: 'i32', nb: 'i32', bp: 'i32', r: 'i32', ap: 'i32', cp: 'i32' })
    .locals(Object.fromEntries(Array.from({ length: ROWS }, (_, r) => [`a${r}`, 'i32' as const])))
    .locals(Object.fromEntries(Array.from({ length: ROWS * 2 }, (_, q) => [`acc${q}`, 'v128' as const])))
    .locals({ b0: 'v128', b1: 'v128', x: 'v128' });
  const g = f.get;
  const madd = (a: Code, b: Code, c: Code) => (fma ? f32x4.relaxedMadd(a, b, c) : f32x4.add(f32x4.mul(a, b), c));
  const zero = f32x4.splat(f32.const(0));
  /** The k loop for `rows` rows of A whose row pointers are a0.. (bytes into the row: k). */
  const tile = (rows: number): Code[] => [
    ...Array.from({ length: rows * 2 }, (_, q) => f.set(`acc${q}`, zero)),
    f.set('bp', i32.add(g('b'), g('j'))),
    f.for(
      'k',
      i32.const(0),
      g('kb'),
      4,
      f.set('b0', v128.load(g('bp'))),
      f.set('b1', v128.load(g('bp'), 16)),
      f.set('bp', i32.add(g('bp'), g('ldb'))),
      ...Array.from({ length: rows }, (_, r) => [
        ...f.set('x', v128.loadSplat(i32.add(g(`a${r}`), g('k')))),
        ...f.set(`acc${2 * r}`, madd(g('x'), g('b0'), g(`acc${2 * r}`))),
        ...f.set(`acc${2 * r + 1}`, madd(g('x'), g('b1'), g(`acc${2 * r + 1}`))),
      ]),
    ),
    ...Array.from({ length: rows }, (_, r) => {
      const row = i32.add(i32.add(g('c'), g('j')), i32.mul(i32.add(g('i'), i32.const(r)), g('ldc')));
      return [...v128.store(row, g(`acc${2 * r}`)), ...v128.store(row, g(`acc${2 * r + 1}`), 16)];
    }),
  ];
  const rowPointers = (rows: number): Code[] =>
    Array.from({ length: rows }, (_, r) => f.set(`a${r}`, i32.add(g('a'), i32.mul(i32.add(g('i'), i32.const(r)), g('lda')))));
  return {
    fn: f,
    body: [
      ...f.set('kb', i32.mul(g('K'), i32.const(4))),
      ...f.set('nb', i32.mul(g('N'), i32.const(4))),
      ...f.set('m4', i32.sub(g('M'), i32.remU(g('M'), i32.const(ROWS)))),
      ...f.for(
        'j',
        i32.const(0),
        g('nb'),
        32,
        f.for('i', i32.const(0), g('m4'), ROWS, ...rowPointers(ROWS), ...tile(ROWS)),
        f.for('i', g('m4'), g('M'), 1, ...rowPointers(1), ...tile(1)),
      ),
    ],
  };
}

export const gemmKernels = (fma: boolean) => [gemm(fma)];

export type GemmExports = ExportsOf<ReturnType<typeof gemmKernels>>;
