// The residual join of a ResNet block, y = max(a + b, 0), and its gradient dy * (y > 0), as single SIMD
// passes (tfjs: Add and Relu forward; Step, Cast and Multiply backward). Sizes in bytes, multiples of 16.
import { f32, f32x4, Fn, i32, type Kernel, v128 } from './emit';

function addRelu(): Kernel {
  const f = new Fn('add_relu', { a: 'i32', b: 'i32', bytes: 'i32', y: 'i32' }).locals({ p: 'i32', boff: 'i32', yoff: 'i32' });
  const g = f.get;
  const at = (off: string) => i32.add(g('p'), g(off));
  return {
    fn: f,
    body: [
      ...f.set('boff', i32.sub(g('b'), g('a'))),
      ...f.set('yoff', i32.sub(g('y'), g('a'))),
      ...f.for('p', g('a'), i32.add(g('a'), g('bytes')), 16,
        v128.store(at('yoff'), f32x4.max(f32x4.add(v128.load(g('p')), v128.load(at('boff'))), f32x4.splat(f32.const(0))))),
    ],
  };
}

function reluGrad(): Kernel {
  const f = new Fn('relu_grad', { dy: 'i32', y: 'i32', bytes: 'i32', dx: 'i32' }).locals({ p: 'i32', yoff: 'i32', dxoff: 'i32' });
  const g = f.get;
  const at = (off: string) => i32.add(g('p'), g(off));
  return {
    fn: f,
    body: [
      ...f.set('yoff', i32.sub(g('y'), g('dy'))),
      ...f.set('dxoff', i32.sub(g('dx'), g('dy'))),
      ...f.for('p', g('dy'), i32.add(g('dy'), g('bytes')), 16,
        v128.store(at('dxoff'), v128.and(v128.load(g('p')), f32x4.gt(v128.load(at('yoff')), f32x4.splat(f32.const(0)))))),
    ],
  };
}

export interface ReluExports {
  add_relu(a: number, b: number, bytes: number, y: number): void;
  relu_grad(dy: number, y: number, bytes: number, dx: number): void;
}

export const reluKernels = (): Kernel[] => [addRelu(), reluGrad()];
