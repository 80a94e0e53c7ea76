// Forward+backward timings of the model ops: ours on wasm vs the stock tfjs path (wasm where it can
// train, else cpu). Run: node --import tsx bench/ops.ts [reps]
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/engine/backend';
import { registerWasmBatchMatMul, unregisterWasmBatchMatMul } from '../src-main/engine/kernels/index';
import { batchNorm, conv2d, gelu, globalAvgPool, layerNorm } from '../src-main/engine/ops/index';

const REPS = Number(process.argv[2] ?? 20);
type Fn = (...xs: tf.Tensor[]) => tf.Tensor;

/** ms per forward+backward of f at inputs of the given shapes (gradients w.r.t. all inputs). */
function time(f: Fn, shapes: number[][], reps = REPS): number {
  const xs = shapes.map((s) => tf.randomNormal(s));
  const step = () =>
    tf.tidy(() => {
      const g = tf.grads(f)(xs);
      for (const t of g) t.dataSync();
    });
  step();
  step();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) step();
  tf.dispose(xs);
  return (performance.now() - t0) / reps;
}

async function timeOn(backend: string, f: Fn, shapes: number[][], reps?: number): Promise<number> {
  const prev = tf.getBackend();
  await tf.setBackend(backend);
  try {
    return time(f, shapes, reps);
  } finally {
    await tf.setBackend(prev);
  }
}

const rows: { op: string; ours: number; stock: number; stockWhere: string }[] = [];
function row(op: string, ours: number, stock: number, stockWhere: string) {
  rows.push({ op, ours, stock, stockWhere });
  console.log(
    `${op.padEnd(44)} ours/wasm ${ours.toFixed(2).padStart(7)} ms   stock/${stockWhere} ${stock.toFixed(2).padStart(7)} ms   x${(stock / ours).toFixed(1)}`,
  );
}

const report = await initBackend('wasm');
console.log(`backend ${report.name} simd=${report.simd} threads=${report.threads}; ${REPS} reps; ms per forward+backward\n`);

// ---- mnist-vit (batch 64, 17 tokens, dim 64, 4 heads of 16, MLP 128)
const B = 64,
  N = 17,
  D = 64,
  H = 4,
  HD = 16,
  MLP = 128;
const mm = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
const qk = (q: tf.Tensor, k: tf.Tensor) => tf.matMul(q as tf.Tensor3D, k as tf.Tensor3D, false, true);
const av = (a: tf.Tensor, v: tf.Tensor) => tf.matMul(a as tf.Tensor3D, v as tf.Tensor3D);
const vitMatmuls: [string, Fn, number[][], number][] = [
  [
    'vit qkv  [1088,64]x[64,192]',
    mm,
    [
      [B * N, D],
      [D, 3 * D],
    ],
    1,
  ],
  [
    'vit proj [1088,64]x[64,64]',
    mm,
    [
      [B * N, D],
      [D, D],
    ],
    1,
  ],
  [
    'vit mlp1 [1088,64]x[64,128]',
    mm,
    [
      [B * N, D],
      [D, MLP],
    ],
    1,
  ],
  [
    'vit mlp2 [1088,128]x[128,64]',
    mm,
    [
      [B * N, MLP],
      [MLP, D],
    ],
    1,
  ],
  [
    'vit q k^T [256,17,16]x[256,17,16]^T',
    qk,
    [
      [B * H, N, HD],
      [B * H, N, HD],
    ],
    1,
  ],
  [
    'vit attn v [256,17,17]x[256,17,16]',
    av,
    [
      [B * H, N, N],
      [B * H, N, HD],
    ],
    1,
  ],
];
let vitOurs = 0,
  vitStock = 0;
