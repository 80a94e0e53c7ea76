// The model presets are the published architectures: parameter counts equal timm's / torchvision's,
// and the ImageNet-stem ResNets and a ViT train (forward + gradients) on the wasm backend.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src-main/engine/backend';
import { MODEL_PRESETS, type ModelConfig } from '../../src-main/engine/config';
import { createModel, type BnStat } from '../../src-main/engine/models';

before(() => initBackend());

// Published counts at 1000 classes: timm vit_tiny_patch16_224 5,717,416; vit_small 22,050,664;
// torchvision resnet18 11,689,512, resnet34 21,797,672, resnet50 25,557,032.
const PUBLISHED: Record<string, number> = {
  'vit-tiny': 5_717_416,
  'vit-small': 22_050_664,
  resnet18: 11_689_512,
  resnet34: 21_797_672,
  resnet50: 25_557_032,
};

for (const [name, count] of Object.entries(PUBLISHED)) {
  test(`${name} has the published parameter count (${count.toLocaleString('en-US')})`, () => {
    const m = createModel(MODEL_PRESETS[name], 0);
    try {
      assert.equal(m.params.count(), count);
    } finally {
      m.dispose();
    }
  });
}

for (const name of ['resnet18', 'resnet50', 'vit-tiny'] as const) {
  test(`${name} trains at 32x32: logits [2, 10], a gradient for every parameter, no leaked tensors`, () => {
    const config = {
      ...MODEL_PRESETS[name],
      imageSize: 32,
      numClasses: 10,
      ...(name === 'vit-tiny' ? { patchSize: 8 } : {}),
    } as ModelConfig;
    const before = tf.memory().numTensors;
    const m = createModel(config, 1);
    try {
      const noise = { type: 'none' as const, level: 'embedding' as const, at: 'both' as const };
      const { loss, grads, shape, stats } = tf.tidy(() => {
        const x = tf.randomNormal([2, 32, 32, 3]) as tf.Tensor4D;
        const bnStats: BnStat[] = [];
        const { value, grads } = tf.variableGrads(
          () => tf.mean(m.forward(x, { training: true, noise, noiseSeed: 1, bnStats })) as tf.Scalar,
          [...m.params.trainable.values()],
        );
        for (const b of bnStats) tf.dispose([b.batchMean, b.batchVar]); // kept by the model for the optimizer step
        return {
          loss: value.dataSync()[0],
          grads: Object.keys(grads).length,
          shape: m.forward(x, { training: false, noise, noiseSeed: 1 }).shape,
          stats: bnStats.length,
        };
      });
      assert.deepEqual(shape, [2, 10]);
      assert.equal(grads, m.params.trainable.size);
      assert.ok(Number.isFinite(loss));
      assert.equal(stats > 0, config.kind === 'resnet', 'BatchNorm statistics are reported in training');
    } finally {
      m.dispose();
    }
    assert.equal(tf.memory().numTensors, before, 'every tensor of the step and of the model is gone');
  });
}

test('a model that cannot be built says why instead of failing on a tensor shape', () => {
  assert.throws(
    () => createModel({ ...MODEL_PRESETS['vit-tiny'], imageSize: 28, channels: 1, numClasses: 10 }, 1),
    /invalid model config \(vit, 28x28x1\): model\.patchSize 16 does not divide model\.imageSize 28/,
  );
});
