// The residual join of a ResNet block, y = max(a + b, 0), and its gradient dy * (y > 0), as single SIMD
// passes (tfjs: Add and Relu forward; Step, Cast and Multiply backward). Sizes in bytes, multiples of 16.
import { type Code, f32, f32x4, Fn, i32, v128 } from './emit';

const ZERO = f32x4.splat(f32.const(0));

/** dst = value(a vector of `a`, the same vector of `b`) over `bytes` bytes. */
function pass<const N extends string, const A extends string, const B extends string>(
  name: N,
  [a, b]: [A, B],
  value: (va: Code, vb: Code) => Code,
) {
  const f = new Fn(name, [a, b, 'bytes', 'dst']).locals({ p: 'i32', boff: 'i32', doff: 'i32' });
  const g = f.get;
  const at = (off: string) => i32.add(g('p'), g(off));
  return {
    fn: f,
    body: [
      ...f.set('boff', i32.sub(g(b), g(a))),
      ...f.set('doff', i32.sub(g('dst'), g(a))),
      ...f.for('p', g(a), i32.add(g(a), g('bytes')), 16, v128.store(at('doff'), value(v128.load(g('p')), v128.load(at('boff'))))),
    ],
  };
}

export const reluKernels = () => [
  pass('add_relu', ['a', 'b'], (a, b) => f32x4.max(f32x4.add(a, b), ZERO)),
  pass('relu_grad', ['dy', 'y'], (dy, y) => v128.and(dy, f32x4.gt(y, ZERO))),
];
