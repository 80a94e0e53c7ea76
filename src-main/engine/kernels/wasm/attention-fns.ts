// Multi-head self-attention on the fused qkv projection, forward and backward, as SIMD loops over the
// head dimension. Layout (timm's, and models/vit.ts'): qkv is [B*T, 3D], a token's row holds q, k, v,
// each D = H*dh wide with head h at columns h*dh. With s = scale:
//   P[b,h,t,:] = softmax_j(s q_t . k_j),  out[b,t,h] = sum_j P[t,j] v_j                (forward)
//   dP[t,j] = dout_t . v_j,  dS = P * (dP - sum_j P dP),  dq_t = s sum_j dS[t,j] k_j,
//   dk_j = s sum_t dS[t,j] q_t,  dv_j = sum_t P[t,j] dout_t                           (backward)
// Sizes are in bytes: `hb` one head's slice (dh*4, a multiple of 16), `qr` a qkv row (3D*4), `or` an
// output row (D*4). Scores for one row go through a scalar exp (./exp.ts); T is small (17 here).
import { type Code, f32, f32x4, Fn, i32, v128 } from './emit';
import { expScalar } from './exp';

const SHAPE = ['B', 'T', 'H', 'hb', 'qr', 'or', ['scale', 'f32']] as const;

/** Loop helpers and the per-(b, h) base addresses both directions share. */
function common(f: Fn) {
  const g = f.get;
  const mul = (...xs: Code[]) => xs.reduce((a, b) => i32.mul(a, b));
  const add = (...xs: Code[]) => xs.reduce((a, b) => i32.add(a, b));
  const D4 = i32.mul(g('H'), g('hb')); // bytes of one of q, k, v in a row
  return {
    mul,
    add,
    upTo: (name: string, n: Code, ...body: Code[]): Code => f.for(name, i32.const(0), n, 1, ...body),
    /** Sets q (token 0's q of head h), k, v, p (P[b, h]) and o (token 0's output slice) for (b, h). */
    bases: (qkv: string, probs: string, out: string): Code[] => [
      f.set('q', add(g(qkv), mul(g('b'), g('T'), g('qr')), mul(g('h'), g('hb')))),
      f.set('k', i32.add(g('q'), D4)),
      f.set('v', i32.add(g('k'), D4)),
      f.set('p', add(g(probs), i32.mul(mul(add(mul(g('b'), g('H')), g('h')), g('T'), g('T')), i32.const(4)))),
      f.set('o', add(g(out), mul(g('b'), g('T'), g('or')), mul(g('h'), g('hb')))),
    ],
    /** Sum over the head slice of a[e] * b[e], into f32 local `into`. */
    dot: (into: string, a: Code, b: Code): Code[] => [
      f.set('acc', f32x4.splat(f32.const(0))),
      f.for(
        'e',
        i32.const(0),
        g('hb'),
        16,
        f.set('acc', f32x4.add(g('acc'), f32x4.mul(v128.load(i32.add(a, g('e'))), v128.load(i32.add(b, g('e')))))),
      ),
      f.set(into, f32x4.hsum(g('acc'))),
    ],
    /** dst[e] += scalar * src[e] over the head slice. */
    axpy: (dst: Code, scalar: Code, src: Code): Code =>
      f.for(
        'e',
        i32.const(0),
        g('hb'),
        16,
        v128.store(i32.add(dst, g('e')), f32x4.add(v128.load(i32.add(dst, g('e'))), f32x4.mul(scalar, v128.load(i32.add(src, g('e')))))),
      ),
  };
}

// The loop counters and per-(b, h, t) base addresses both passes walk with (common() reads them by name).
const LOOP_LOCALS = {
  b: 'i32',
  h: 'i32',
  t: 'i32',
  j: 'i32',
  e: 'i32',
  q: 'i32',
  k: 'i32',
  v: 'i32',
  p: 'i32',
  o: 'i32',
  qt: 'i32',
  pt: 'i32',
  ot: 'i32',
} as const;

