import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { learningRate } from '../../src-main/engine/train/schedule';
import { AdamW } from '../../src-main/engine/train/optim';

const opt = { kind: 'adamw' as const, lr: 1e-3, weightDecay: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

test('learning rate warms up linearly, then follows a cosine to minLr', () => {
  const s = { kind: 'cosine' as const, warmupEpochs: 1, minLr: 1e-5 };
  const spe = 10;
  const total = 50;
  assert.equal(learningRate(0, total, spe, opt, s), 1e-4);
  assert.equal(learningRate(4, total, spe, opt, s), 5e-4);
  assert.equal(learningRate(10, total, spe, opt, s), 1e-3); // first step after warm-up is the peak
  assert.ok(Math.abs(learningRate(30, total, spe, opt, s) - (1e-5 + 0.5 * (1e-3 - 1e-5))) < 1e-12); // half-way
  assert.ok(Math.abs(learningRate(50, total, spe, opt, s) - 1e-5) < 1e-12);
  for (let i = 11; i < total; i++) assert.ok(learningRate(i, total, spe, opt, s) < learningRate(i - 1, total, spe, opt, s));
});

test('AdamW applies bias-corrected Adam plus decoupled decay on weights only', async () => {
  const w = tf.variable(tf.tensor2d([[1, -2]]), true, 'adamw_w');
  const b = tf.variable(tf.tensor1d([0.5]), true, 'adamw_b');
  const o = new AdamW(
    new Map<string, tf.Variable>([
      ['w', w],
      ['b', b],
    ]),
    opt,
  );
  const gw = tf.tensor2d([[0.1, 0.3]]);
  const gb = tf.tensor1d([-0.2]);
  await o.apply({ [w.name]: gw, [b.name]: gb }, 0.01);
  // Step 1: mhat = g, vhat = g^2, so the Adam update is sign(g) (up to eps).
  const wv = w.dataSync();
  const expectW = [1 * (1 - 0.01 * 0.1) - 0.01 * (0.1 / (0.1 + 1e-8)), -2 * (1 - 0.01 * 0.1) - 0.01 * (0.3 / (0.3 + 1e-8))];
  assert.ok(Math.abs(wv[0] - expectW[0]) < 1e-6 && Math.abs(wv[1] - expectW[1]) < 1e-6, `${wv}`);
  assert.ok(Math.abs(b.dataSync()[0] - (0.5 + 0.01)) < 1e-6, 'biases are not decayed');
  // Step 2 with a zero gradient: m decays, the update continues in the same direction.
  await o.apply({ [w.name]: tf.zeros([1, 2]), [b.name]: tf.zeros([1]) }, 0.01);
  // m1 = (1 - b1) g = 0.01, m2 = b1 m1; v1 = (1 - b2) g^2 = 1e-5, v2 = b2 v1.
  const mhat = (0.9 * (0.1 * 0.1)) / (1 - 0.81);
  const vhat = (0.999 * (0.001 * 0.01)) / (1 - 0.999 ** 2);
  const expect2 = expectW[0] * (1 - 0.001) - 0.01 * (mhat / (Math.sqrt(vhat) + 1e-8));
  assert.ok(Math.abs(w.dataSync()[0] - expect2) < 1e-6, `${w.dataSync()[0]} vs ${expect2}`);
  o.dispose();
  tf.dispose([w, b, gw, gb]);
});

test('AdamW follows weights assigned from outside (a checkpoint load) instead of its own copy', async () => {
  const w = tf.variable(tf.tensor2d([[1, 1]]), true, 'adamw_mirror_w');
  const o = new AdamW(new Map<string, tf.Variable>([['w', w]]), { ...opt, weightDecay: 0 });
  await o.apply({ [w.name]: tf.tensor2d([[1, 1]]) }, 0.1);
  assert.ok(Math.abs(w.dataSync()[0] - 0.9) < 1e-6);
  assert.ok(Math.abs(o.weights()[0][0] - 0.9) < 1e-6, 'weights() mirrors the variable');
  w.assign(tf.tensor2d([[5, 5]]));
  assert.equal(o.weights()[0][0], 5, 'an outside assign is picked up');
  await o.apply({ [w.name]: tf.tensor2d([[0, 0]]) }, 0.1);
  assert.ok(w.dataSync()[0] < 5 && w.dataSync()[0] > 4.8, `${w.dataSync()[0]}: updated from 5, not from 0.9`);
  o.dispose();
  w.dispose();
});
