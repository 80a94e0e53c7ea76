import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src-main/engine/backend';
import { registerWasmBatchMatMul, unregisterWasmBatchMatMul } from '../../src-main/engine/kernels/index';
import { permutePadCut } from '../../src-main/engine/kernels/layout';
import { layerNorm, gelu, conv2d, batchNorm, globalAvgPool, convGeometry, selfAttention, addRelu } from '../../src-main/engine/ops/index';
import { close, rand, type Arr } from '../helpers/arrays';

const T = (a: Arr) => tf.tensor(a.data, a.shape);

/** Runs fn on a backend and returns plain arrays, restoring the previous backend. */
async function on(backend: string, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  const prev = tf.getBackend();
  await tf.setBackend(backend);
  try {
    const outs = tf.tidy(fn);
    const data = outs.map((t) => t.dataSync() as Float32Array);
    tf.dispose(outs);
    return data;
  } finally {
    await tf.setBackend(prev);
  }
}

/** Value and gradients of f at the inputs, for an upstream gradient dy. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Arr[], dySeed: number): tf.Tensor[] {
  const xs = inputs.map(T);
  const y = f(...xs);
  const dy = T(rand(y.shape, dySeed));
  const grads = tf.grads((...a: tf.Tensor[]) => f(...a))(xs, dy);
  return [y, ...grads];
}

async function compare(
  name: string,
  ours: (...xs: tf.Tensor[]) => tf.Tensor,
  ref: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: Arr[],
  tol = 1e-5,
) {
  const want = await on('cpu', () => valueAndGrads(ref, inputs, 99));
  for (const backend of ['cpu', 'wasm']) {
    const got = await on(backend, () => valueAndGrads(ours, inputs, 99));
    got.forEach((g, i) => close(g, want[i], `${name} on ${backend}, ${i === 0 ? 'value' : `grad ${i - 1}`}`, tol));
  }
}

before(async () => {
  const r = await initBackend('wasm');
  assert.equal(r.name, 'wasm');
});
after(async () => {
  await tf.setBackend('wasm');
});

test('layerNorm matches the composed formula and its autodiff gradients', async () => {
  const eps = 1e-6;
  const ref = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), g), b);
  };
  for (const shape of [
    [4, 5, 8],
    [6, 16],
    [2, 3, 2, 12],
  ]) {
    const d = shape[shape.length - 1];
    await compare(`layerNorm ${shape}`, (x, g, b) => layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D, eps), ref, [
      rand(shape, 1, 3),
      rand([d], 2),
      rand([d], 3),
    ]);
  }
});

test('gelu matches 0.5 x (1 + erf(x / sqrt2)) and its gradient', async () => {
  const ref = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
  // 231 values: the tfjs composition on every backend; 384: the fused wasm kernel (whole SIMD vectors).
  await compare('gelu', (x) => gelu(x), ref, [rand([3, 7, 11], 4, 4)]);
  await compare('gelu fused', (x) => gelu(x), ref, [rand([4, 8, 12], 4, 6)]);
  // Tails: exp(-x^2 / 2) underflows; the fused kernel clamps its exponent there.
  const tails = { shape: [12], data: Float32Array.from([-100, -30, -12, -8, -5.5, -0.001, 0.001, 5.5, 8, 12, 30, 100]) };
  await compare('gelu tails', (x) => gelu(x), ref, [tails]);
  // Known values of the exact form: gelu(1) = 0.841344746, gelu(-1) = -0.158655254, gelu(3) = 2.995950;
  // 4 values (fused on wasm) and 3 (composition).
  for (const xs of [
    [0, 1, -1, 3],
    [0, 1, -1],
  ]) {
    const v = tf.tidy(() => gelu(tf.tensor1d(xs)).dataSync());
    close(v, [0, 0.841344746, -0.158655254, 2.99595031].slice(0, xs.length), `gelu known values (${xs.length})`, 1e-6);
  }
});

test('selfAttention matches per-head softmax(q k^T / sqrt(dh)) v, with gradients', async () => {
  // dh 4 and 16: the fused wasm kernel; dh 6: the tfjs composition on every backend.
  for (const [B, T, H, dh] of [
    [2, 5, 2, 4],
    [3, 17, 4, 16],
    [2, 3, 2, 6],
  ]) {
    const D = H * dh;
    const ref = (qkv: tf.Tensor) => {
      const heads = Array.from({ length: H }, (_, h) => {
        const part = (i: number) => tf.reshape(tf.slice(qkv, [0, i * D + h * dh], [B * T, dh]), [B, T, dh]) as tf.Tensor3D;
        const p = tf.softmax(tf.mul(tf.matMul(part(0), part(1), false, true), 1 / Math.sqrt(dh)));
        return tf.matMul(p as tf.Tensor3D, part(2)); // [B, T, dh]
      });
      return tf.reshape(tf.concat(heads, 2), [B * T, D]);
    };
    await compare(`selfAttention B${B} T${T} H${H} dh${dh}`, (qkv) => selfAttention(qkv as tf.Tensor2D, B, H), ref, [
      rand([B * T, 3 * D], 30 + dh, 2),
    ]);
  }
});

test('conv2d matches tf.conv2d forward and gradients (stride 1/2, pad same/valid/1)', async () => {
  // cin < 4 takes the Conv2DBackpropInput path for dx, cin >= 4 the correlation (stride 1) or phase (stride 2) path.
  const cases: [number[], number[], number, 'same' | 'valid' | number][] = [
    [[2, 7, 7, 1], [3, 3, 1, 4], 1, 'same'],
    [[2, 8, 8, 3], [3, 3, 3, 5], 2, 'same'],
    [[2, 7, 7, 4], [3, 3, 4, 6], 2, 'same'],
    [[2, 8, 8, 5], [3, 3, 5, 4], 2, 'same'],
    [[2, 6, 6, 4], [3, 3, 4, 4], 1, 'same'],
    [[1, 9, 8, 4], [3, 3, 4, 3], 1, 'valid'],
    [[2, 9, 9, 4], [3, 3, 4, 2], 2, 'valid'],
    [[2, 8, 8, 4], [3, 3, 4, 2], 2, 'valid'],
    [[2, 6, 6, 4], [3, 3, 4, 4], 1, 1],
    [[2, 7, 7, 6], [3, 3, 6, 4], 2, 1],
    [[2, 6, 5, 2], [3, 3, 2, 4], 1, 1],
    [[2, 7, 7, 4], [1, 1, 4, 8], 2, 'same'],
    [[2, 8, 8, 4], [1, 1, 4, 8], 2, 'same'],
    [[2, 6, 6, 4], [1, 1, 4, 3], 1, 'valid'],
    [[2, 9, 7, 4], [5, 3, 4, 3], 2, 'same'],
    [[2, 5, 5, 4], [3, 3, 4, 3], 1, 4],
    // Channel counts that are multiples of 8: the workbench's implicit-GEMM kernels (forward, input and filter gradients).
    [[2, 7, 7, 8], [3, 3, 8, 8], 1, 'same'],
    [[2, 9, 9, 8], [3, 3, 8, 16], 2, 'same'],
    [[2, 8, 8, 8], [3, 3, 8, 8], 2, 1],
    [[3, 7, 6, 8], [5, 3, 8, 8], 1, 'valid'],
    [[2, 9, 9, 1], [3, 3, 1, 8], 2, 'same'],
    [[1, 5, 5, 16], [3, 3, 16, 8], 2, 'valid'],
    [[2, 7, 7, 8], [1, 1, 8, 16], 2, 'same'],
  ];
  for (const [xs, ws, stride, pad] of cases) {
    await compare(
      `conv2d x[${xs}] w[${ws}] s${stride} ${pad}`,
      (x, w) => conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad),
      (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad),
      [rand(xs, 5), rand(ws, 6)],
    );
  }
});

test('permutePadCut (wasm) equals pad, transpose and slice', () => {
  const cases: [number[], number[], [number, number][], number[] | undefined][] = [
    [
      [2, 5, 6, 3],
      [3, 1, 2, 0],
      [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0],
      ],
      undefined,
    ], // scalar innermost
    [
      [2, 3, 4, 8],
      [1, 2, 0, 3],
      [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ],
      undefined,
    ], // 16-byte rows
    [
      [3, 4, 4, 8],
      [1, 2, 0, 3],
      [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ],
      [2, 3, 3, 8],
    ], // cut
    [
      [2, 4, 5, 3],
      [0, 1, 2, 3],
      [
        [1, 0],
        [2, 2],
        [1, 1],
        [0, 1],
      ],
      [3, 5, 6, 4],
    ], // pad, cut into the pad
  ];
  for (const [shape, perm, pad, keep] of cases) {
    const x = T(rand(shape, 40)) as tf.Tensor4D;
    const got = tf.tidy(() => permutePadCut(x, perm, pad, keep).arraySync());
    const want = tf.tidy(() => {
      const y = tf.transpose(tf.pad(x, pad), perm);
      return (keep ? tf.slice(y, [0, 0, 0, 0], keep) : y).arraySync();
    });
    assert.deepEqual(got, want, `x [${shape}] perm [${perm}] pad ${JSON.stringify(pad)} keep [${keep}]`);
    x.dispose();
  }
});

test('the fused wasm kernels pass NaN through instead of trapping (a diverged run must report its loss)', () => {
  const x = tf.fill([2, 3, 24], NaN);
  const outs = tf.tidy(() =>
    [
      selfAttention(tf.reshape(x, [6, 24]) as tf.Tensor2D, 2, 2),
      gelu(x),
      layerNorm(x, tf.ones([24]) as tf.Tensor1D, tf.zeros([24]) as tf.Tensor1D),
    ].map((t) => t.dataSync()),
  );
  outs.forEach((o, i) => assert.ok(Array.from(o).every(Number.isNaN), `output ${i} is not all NaN`));
  x.dispose();
});

test('addRelu matches relu(a + b) with gradients for both inputs', async () => {
  // 120 values: the fused wasm kernel; 105: the tfjs composition.
  for (const shape of [
    [2, 3, 4, 5],
    [3, 5, 7],
  ]) {
    await compare(
      `addRelu [${shape}]`,
      (a, b) => addRelu(a, b),
      (a, b) => tf.relu(tf.add(a, b)),
      [rand(shape, 50, 2), rand(shape, 51, 2)],
    );
  }
});

test('convGeometry agrees with tfjs output shapes', () => {
  for (const [h, k, s, p] of [
    [28, 3, 2, 'same'],
    [7, 3, 2, 'same'],
    [9, 3, 2, 'valid'],
    [7, 3, 2, 1],
    [4, 1, 2, 'same'],
  ] as const) {
    const g = convGeometry(h, h, k, k, s, p);
    const shape = tf.tidy(() => tf.conv2d(tf.zeros([1, h, h, 1]) as tf.Tensor4D, tf.zeros([k, k, 1, 1]) as tf.Tensor4D, s, p).shape);
    assert.deepEqual([g.ho, g.wo], [shape[1], shape[2]], `h=${h} k=${k} s=${s} pad=${p}`);
  }
});

test('batchNorm (training) matches moments-based composition and returns biased batch stats', async () => {
  const eps = 1e-5;
  // 6 channels: the tfjs composition on every backend; 8: the fused wasm kernel (rows of 4 floats).
  for (const c of [6, 8]) {
    for (const relu of [false, true]) {
      const ref = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        const y = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), g), b);
        return relu ? tf.relu(y) : y;
      };
      const running = () => ({ mean: tf.zeros([c]) as tf.Tensor1D, variance: tf.ones([c]) as tf.Tensor1D });
      const inputs = [rand([3, 4, 5, c], 7, 2), rand([c], 8), rand([c], 9)];
      const ours = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        batchNorm(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, true, running(), eps, relu).y;
      await compare(`batchNorm train c=${c} relu=${relu}`, ours, ref, inputs);
      const [m, v, wm, wv] = await on('wasm', () => {
        const x = T(inputs[0]);
        const r = batchNorm(x as tf.Tensor4D, T(inputs[1]) as tf.Tensor1D, T(inputs[2]) as tf.Tensor1D, true, running(), eps, relu);
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return [r.batchMean!, r.batchVar!, mean, variance];
      });
      close(m, wm, `batch mean c=${c}`);
      close(v, wv, `batch variance (biased) c=${c}`);
    }
  }
});

test('on wasm, batchNorm (training), layerNorm, gelu, selfAttention and addRelu run as one fused kernel each way', async () => {
  const x = tf.tensor(rand([2, 3, 3, 8], 20).data, [2, 3, 3, 8]) as tf.Tensor4D;
  const g = tf.tensor(rand([8], 21).data) as tf.Tensor1D;
  const b = tf.tensor(rand([8], 22).data) as tf.Tensor1D;
  const running = { mean: tf.zeros([8]) as tf.Tensor1D, variance: tf.ones([8]) as tf.Tensor1D };
  const kernels = async (f: (x: tf.Tensor) => tf.Tensor) =>
    (await tf.profile(() => tf.grads((a: tf.Tensor) => tf.sum(f(a)))([x]))).kernelNames;
  const bn = await kernels((a) => batchNorm(a as tf.Tensor4D, g, b, true, running, 1e-5, true).y);
  assert.ok(bn.includes('NoisyNNBatchNorm') && bn.includes('NoisyNNBatchNormGrad'), `batchNorm kernels: ${bn}`);
  assert.ok(!bn.includes('Relu') && !bn.includes('Mean'), `batchNorm ran unfused kernels: ${bn}`);
  const ln = await kernels((a) => layerNorm(a, g, b));
  assert.ok(ln.includes('NoisyNNLayerNorm') && ln.includes('NoisyNNLayerNormGrad'), `layerNorm kernels: ${ln}`);
  const at = await kernels((a) => selfAttention(tf.reshape(a, [6, 24]) as tf.Tensor2D, 2, 2));
  assert.deepEqual(
    at.filter((k) => k.startsWith('NoisyNN')),
    ['NoisyNNAttention', 'NoisyNNAttentionGrad'],
    `attention kernels: ${at}`,
  );
  assert.ok(!at.includes('Softmax') && !at.includes('BatchMatMul'), `attention ran unfused kernels: ${at}`);
  const ar = await kernels((a) => addRelu(a, tf.onesLike(a)));
  assert.deepEqual(
    ar.filter((k) => k.startsWith('NoisyNN')),
    ['NoisyNNAddRelu', 'NoisyNNReluGrad'],
    `addRelu kernels: ${ar}`,
  );
  const ge = await kernels((a) => gelu(a));
  assert.deepEqual(
    ge.filter((k) => k.startsWith('NoisyNN')),
    ['NoisyNNGelu', 'NoisyNNGeluGrad'],
    `gelu kernels: ${ge}`,
  );
  assert.ok(!ge.includes('Erf') && !ge.includes('Exp'), `gelu ran unfused kernels: ${ge}`);
  tf.dispose([x, g, b, running.mean, running.variance]);
});

test('batchNorm (eval) uses running stats, with gradients', async () => {
  const eps = 1e-5;
  const rm = rand([5], 10);
  const rv = { shape: [5], data: rand([5], 11).data.map((a) => 0.5 + Math.abs(a)) };
  const ref = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.add(tf.mul(tf.div(tf.sub(x, T(rm)), tf.sqrt(tf.add(T(rv), eps))), g), b);
  await compare(
    'batchNorm eval',
    (x, g, b) => {
      const r = batchNorm(
        x as tf.Tensor4D,
        g as tf.Tensor1D,
        b as tf.Tensor1D,
        false,
        { mean: T(rm) as tf.Tensor1D, variance: T(rv) as tf.Tensor1D },
        eps,
      );
      assert.equal(r.batchMean, undefined);
      return r.y;
    },
    ref,
    [rand([2, 3, 3, 5], 12, 2), rand([5], 13), rand([5], 14)],
  );
});

test('globalAvgPool matches mean over H, W', async () => {
  await compare(
    'globalAvgPool',
    (x) => globalAvgPool(x as tf.Tensor4D),
    (x) => tf.mean(x, [1, 2]),
    [rand([3, 5, 4, 6], 15)],
  );
});

test('wasm BatchMatMul replacement matches cpu matMul for every transpose combination, with gradients', async () => {
  const flip = (s: number[]) => [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]];
  // N (and for the gradients K) a multiple of 8 with batch 1: the workbench's GEMM; M odd for its remainder rows.
  const shapes: [number[], number[]][] = [
    [
      [33, 20],
      [20, 17],
    ],
    [
      [1, 9, 6],
      [1, 6, 5],
    ],
    [
      [4, 7, 5],
      [4, 5, 3],
    ],
    [
      [2, 3, 17, 16],
      [2, 3, 16, 17],
    ],
    [
      [5, 1, 4],
      [5, 4, 1],
    ],
    [
      [35, 24],
      [24, 16],
    ],
    [
      [6, 64],
      [64, 40],
    ],
    [
      [1, 13, 8],
      [1, 8, 24],
    ],
  ];
  let n = 0;
  for (const [sa, sb] of shapes) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const inputs = [rand(ta ? flip(sa) : sa, 20 + n), rand(tb ? flip(sb) : sb, 40 + n)];
        n++;
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb);
        await compare(`matMul [${sa}]x[${sb}] tA=${ta} tB=${tb}`, f, f, inputs);
      }
    }
  }
  assert.equal(n, 32);
});

test('the BatchMatMul replacement is installed on wasm and can be swapped back', () => {
  const replaced = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
  unregisterWasmBatchMatMul();
  const stock = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
  assert.notEqual(stock, replaced);
  assert.equal(registerWasmBatchMatMul(), true);
  assert.notEqual(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc, stock);
  const v = tf.tidy(() =>
    tf
      .matMul(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        tf.tensor2d([
          [5, 6],
          [7, 8],
        ]),
        true,
        true,
      )
      .arraySync(),
  );
  assert.deepEqual(v, [
    [23, 31],
    [34, 46],
  ]);
});

test('ops reject bad shapes with clear errors', () => {
  tf.tidy(() => {
    assert.throws(
      () => layerNorm(tf.zeros([2, 4]), tf.zeros([3]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D),
      /gamma must have shape \[4\]/,
    );
    assert.throws(
      () => conv2d(tf.zeros([1, 5, 5, 2]) as tf.Tensor4D, tf.zeros([3, 3, 3, 4]) as tf.Tensor4D, 1, 'same'),
      /3 input channels/,
    );
    assert.throws(() => conv2d(tf.zeros([1, 5, 5, 2]) as tf.Tensor4D, tf.zeros([3, 3, 2, 4]) as tf.Tensor4D, 0, 'same'), /stride/);
    assert.throws(
      () =>
        batchNorm(tf.zeros([2, 4]) as unknown as tf.Tensor4D, tf.zeros([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D, true, {
          mean: tf.zeros([4]) as tf.Tensor1D,
          variance: tf.ones([4]) as tf.Tensor1D,
        }),
      /rank 4/,
    );
  });
});

test('forward + backward of every op leaks no tensors (wasm)', () => {
  const x = tf.randomNormal([2, 6, 6, 4]) as tf.Tensor4D;
  const w = tf.variable(tf.randomNormal([3, 3, 4, 4]));
  const g = tf.variable(tf.ones([4]));
  const b = tf.variable(tf.zeros([4]));
  const running = { mean: tf.zeros([4]) as tf.Tensor1D, variance: tf.ones([4]) as tf.Tensor1D };
  const before = tf.memory().numTensors;
  for (let i = 0; i < 2; i++) {
    const { value, grads } = tf.variableGrads(() => {
      const c = conv2d(x, w as unknown as tf.Tensor4D, 2, 'same');
      const bn = batchNorm(c, g as unknown as tf.Tensor1D, b as unknown as tf.Tensor1D, true, running);
      const ln = layerNorm(gelu(bn.y), g as unknown as tf.Tensor1D, b as unknown as tf.Tensor1D);
      return tf.sum(globalAvgPool(ln as tf.Tensor4D)) as tf.Scalar;
    });
    assert.equal(Object.keys(grads).length, 3);
    value.dispose();
    tf.dispose(grads);
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, w, g, b, running.mean, running.variance]);
});
