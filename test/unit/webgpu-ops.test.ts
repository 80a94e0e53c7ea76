// Every op in engine/ops on the webgpu backend (the tfjs composition; the fused kernels are wasm-only)
// against the reference formula on the cpu backend: values and gradients to 1e-4. Small shapes that
// still reach every branch (conv: cin < 4 and >= 4, strides 1 and 2, each padding form).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src-main/engine/backend';
import { download } from '../../src-main/engine/readback';
import { layerNorm, gelu, conv2d, batchNorm, globalAvgPool, selfAttention, addRelu } from '../../src-main/engine/ops/index';
import { close, rand, type Arr } from '../helpers/arrays';
import { webgpuSkip } from '../helpers/webgpu';

const TOL = 1e-4;
const T = (a: Arr) => tf.tensor(a.data, a.shape);
const skip = webgpuSkip;

/** Runs fn on a backend and reads its outputs asynchronously (webgpu has no synchronous read in Node). */
async function on(backend: string, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  const prev = tf.getBackend();
  await tf.setBackend(backend);
  try {
    const outs = tf.tidy(fn);
    const data = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(outs);
    return data;
  } finally {
    await tf.setBackend(prev);
  }
}

function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Arr[]): tf.Tensor[] {
  const xs = inputs.map(T);
  const y = f(...xs);
  const dy = T(rand(y.shape, 99));
  return [y, ...tf.grads((...a: tf.Tensor[]) => f(...a))(xs, dy)];
}

async function compare(
  name: string,
  ours: (...xs: tf.Tensor[]) => tf.Tensor,
  ref: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: Arr[],
): Promise<void> {
  const want = await on('cpu', () => valueAndGrads(ref, inputs));
  const got = await on('webgpu', () => valueAndGrads(ours, inputs));
  assert.equal(got.length, want.length);
  got.forEach((g, i) => close(g, want[i], `${name} on webgpu, ${i === 0 ? 'value' : `grad ${i - 1}`}`, TOL));
}

before(async () => {
  if (skip) return;
  const r = await initBackend('webgpu');
  assert.equal(r.name, 'webgpu');
  assert.equal(tf.getBackend(), 'webgpu');
  // tfjs-webgpu runs ops on small host-resident inputs with its cpu kernels; these shapes are small, and
  // the GPU kernels are what is under test.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
});
after(async () => {
  if (skip) return;
  tf.env().set('WEBGPU_CPU_FORWARD', true);
  await initBackend('cpu');
});

test('layerNorm and gelu on webgpu match their formulas, with gradients', { skip }, async () => {
  const eps = 1e-6;
  await compare(
    'layerNorm',
    (x, g, b) => layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D, eps),
    (x, g, b) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), g), b);
    },
    [rand([4, 5, 8], 1, 3), rand([8], 2), rand([8], 3)],
  );
  const tails = {
    shape: [4, 6],
    data: Float32Array.from([-100, -30, -12, -8, -5.5, -0.001, 0.001, 5.5, 8, 12, 30, 100, ...rand([12], 4, 4).data]),
  };
  await compare(
    'gelu',
    (x) => gelu(x),
    (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))),
    [tails],
  );
});

test('selfAttention on webgpu matches per-head softmax(q k^T / sqrt(dh)) v, with gradients', { skip }, async () => {
  const [B, Tn, H, dh] = [2, 5, 2, 4];
  const D = H * dh;
  const ref = (qkv: tf.Tensor) => {
    const heads = Array.from({ length: H }, (_, h) => {
      const part = (i: number) => tf.reshape(tf.slice(qkv, [0, i * D + h * dh], [B * Tn, dh]), [B, Tn, dh]) as tf.Tensor3D;
      return tf.matMul(tf.softmax(tf.mul(tf.matMul(part(0), part(1), false, true), 1 / Math.sqrt(dh))) as tf.Tensor3D, part(2));
    });
    return tf.reshape(tf.concat(heads, 2), [B * Tn, D]);
  };
  await compare('selfAttention', (qkv) => selfAttention(qkv as tf.Tensor2D, B, H), ref, [rand([B * Tn, 3 * D], 30, 2)]);
});

