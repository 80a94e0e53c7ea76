// The class-token default through the API, and the embedding noise lab for the ViT presets on MNIST.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServices, type Services } from '../../src-main/api/services';
import { tempDir } from '../helpers/tmp';

let s: Services;
before(async () => {
  s = await createServices({ dataDir: tempDir(), transport: 'http', emit: () => {} });
});
after(() => s.dispose());

const noise = { type: 'gaussian' as const, strength: 0.5, level: 'embedding' as const, at: 'both' as const };

test('API: the resolved (and stored) ViT config skips the class token unless told otherwise', async () => {
  const given = async (n: object, preset = 'mnist-vit') =>
    ((await s.handlers['runs.validate']({ config: { preset, noise: n } })).config as { noise: { skipFirstToken?: boolean } }).noise;
  assert.equal((await given(noise)).skipFirstToken, true);
  assert.equal((await given({ ...noise, skipFirstToken: false })).skipFirstToken, false);
  assert.equal((await given({ ...noise, site: { stage: 2, block: 1 } }, 'mnist-cnn')).skipFirstToken, undefined);
});

test('embedding noise lab: class token skipped by default, noised when asked', async () => {
  const req = {
    model: { preset: 'mnist-vit', seed: 1 },
    dataset: 'mnist',
    images: [
      { split: 'test' as const, index: 0 },
      { split: 'test' as const, index: 1 },
    ],
    site: { block: 1 },
    noise,
    seed: 5,
    selected: 0,
  };
  assert.equal((await s.handlers['noise.embedding'](req)).tokenChange[0], 0);
  assert.ok((await s.handlers['noise.embedding']({ ...req, noise: { ...noise, skipFirstToken: false } })).tokenChange[0] > 0);
});

// vit-base and vit-large take the same path (test/unit/defaults.test.ts checks the decision for every preset);
// their forward passes at 224 cost 20+ s here.
for (const [preset, images] of [
  ['vit-tiny', 2],
  ['vit-small', 1],
] as const) {
  test(`embedding noise lab: ${preset} (patch 16) on 28x28 MNIST runs at its 224x224x3 input and says so`, async () => {
    const r = await s.handlers['noise.embedding']({
      model: { preset, seed: 1 },
      dataset: 'mnist',
      images: Array.from({ length: images }, (_, i) => ({ split: 'test' as const, index: i })),
      site: { block: 11 },
      noise,
      seed: 5,
      selected: 0,
    });
    assert.equal(r.before.rows, 197, '196 patch tokens + cls');
    assert.equal(r.tokenLabels[0], 'cls');
    assert.equal(r.tokenChange[0], 0);
    assert.match(r.modelLabel, /resized 28x28x1 -> 224x224x3 \(the preset's input/);
  });
}
