// The emitted kernel module in both variants (relaxed-SIMD FMA and multiply + add): the one in use is
// covered through the ops tests; this checks the other one too, on tfjs-wasm's memory.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src-main/engine/backend';
import { buildModule } from '../../src-main/engine/kernels/wasm/emit';
import { gemmKernels } from '../../src-main/engine/kernels/wasm/gemm-fns';
import { instantiateKernels, kernelModuleBytes } from '../../src-main/engine/kernels/wasm/module';

interface Be {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(id: object): { memoryOffset: number } };
}
let be: Be;
const at = (t: tf.Tensor) => be.dataIdMap.get(t.dataId).memoryOffset;
const maxErr = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.div(tf.abs(tf.sub(a, b)), tf.add(1, tf.abs(b)))).dataSync()[0]);

before(async () => {
  assert.equal((await initBackend('wasm')).name, 'wasm');
  be = tf.backend() as unknown as Be;
});

for (const fma of [false, true]) {
  test(`kernel module (${fma ? 'FMA' : 'multiply + add'}): GEMM and implicit-GEMM convolution match tfjs`, (t) => {
    let k;
    try {
      k = instantiateKernels(be.wasm.asm.memory, kernelModuleBytes(fma));
    } catch (e) {
      if (fma) return t.skip(`this engine has no relaxed SIMD: ${(e as Error).message}`);
      throw e;
    }
    const [M, K, N] = [13, 37, 24]; // M not a multiple of the 4-row tile
    const a = tf.randomNormal([M, K], 0, 1, 'float32', 1);
    const b = tf.randomNormal([K, N], 0, 1, 'float32', 2);
    const c = tf.zeros([M, N]);
    k.gemm(at(a), at(b), at(c), M, K, N, K * 4, N * 4, N * 4);
    const ref = tf.matMul(a, b);
    assert.ok(maxErr(c, ref) < 1e-5, `gemm error ${maxErr(c, ref)}`);

    // [2, 7, 7, 8] padded by 1 -> [2, 9, 9, 8], 3x3 stride 2 -> [2, 4, 4, 16] ('valid' on the padded input)
    const x = tf.randomNormal([2, 9, 9, 8], 0, 1, 'float32', 3) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 8, 16], 0, 1, 'float32', 4) as tf.Tensor4D;
    const out = tf.zeros([2, 4, 4, 16]);
    const table = tf.zeros([2 * 4 * 4]);
    k.conv_forward(at(x), at(w), at(out), at(table), 2, 9, 9, 8, 4, 4, 16, 3, 3, 2);
    const refConv = tf.conv2d(x, w, 2, 'valid');
    assert.ok(maxErr(out, refConv) < 1e-5, `conv error ${maxErr(out, refConv)}`);
    tf.dispose([a, b, c, ref, x, w, out, table, refConv]);
  });
}

test('a module missing a listed kernel is refused by name, not bound with an undefined export', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const partial = buildModule(gemmKernels(false));
  assert.throws(() => instantiateKernels(memory, partial), /does not export .*gelu_forward/);
  assert.equal(typeof instantiateKernels(memory, kernelModuleBytes(false)).gelu_forward, 'function');
});
