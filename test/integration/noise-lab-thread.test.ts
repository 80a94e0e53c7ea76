// Noise previews and the embedding noise lab run in a worker thread (api/services/lab.ts): while one computes,
// the process that serves requests keeps answering, and errors keep their code and field.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServices, type Services } from '../../src-main/api/services';
import { WorkbenchError } from '../../src-main/errors';
import { tempDir } from '../helpers/tmp';

let s: Services;
before(async () => {
  s = await createServices({ dataDir: tempDir(), transport: 'http', emit: () => {} });
});
after(() => s.dispose());

const images = (n: number) => Array.from({ length: n }, (_, i) => ({ split: 'test' as const, index: i }));
const strip = [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7];

test('while a preview computes, another request is answered first (the preview does not hold the serving thread)', async () => {
  // Warm: the thread is started and MNIST loaded, so what follows is the preview's own compute.
  await s.handlers['noise.preview']({ dataset: 'mnist', images: images(2), selected: 0, noise: { type: 'gaussian', level: 'image', at: 'both' }, seed: 1 });
  const order: string[] = [];
  const preview = s.handlers['noise.preview']({ dataset: 'mnist', images: images(64), selected: 5, noise: { type: 'salt-pepper', level: 'image', at: 'both' }, seed: 2, strip })
    .then((p) => {
      order.push('preview');
      return p;
    });
  // Asked on the next turn of the event loop, after the preview has started: computed in this thread,
  // the preview (tfjs reads resolve as microtasks) would finish before this turn comes.
  const info = new Promise<void>((resolve, reject) => setImmediate(() => s.handlers['app.info']({}).then(() => (order.push('info'), resolve()), reject)));
  const [p] = await Promise.all([preview, info]);
  assert.deepEqual(order, ['info', 'preview']);
  assert.equal(p.strip?.length, 12, 'the preview itself is complete');
});

test('lab errors keep their code and field across the thread; the embedding lab answers from it too', async () => {
  const bad = s.handlers['noise.preview']({ dataset: 'mnist', images: images(4), selected: 9, noise: { type: 'gaussian', level: 'image', at: 'both' }, seed: 1 });
  await assert.rejects(bad, (e: unknown) => e instanceof WorkbenchError && e.code === 'invalid' && e.field === 'selected' && /selected image 9 is not in the batch of 4/.test(e.message));
  await assert.rejects(s.handlers['noise.preview']({ dataset: 'nope', images: images(1), selected: 0, noise: { type: 'none', level: 'image', at: 'both' }, seed: 1 }), (e: unknown) => e instanceof WorkbenchError && e.code === 'not-found');
  const emb = await s.handlers['noise.embedding']({ model: { preset: 'mnist-cnn', seed: 1 }, dataset: 'mnist', images: images(4), site: { stage: 1, block: 1 }, noise: { type: 'gaussian', level: 'embedding', at: 'both' }, seed: 3, selected: 1 });
  assert.equal(emb.tokenLabels.length, emb.tokenChange.length);
  assert.ok(emb.tokenChange.some((c) => c > 0));
});
