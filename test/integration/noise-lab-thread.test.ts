// Noise previews and the embedding noise lab run in a worker thread (api/services/lab.ts): while one computes,
// the process that serves requests keeps answering, errors keep their code and field, and a thread that dies is
// replaced by the next request.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createServices, type Services } from '../../src-main/api/services';
import { NoiseLab } from '../../src-main/api/services/lab';
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
  await s.handlers['noise.preview']({
    dataset: 'mnist',
    images: images(2),
    selected: 0,
    noise: { type: 'gaussian', level: 'image', at: 'both' },
    seed: 1,
  });
  const order: string[] = [];
  const preview = s.handlers['noise.preview']({
    dataset: 'mnist',
    images: images(64),
    selected: 5,
    noise: { type: 'salt-pepper', level: 'image', at: 'both' },
    seed: 2,
    strip,
  }).then((p) => {
    order.push('preview');
    return p;
  });
  // Asked on the next turn of the event loop, after the preview has started: computed in this thread,
  // the preview (tfjs reads resolve as microtasks) would finish before this turn comes.
  const info = new Promise<void>((resolve, reject) =>
    setImmediate(() => s.handlers['app.info']({}).then(() => (order.push('info'), resolve()), reject)),
  );
  const [p] = await Promise.all([preview, info]);
  assert.deepEqual(order, ['info', 'preview']);
  assert.equal(p.strip?.length, 12, 'the preview itself is complete');
});

test('lab errors keep their code and field across the thread; the embedding lab answers from it too', async () => {
  const bad = s.handlers['noise.preview']({
    dataset: 'mnist',
    images: images(4),
    selected: 9,
    noise: { type: 'gaussian', level: 'image', at: 'both' },
    seed: 1,
  });
  await assert.rejects(
    bad,
    (e: unknown) =>
      e instanceof WorkbenchError &&
      e.code === 'invalid' &&
      e.field === 'selected' &&
      /selected image 9 is not in the batch of 4/.test(e.message),
  );
  await assert.rejects(
    s.handlers['noise.preview']({
      dataset: 'nope',
      images: images(1),
      selected: 0,
      noise: { type: 'none', level: 'image', at: 'both' },
      seed: 1,
    }),
    (e: unknown) => e instanceof WorkbenchError && e.code === 'not-found',
  );
  const emb = await s.handlers['noise.embedding']({
    model: { preset: 'mnist-cnn', seed: 1 },
    dataset: 'mnist',
    images: images(4),
    site: { stage: 1, block: 1 },
    noise: { type: 'gaussian', level: 'embedding', at: 'both' },
    seed: 3,
    selected: 1,
  });
  assert.equal(emb.tokenLabels.length, emb.tokenChange.length);
  assert.ok(emb.tokenChange.some((c) => c > 0));
});

test('a lab thread that dies fails its pending requests with a reason; the next request starts a new thread', async () => {
  const lab = new NoiseLab(tempDir(), 'auto', join(import.meta.dirname, '..', 'helpers', 'lab-stand-in.ts'));
  try {
    const ask = (seed: number) =>
      lab.call('noise.preview', {
        dataset: 'mnist',
        images: images(1),
        selected: 0,
        noise: { type: 'none', level: 'image', at: 'both' },
        seed,
      }) as unknown as Promise<{ threadId: number; seed: number }>;
    const first = await ask(1);
    assert.equal(first.seed, 1);
    const dying = ask(666);
    const queued = ask(2); // sent to the same thread before it died
    await assert.rejects(dying, /the noise lab thread ended \(exit code 3\)/);
    await assert.rejects(queued, /the noise lab thread ended \(exit code 3\)/);
    const next = await ask(3);
    assert.equal(next.seed, 3);
    assert.notEqual(next.threadId, first.threadId, 'a new thread');
  } finally {
    await lab.dispose();
  }
});
