// Evaluation, embedding extraction and the noise lab on webgpu give what they give on cpu (noise drawn
// in JS from the same seed, batch-mixing noise included): real MNIST, small batches.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { embeddingNoise } from '../../src-main/api/services/embedding-noise';
import { noisePreview } from '../../src-main/api/services/noise-preview';
import type { Matrix } from '../../src-main/api/contract';
import { loadMnist } from '../../src-main/data/mnist';
import { initBackend } from '../../src-main/engine/backend';
import { MODEL_PRESETS } from '../../src-main/engine/config/presets';
import { extractEmbeddings } from '../../src-main/engine/embed/extract';
import { evaluate } from '../../src-main/engine/eval/evaluate';
import { createModel } from '../../src-main/engine/models';
import { openStore, type Store } from '../../src-main/store';
import { close } from '../helpers/arrays';
import { tempDir } from '../helpers/tmp';
import { webgpuSkip as skip } from '../helpers/webgpu';

const TOL = 1e-4;
const data = loadMnist();
let store: Store;

/** The same computation on cpu and on webgpu. */
async function both<T>(f: () => Promise<T>): Promise<{ cpu: T; gpu: T }> {
  await initBackend('cpu');
  const cpu = await f();
  await initBackend('webgpu');
  const gpu = await f();
  return { cpu, gpu };
}

const floats = (m: Matrix) => new Float32Array(new Uint8Array(Buffer.from(m.data, 'base64')).buffer);

before(() => {
  store = openStore(tempDir());
});
after(async () => {
  store.close();
  if (!skip) await initBackend('cpu');
});

test('evaluate under batch-mixing noise (sorted batches of 10) equals cpu', { skip }, async () => {
  const model = createModel(MODEL_PRESETS['mnist-vit'], 3);
  try {
    const opts = {
      protocol: 'sorted' as const,
      noise: { type: 'linear-optimal' as const, level: 'embedding' as const, at: 'eval' as const, site: { block: 3 } },
      testBatchSize: 10,
      seed: 4,
      limit: 20,
    };
    const { cpu, gpu } = await both(() => evaluate(model, data, opts));
    assert.equal(gpu.batchSize, 10);
    assert.equal(gpu.top1, cpu.top1);
    assert.ok(Math.abs(gpu.loss - cpu.loss) <= TOL * Math.abs(cpu.loss), `loss ${gpu.loss} vs ${cpu.loss}`);
  } finally {
    model.dispose();
  }
});

test('embedding extraction (ViT block 2, gaussian noise) equals cpu, clean and noisy rows', { skip }, async () => {
  const model = createModel(MODEL_PRESETS['mnist-vit'], 3);
  try {
    const o = {
      split: 'test' as const,
      site: { kind: 'vit' as const, block: 2, pool: 'cls' as const },
      noise: { type: 'gaussian' as const, strength: 0.5, level: 'embedding' as const, at: 'both' as const },
      protocol: 'standard' as const,
      batchSize: 10,
      seed: 2,
      limit: 20,
    };
    const { cpu, gpu } = await both(() => extractEmbeddings(model, data, o));
    close(gpu.clean, cpu.clean, 'clean rows', TOL);
    close(gpu.noisy!, cpu.noisy!, 'noisy rows', TOL);
    assert.deepEqual(Array.from(gpu.labels), Array.from(cpu.labels));
  } finally {
    model.dispose();
  }
});

test('noise lab: image noise preview and embedding noise equal cpu', { skip }, async () => {
  const images = Array.from({ length: 6 }, (_, i) => ({ split: 'test' as const, index: i }));
  for (const noise of [{ type: 'gaussian' as const, strength: 0.5 }, { type: 'linear-optimal' as const }]) {
    const req = { dataset: 'mnist', images, selected: 2, noise: { ...noise, level: 'image' as const, at: 'both' as const }, seed: 7 };
    const { cpu, gpu } = await both(() => noisePreview(data, req));
    close(floats(gpu.difference), floats(cpu.difference), `${noise.type} difference map`, TOL);
    assert.ok(Math.abs(gpu.ssim - cpu.ssim) <= TOL, `${noise.type} ssim ${gpu.ssim} vs ${cpu.ssim}`);
  }
  const req = {
    model: { preset: 'mnist-vit' as const, seed: 1 },
    dataset: 'mnist',
    images,
    site: { block: 1 },
    noise: { type: 'gaussian' as const, strength: 0.5, level: 'embedding' as const, at: 'both' as const },
    seed: 5,
    selected: 3,
  };
  const { cpu, gpu } = await both(() => embeddingNoise(store, data, req));
  close(floats(gpu.before), floats(cpu.before), 'embedding before the noise', TOL);
  close(floats(gpu.after), floats(cpu.after), 'embedding after the noise', TOL);
  close(gpu.tokenChange, cpu.tokenChange, 'token change', TOL);
  assert.equal(gpu.tokenChange[0], 0, 'class token untouched');
});
