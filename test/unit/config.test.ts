import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ConfigError,
  configProblems,
  fitToDataset,
  MODEL_PRESETS,
  runPreset,
  validateConfig,
  type RunConfig,
} from '../../src-main/engine/config';

const withNoise = (c: RunConfig, noise: Partial<RunConfig['noise']>): RunConfig => ({ ...c, noise: { ...c.noise, ...noise } });

test('run presets are valid as shipped', () => {
  for (const name of ['mnist-vit', 'mnist-cnn', 'noisyvit-official', 'noisycnn-official']) {
    const c = runPreset(name);
    if (name === 'noisycnn-official') {
      // The official CNN default (stage 4, block 3) only exists in ResNet-34/50, which this preset uses.
      assert.equal(c.model.kind === 'resnet' && c.model.layers[3], 3);
    }
    assert.deepEqual(configProblems(c), [], name);
  }
});

test('a ViT site beyond the last block is a clear error', () => {
  const c = withNoise(runPreset('mnist-vit'), { type: 'linear-optimal', at: 'eval', site: { block: 11 } });
  assert.throws(
    () => validateConfig(c),
    (e: Error) => e instanceof ConfigError && /block 11 does not exist: this ViT has 4 blocks/.test(e.message),
  );
  assert.deepEqual(configProblems(withNoise(c, { site: { block: 3 } })), []);
  assert.deepEqual(configProblems(withNoise(c, { site: { block: -1 } })), []);
  assert.match(configProblems(withNoise(c, { site: { block: -2 } })).join(), /does not exist/);
});

test('ResNet-18 rejects the official CNN default block 3 of stage 4 (its stages have 2 blocks)', () => {
  const c: RunConfig = {
    ...runPreset('mnist-cnn'),
    replicas: 1,
    model: { ...MODEL_PRESETS.resnet18 },
    noise: { type: 'linear-shift', alpha: 0.4, level: 'embedding', at: 'both', site: { stage: 4, block: 3 } },
  };
  const p = configProblems(c);
  assert.equal(p.length, 1);
  assert.match(p[0], /block 3 does not exist in stage 4: it has 2 blocks/);
  // The preset's two replicas cannot train with noise that mixes the batch: a second, separate problem.
  assert.match(configProblems({ ...c, replicas: 2 }).join('\n'), /replicas must be 1 when linear-shift noise is active during training/);
  assert.deepEqual(configProblems({ ...c, noise: { ...c.noise, site: { stage: 4, block: 2 } } }), []);
  assert.match(
    configProblems({ ...c, noise: { ...c.noise, site: { stage: 5, block: 1 } } }).join(),
    /stage 5 does not exist: this ResNet has 4 stages/,
  );
});

test('impossible model configs list every problem', () => {
  const c = runPreset('mnist-vit');
  const bad: RunConfig = { ...c, model: { ...c.model, kind: 'vit', patchSize: 5, heads: 3 } as RunConfig['model'], batchSize: 0 };
  const p = configProblems(bad);
  assert.ok(p.some((m) => /patchSize 5 does not divide model.imageSize 28/.test(m)));
  assert.ok(p.some((m) => /dim 64 is not divisible by model.heads 3/.test(m)));
  assert.ok(p.some((m) => /batchSize must be a positive integer/.test(m)));
});

test('noise parameters are validated through the noise registry', () => {
  const c = withNoise(runPreset('mnist-vit'), { type: 'linear-shift', alpha: 1.5 });
  assert.match(configProblems(c).join(), /alpha/);
  assert.deepEqual(
    configProblems(withNoise(runPreset('mnist-vit'), { type: 'gaussian', level: 'image', strength: 0.5, site: undefined })),
    [],
  );
});

test('fitToDataset takes the input shape and class count from the data', () => {
  const c = fitToDataset(runPreset('vit-tiny'), { shape: [32, 32, 3], classNames: Array.from({ length: 100 }, String) });
  assert.equal(c.model.imageSize, 32);
  assert.equal(c.model.numClasses, 100);
  assert.deepEqual(configProblems({ ...c, noise: { type: 'none', level: 'embedding', at: 'both' } }), []);
  const mnist = fitToDataset(runPreset('vit-tiny'), { shape: [28, 28, 1], classNames: Array.from({ length: 10 }, String) });
  assert.match(configProblems(mnist).join(), /patchSize 16 does not divide model.imageSize 28/);
});