test('conv2d on webgpu matches tf.conv2d on cpu, forward and gradients', { skip }, async () => {
  const cases: [number[], number[], number, 'same' | 'valid' | number][] = [
    [[2, 7, 7, 1], [3, 3, 1, 4], 1, 'same'], // the stem: one input channel
    [[2, 8, 8, 3], [3, 3, 3, 5], 2, 'same'],
    [[2, 7, 7, 4], [3, 3, 4, 6], 2, 'same'],
    [[2, 6, 6, 8], [3, 3, 8, 8], 1, 'same'],
    [[2, 9, 9, 4], [3, 3, 4, 2], 2, 'valid'],
    [[2, 6, 5, 4], [3, 3, 4, 4], 1, 1],
    [[2, 8, 8, 4], [1, 1, 4, 8], 2, 'same'], // a ResNet shortcut
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

test('batchNorm (training with and without ReLU, eval), addRelu and globalAvgPool on webgpu, with gradients', { skip }, async () => {
  const eps = 1e-5;
  const c = 8;
  for (const relu of [false, true]) {
    const ref = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const y = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), g), b);
      return relu ? tf.relu(y) : y;
    };
    const running = () => ({ mean: tf.zeros([c]) as tf.Tensor1D, variance: tf.ones([c]) as tf.Tensor1D });
    const inputs = [rand([3, 4, 5, c], 7, 2), rand([c], 8), rand([c], 9)];
    await compare(
      `batchNorm train relu=${relu}`,
      (x, g, b) => batchNorm(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, true, running(), eps, relu).y,
      ref,
      inputs,
    );
    const [m, v] = await on('webgpu', () => {
      const r = batchNorm(
        T(inputs[0]) as tf.Tensor4D,
        T(inputs[1]) as tf.Tensor1D,
        T(inputs[2]) as tf.Tensor1D,
        true,
        running(),
        eps,
        relu,
      );
      return [r.batchMean!, r.batchVar!];
    });
    const [wm, wv] = await on('cpu', () => {
      const { mean, variance } = tf.moments(T(inputs[0]), [0, 1, 2]);
      return [mean, variance];
    });
    close(m, wm, 'batch mean', TOL);
    close(v, wv, 'batch variance (biased)', TOL);
  }
  const rm = rand([5], 10);
  const rv = { shape: [5], data: rand([5], 11).data.map((a) => 0.5 + Math.abs(a)) };
  await compare(
    'batchNorm eval',
    (x, g, b) =>
      batchNorm(
        x as tf.Tensor4D,
        g as tf.Tensor1D,
        b as tf.Tensor1D,
        false,
        { mean: T(rm) as tf.Tensor1D, variance: T(rv) as tf.Tensor1D },
        eps,
      ).y,
    (x, g, b) => tf.add(tf.mul(tf.div(tf.sub(x, T(rm)), tf.sqrt(tf.add(T(rv), eps))), g), b),
    [rand([2, 3, 3, 5], 12, 2), rand([5], 13), rand([5], 14)],
  );
  await compare(
    'addRelu',
    (a, b) => addRelu(a, b),
    (a, b) => tf.relu(tf.add(a, b)),
    [rand([2, 3, 4, 8], 50, 2), rand([2, 3, 4, 8], 51, 2)],
  );
  await compare(
    'globalAvgPool',
    (x) => globalAvgPool(x as tf.Tensor4D),
    (x) => tf.mean(x, [1, 2]),
    [rand([3, 5, 4, 6], 15)],
  );
});

test('forward + backward of every op leaks no tensors (webgpu)', { skip }, async () => {
  const x = T(rand([2, 6, 6, 4], 60)) as tf.Tensor4D;
  const w = tf.variable(T(rand([3, 3, 4, 4], 61)));
  const g = tf.variable(tf.ones([4]));
  const b = tf.variable(tf.zeros([4]));
  const running = { mean: tf.zeros([4]) as tf.Tensor1D, variance: tf.ones([4]) as tf.Tensor1D };
  const start = tf.memory().numTensors;
  for (let i = 0; i < 2; i++) {
    const { value, grads } = tf.variableGrads(() => {
      const c = conv2d(x, w as unknown as tf.Tensor4D, 2, 'same');
      const bn = batchNorm(c, g as unknown as tf.Tensor1D, b as unknown as tf.Tensor1D, true, running, 1e-5, true);
      const ln = layerNorm(gelu(addRelu(bn.y, bn.y)), g as unknown as tf.Tensor1D, b as unknown as tf.Tensor1D);
      return tf.sum(globalAvgPool(ln as tf.Tensor4D)) as tf.Scalar;
    });
    assert.ok(Number.isFinite((await value.data())[0]));
    assert.equal(Object.keys(grads).length, 3);
    value.dispose();
    tf.dispose(grads);
  }
  assert.equal(tf.memory().numTensors, start);
  tf.dispose([x, w, g, b, running.mean, running.variance]);
});

test('on webgpu no wasm kernel runs: the ops take their tfjs composition', { skip }, async () => {
  const x = T(rand([2, 4, 4, 8], 70)) as tf.Tensor4D;
  const g = T(rand([8], 71)) as tf.Tensor1D;
  const b = T(rand([8], 72)) as tf.Tensor1D;
  const w = T(rand([3, 3, 8, 8], 73)) as tf.Tensor4D;
  const running = { mean: tf.zeros([8]) as tf.Tensor1D, variance: tf.ones([8]) as tf.Tensor1D };
  const { kernelNames } = await tf.profile(() =>
    tf.grads((a: tf.Tensor, f: tf.Tensor) => {
      const c = conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, 'same');
      const y = batchNorm(c, g, b, true, running, 1e-5, true).y;
      const z = layerNorm(gelu(addRelu(y, a)), g, b);
      return tf.sum(selfAttention(tf.reshape(tf.concat([z, z, z], 3), [32, 24]) as tf.Tensor2D, 2, 2));
    })([x, w]),
  );
  assert.ok(kernelNames.includes('Conv2D') && kernelNames.includes('Conv2DBackpropFilter'), `kernels: ${kernelNames}`);
  assert.deepEqual(
    kernelNames.filter((k) => k.startsWith('NoisyNN')),
    [],
  );
  tf.dispose([x, g, b, w, running.mean, running.variance]);
});

test('a synchronous read of a GPU-only tensor names the cause; after download() it works', { skip }, async () => {
  // Large enough that tfjs does not hand the op to its CPU fallback (small inputs already on the host).
  const y = tf.tidy(() => tf.matMul(tf.ones([32, 32]), tf.ones([32, 32])));
  assert.throws(() => y.dataSync(), /webgpu: a tensor was read synchronously \(dataSync\/arraySync\), which webgpu cannot do in Node/);
  await download([y]);
  assert.ok(y.dataSync().every((v) => v === 32));
  y.dispose();
});

test('salt-and-pepper on webgpu: the same masks and extremes as on cpu, gradient only on untouched elements', { skip }, async () => {
  const { saltPepper } = await import('../../src-main/engine/noise/salt-pepper');
  const f = (x: tf.Tensor) => saltPepper(x, 7, 0.3);
  await compare('saltPepper', f, f, [rand([2, 5, 4], 3)]);
});