for (const [name, f, shapes, count] of vitMatmuls) {
  const ours = time(f, shapes);
  unregisterWasmBatchMatMul();
  const stock = time(f, shapes);
  registerWasmBatchMatMul();
  row(name, ours, stock, 'wasm');
  vitOurs += ours * count;
  vitStock += stock * count;
}
const lnRef = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-6))), g), b);
};
const ln = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D);
{
  const shapes = [[B, N, D], [D], [D]];
  const ours = time(ln, shapes),
    stock = time(lnRef, shapes, 5);
  row('vit layerNorm [64,17,64] (x2 per block)', ours, stock, 'wasm');
  vitOurs += 2 * ours;
  vitStock += 2 * stock;
}
{
  const geluRef = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
  const ours = time((x) => gelu(x), [[B, N, MLP]]),
    stock = time(geluRef, [[B, N, MLP]]);
  row('vit gelu [64,17,128]', ours, stock, 'wasm');
  vitOurs += ours;
  vitStock += stock;
}
console.log(
  `vit block (qkv, qk^T, attn v, proj, 2 LN, mlp1, gelu, mlp2): ours ${vitOurs.toFixed(1)} ms, stock ${vitStock.toFixed(1)} ms` +
    ` -> ~${Math.round((B * 1000) / vitOurs)} img/s per block of ops (softmax/residual/embedding not included)\n`,
);

// ---- mnist-cnn (ResNet-like, NHWC, batch 64)
const convs: [string, number[], number[], number][] = [
  ['conv3x3 1->16 s2 28x28', [B, 28, 28, 1], [3, 3, 1, 16], 2],
  ['conv3x3 16->16 s1 14x14', [B, 14, 14, 16], [3, 3, 16, 16], 1],
  ['conv3x3 16->32 s2 14x14', [B, 14, 14, 16], [3, 3, 16, 32], 2],
  ['conv1x1 16->32 s2 14x14 (shortcut)', [B, 14, 14, 16], [1, 1, 16, 32], 2],
  ['conv3x3 32->32 s1 7x7', [B, 7, 7, 32], [3, 3, 32, 32], 1],
  ['conv3x3 32->64 s2 7x7', [B, 7, 7, 32], [3, 3, 32, 64], 2],
  ['conv1x1 32->64 s2 7x7 (shortcut)', [B, 7, 7, 32], [1, 1, 32, 64], 2],
  ['conv3x3 64->64 s1 4x4', [B, 4, 4, 64], [3, 3, 64, 64], 1],
];
let cnnOurs = 0,
  cnnStock = 0;
for (const [name, xs, ws, s] of convs) {
  const ours = time((x, w) => conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, 'same'), [xs, ws]);
  const stock = await timeOn('cpu', (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, 'same'), [xs, ws], 2);
  row(name, ours, stock, 'cpu ');
  cnnOurs += ours;
  cnnStock += stock;
}
const bnShapes: number[][] = [
  [B, 14, 14, 16],
  [B, 7, 7, 32],
  [B, 4, 4, 64],
];
const bnCount = [2, 3, 3]; // per-resolution batchNorm count in the layer list above
bnShapes.forEach((shape, i) => {
  const c = shape[3];
  const running = { mean: tf.zeros([c]) as tf.Tensor1D, variance: tf.ones([c]) as tf.Tensor1D };
  const ours = time((x, g, b) => batchNorm(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, true, running).y, [shape, [c], [c]]);
  const ref = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const stock = time(ref, [shape, [c], [c]], 5);
  row(`batchNorm train [${shape}] (x${bnCount[i]})`, ours, stock, 'wasm');
  cnnOurs += bnCount[i] * ours;
  cnnStock += bnCount[i] * stock;
  tf.dispose([running.mean, running.variance]);
});
{
  const ours = time((x) => globalAvgPool(x as tf.Tensor4D), [[B, 4, 4, 64]]);
  const stock = time((x) => tf.mean(x, [1, 2]), [[B, 4, 4, 64]]);
  row('globalAvgPool [64,4,4,64]', ours, stock, 'wasm');
  cnnOurs += ours;
  cnnStock += stock;
}
console.log(
  `cnn convs+BNs+pool: ours ${cnnOurs.toFixed(1)} ms, stock ${cnnStock.toFixed(1)} ms (stock conv on cpu: wasm cannot train tf.conv2d)` +
    ` -> ~${Math.round((B * 1000) / cnnOurs)} img/s (relu/adds/head not included)`,
);
