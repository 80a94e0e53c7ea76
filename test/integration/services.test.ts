// The API services over real MNIST and a real SQLite store, called as every transport calls them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServices, type Services } from '../../src-main/api/services';
import { API_METHODS, type NoiseSpecDto } from '../../src-main/api/contract';
import { tempDir } from '../helpers/tmp';

let s: Services;
const events: string[] = [];
before(async () => {
  s = await createServices({ dataDir: tempDir(), transport: 'http', emit: (e) => events.push(e) });
});
after(() => s.dispose());

const batch = Array.from({ length: 8 }, (_, i) => ({ split: 'test' as const, index: i }));
const spec = (type: NoiseSpecDto['type'], extra: Partial<NoiseSpecDto> = {}): NoiseSpecDto => ({
  type,
  level: 'image',
  at: 'both',
  ...extra,
});

test('every contract method has a handler, and every handler is in the contract', () => {
  assert.deepEqual(Object.keys(s.handlers).sort(), [...API_METHODS].sort());
});

test('datasets: MNIST is registered on first start with 10 classes and 70,000 images', async () => {
  const list = await s.handlers['datasets.list']({});
  const mnist = list.find((d) => d.name === 'mnist')!;
  assert.equal(mnist.classNames.length, 10);
  assert.equal(mnist.counts.train + mnist.counts.test, 70000);
  const all = await s.handlers['datasets.images']({ dataset: 'mnist', split: 'all', offset: 69990, limit: 100 });
  assert.equal(all.total, 70000);
  assert.equal(all.items.length, 10);
  assert.deepEqual(all.items.at(-1), { split: 'test', index: 9999, label: all.items.at(-1)!.label });
  const sevens = await s.handlers['datasets.images']({ dataset: 'mnist', split: 'test', classes: [7], offset: 0, limit: 5000 });
  assert.equal(sevens.total, 1028);
  assert.ok(sevens.items.every((i) => i.label === 7));
  const img = await s.handlers['datasets.image']({ dataset: 'mnist', split: 'train', index: 0 });
  assert.equal(img.label, 5);
  assert.equal(Buffer.from(img.pixels.data, 'base64').length, 784);
  assert.equal(img.stats.min, 0);
  assert.equal(img.stats.max, 255);
  await assert.rejects(
    s.handlers['datasets.image']({ dataset: 'mnist', split: 'test', index: 10000 }),
    /out of range: mnist test has 10000 images/,
  );
});

test('noise preview: every type renders; seeds reproduce; mixing weights are the row of I + Q', async () => {
  for (const t of ['linear-shift', 'linear-optimal', 'gaussian', 'salt-pepper'] as const) {
    const p = await s.handlers['noise.preview']({ dataset: 'mnist', images: batch, selected: 2, noise: spec(t), seed: 7 });
    assert.ok(p.psnr > 0 && Number.isFinite(p.psnr), `${t} psnr ${p.psnr}`);
    assert.ok(p.ssim < 1, `${t} ssim ${p.ssim}`);
    assert.equal(p.difference.rows, 28);
    assert.ok(p.difference.max > 0);
  }
  const g1 = await s.handlers['noise.preview']({
    dataset: 'mnist',
    images: batch,
    selected: 0,
    noise: spec('gaussian', { strength: 0.5 }),
    seed: 3,
  });
  const g2 = await s.handlers['noise.preview']({
    dataset: 'mnist',
    images: batch,
    selected: 0,
    noise: spec('gaussian', { strength: 0.5 }),
    seed: 3,
  });
  const g3 = await s.handlers['noise.preview']({
    dataset: 'mnist',
    images: batch,
    selected: 0,
    noise: spec('gaussian', { strength: 0.5 }),
    seed: 4,
  });
  assert.equal(g1.noisy.data, g2.noisy.data);
  assert.notEqual(g1.noisy.data, g3.noisy.data);
  const shift = await s.handlers['noise.preview']({
    dataset: 'mnist',
    images: batch,
    selected: 7,
    noise: spec('linear-shift', { alpha: 0.3 }),
    seed: 1,
  });
  assert.deepEqual(
    shift.mixing!.map((m) => [m.position, Number(m.weight.toFixed(6))]),
    [
      [0, 0.3],
      [7, 0.7],
    ],
  );
  const opt = await s.handlers['noise.preview']({ dataset: 'mnist', images: batch, selected: 1, noise: spec('linear-optimal'), seed: 1 });
  assert.equal(opt.mixing!.length, 8);
  assert.ok(Math.abs(opt.mixing!.reduce((a, m) => a + m.weight, 0) - 1) < 1e-12);
  assert.ok(Math.abs(opt.logDet! - -Math.log(9 / 9 ** 8)) < 1e-9);
  const single = await s.handlers['noise.preview']({
    dataset: 'mnist',
    images: batch.slice(0, 1),
    selected: 0,
    noise: spec('linear-optimal'),
    seed: 1,
  });
  assert.equal(single.psnr, Infinity, 'batch of 1: the optimal mix is the identity');
  const strip = await s.handlers['noise.preview']({
    dataset: 'mnist',
    images: batch,
    selected: 0,
    noise: spec('salt-pepper'),
    seed: 1,
    strip: [0.01, 0.05, 0.1, 0.2, 0.3],
  });
  assert.equal(strip.strip!.length, 5);
  for (let i = 1; i < 5; i++) assert.ok(strip.strip![i].psnr < strip.strip![i - 1].psnr, 'more noise, lower PSNR');
  await assert.rejects(
    s.handlers['noise.preview']({ dataset: 'mnist', images: batch, selected: 0, noise: spec('linear-shift', { alpha: 2 }), seed: 1 }),
    /alpha/,
  );
});

test('embedding noise: ViT block site, class token untouched; ResNet stage site; bad sites are explained', async () => {
  const vit = await s.handlers['noise.embedding']({
    model: { preset: 'mnist-vit', seed: 1 },
    dataset: 'mnist',
    images: batch,
    site: { block: 1 },
    noise: { type: 'gaussian', strength: 0.5, level: 'embedding', at: 'both' },
    seed: 5,
    selected: 3,
  });
  assert.deepEqual([vit.before.rows, vit.before.cols], [17, 64]);
  assert.equal(vit.tokenLabels[0], 'cls');
  assert.equal(vit.tokenChange[0], 0);
  assert.ok(vit.tokenChange.slice(1).every((c) => c > 0));
  const cnn = await s.handlers['noise.embedding']({
    model: { preset: 'mnist-cnn', seed: 1 },
    dataset: 'mnist',
    images: batch,
    site: { stage: 2, block: 1 },
    noise: { type: 'linear-optimal', level: 'embedding', at: 'both' },
    seed: 5,
    selected: 0,
  });
  assert.deepEqual([cnn.before.rows, cnn.before.cols], [14 * 14, 16]);
  await assert.rejects(
    s.handlers['noise.embedding']({
      model: { preset: 'mnist-vit' },
      dataset: 'mnist',
      images: batch,
      site: { block: 11 },
      noise: { type: 'gaussian', level: 'embedding', at: 'both' },
      seed: 5,
      selected: 0,
    }),
    /block 11 does not exist/,
  );
});