function attentionForward() {
  const f = new Fn('attention_forward', ['qkv', 'probs', 'out', ...SHAPE])
    .locals(LOOP_LOCALS)
    .locals({ s: 'f32', m: 'f32', sum: 'f32', x: 'f32', r: 'f32', n: 'f32', acc: 'v128' });
  const g = f.get;
  const { upTo, bases, dot, axpy, mul, add } = common(f);
  const pj = add(g('pt'), i32.mul(g('j'), i32.const(4)));
  const row = (base: string) => add(g(base), mul(g('j'), g('qr')));
  return {
    fn: f,
    body: upTo(
      'b',
      g('B'),
      upTo(
        'h',
        g('H'),
        ...bases('qkv', 'probs', 'out'),
        upTo(
          't',
          g('T'),
          f.set('qt', add(g('q'), mul(g('t'), g('qr')))),
          f.set('pt', add(g('p'), mul(g('t'), g('T'), i32.const(4)))),
          f.set('ot', add(g('o'), mul(g('t'), g('or')))),
          f.set('m', f32.const(-Infinity)),
          upTo(
            'j',
            g('T'),
            ...dot('s', g('qt'), row('k')),
            f.set('s', f32.mul(g('s'), g('scale'))),
            f32.store(pj, g('s')),
            f.set('m', f32.max(g('m'), g('s'))),
          ),
          f.set('sum', f32.const(0)),
          upTo(
            'j',
            g('T'),
            ...expScalar(f, f32.sub(f32.load(pj), g('m')), 'x', 'r', 'n'),
            f32.store(pj, g('x')),
            f.set('sum', f32.add(g('sum'), g('x'))),
          ),
          f.set('sum', f32.div(f32.const(1), g('sum'))),
          upTo('j', g('T'), f32.store(pj, f32.mul(f32.load(pj), g('sum')))),
          f.for('e', i32.const(0), g('hb'), 16, v128.store(i32.add(g('ot'), g('e')), f32x4.splat(f32.const(0)))),
          upTo('j', g('T'), axpy(g('ot'), f32x4.splat(f32.load(pj)), row('v'))),
        ),
      ),
    ),
  };
}

function attentionBackward() {
  const f = new Fn('attention_backward', ['dout', 'qkv', 'probs', 'dqkv', 'tmp', ...SHAPE])
    .locals(LOOP_LOCALS)
    .locals({ d: 'i32', end: 'i32' })
    .locals({ s: 'f32', rd: 'f32', pv: 'f32', acc: 'v128' });
  const g = f.get;
  const { upTo, bases, dot, axpy, mul, add } = common(f);
  const four = (x: Code) => i32.mul(x, i32.const(4));
  const pj = add(g('pt'), four(g('j')));
  const tj = add(g('tmp'), four(g('j')));
  const row = (base: string) => add(g(base), mul(g('j'), g('qr')));
  const grad = (x: Code) => i32.add(x, g('d')); // the same place in dqkv
  return {
    fn: f,
    body: [
      // dqkv accumulates: zero it first (every element is some q, k or v).
      ...f.set('end', add(g('dqkv'), mul(g('B'), g('T'), g('qr')))),
      ...f.for('e', g('dqkv'), g('end'), 16, v128.store(g('e'), f32x4.splat(f32.const(0)))),
      ...f.set('d', i32.sub(g('dqkv'), g('qkv'))),
      ...upTo(
        'b',
        g('B'),
        upTo(
          'h',
          g('H'),
          ...bases('qkv', 'probs', 'dout'),
          upTo(
            't',
            g('T'),
            f.set('qt', add(g('q'), mul(g('t'), g('qr')))),
            f.set('pt', add(g('p'), mul(g('t'), g('T'), i32.const(4)))),
            f.set('ot', add(g('o'), mul(g('t'), g('or')))),
            f.set('rd', f32.const(0)),
            upTo(
              'j',
              g('T'),
              ...dot('s', g('ot'), row('v')),
              f32.store(tj, g('s')),
              f.set('rd', f32.add(g('rd'), f32.mul(f32.load(pj), g('s')))),
            ),
            upTo(
              'j',
              g('T'),
              f.set('pv', f32.load(pj)),
              f.set('s', f32.mul(f32.mul(g('pv'), f32.sub(f32.load(tj), g('rd'))), g('scale'))),
              axpy(grad(g('qt')), f32x4.splat(g('s')), row('k')),
              axpy(grad(row('k')), f32x4.splat(g('s')), g('qt')),
              axpy(grad(row('v')), f32x4.splat(g('pv')), g('ot')),
            ),
          ),
        ),
      ),
    ],
  };
}

export const attentionKernels = () => [attentionForward(), attentionBackward()];
