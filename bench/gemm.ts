// The wasm GEMM microkernel (kernels/wasm/gemm-fns.ts) against tfjs-wasm's matMul (XNNPACK) on the
// mnist-vit shapes: GFLOP/s, with and without relaxed-SIMD FMA. Run: node --import tsx bench/gemm.ts
import v8 from 'node:v8';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/engine/backend';
import { buildModule } from '../src-main/engine/kernels/wasm/emit';
import { gemmKernels, type GemmExports } from '../src-main/engine/kernels/wasm/gemm-fns';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
await initBackend('wasm');
const be = tf.backend() as unknown as {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: Map<object, { memoryOffset: number }>;
  makeOutput(s: number[], d: string): tf.TensorInfo;
};
const mods = Object.fromEntries(
  [false, true].map((fma) => [
    fma ? 'fma' : 'mul+add',
    new WebAssembly.Instance(new WebAssembly.Module(buildModule(gemmKernels(fma))), { env: { memory: be.wasm.asm.memory } })
      .exports as unknown as GemmExports,
  ]),
);
const time = (fn: () => void, reps = 200) => {
  for (let i = 0; i < 20; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / reps;
};
for (const [M, K, N] of [
  [272, 64, 192],
  [272, 64, 128],
  [272, 128, 64],
  [64, 272, 192],
  [544, 64, 192],
  [6272, 144, 16],
]) {
  const a = tf.randomNormal([M, K]);
  const b = tf.randomNormal([K, N]);
  const flop = 2 * M * K * N;
  const ref = tf.matMul(a, b);
  const stock = time(() => tf.matMul(a, b).dispose());
  const line = [`[${M},${K}]x[${K},${N}]: tfjs ${(flop / stock / 1e6).toFixed(1)} GFLOP/s`];
  for (const [name, k] of Object.entries(mods)) {
    const out = tf.zeros([M, N]);
    const [pa, pb, pc] = [a, b, out].map((t) => be.dataIdMap.get(t.dataId)!.memoryOffset);
    const ms = time(() => k.gemm(pa, pb, pc, M, K, N, K * 4, N * 4, N * 4));
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(out, ref))).dataSync()[0]);
    line.push(`${name} ${(flop / ms / 1e6).toFixed(1)} GFLOP/s (max err ${err.toExponential(1)})`);
    out.dispose();
  }
  console.log(line.join('; '));
  tf.dispose([a, b, ref]);
}
