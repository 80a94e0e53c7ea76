// The image noise lab's honesty about what it draws: a batch the split's end cuts short is said, not
// hidden; float-level differences stay black under the noise floor; a fixed colour range compares noise
// types by eye; the batch field stops where the server does. Real server, real MNIST, Chromium.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { MAX_LAB_BATCH } from '../../src-main/api/contract';
import { missingPrerequisite, openApp, screenshot, type Session } from './harness';

const skip = missingPrerequisite();
let session: Session | undefined;
let page: Page;

before(async () => {
  if (skip) return;
  session = await openApp(undefined, { viewport: { width: 1400, height: 900 } });
  ({ page } = session);
  await page.goto(`${session.app.origin}/#/noise-images`);
  await page.getByTestId('noise-lab').waitFor();
  // The first preview: the dataset list is in, so the batch fields clamp against the real split sizes.
  await page.getByTestId('noise-ready').waitFor({ timeout: 60_000 });
});
afterEach(() => session?.assertNoPageErrors());
after(async () => {
  await session?.close();
});

const ready = (type: string) => page.locator(`[data-testid="noise-ready"][data-noise-type="${type}"]`).waitFor({ timeout: 60_000 });

/** Non-black pixels of the drawn difference canvas (black = unchanged on the inferno map). */
const litPixels = () =>
  page.getByTestId('diff-canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 12) n++;
    return n;
  });

test('Noise lab: start 59999 with k = 8 says the batch is 1 image and that linear-optimal is then the identity', { skip }, async () => {
  const split = page.locator('fieldset.batch select').nth(1);
  await split.selectOption('train');
  await page.getByTestId('noise-type').selectOption('linear-optimal');
  await page.locator('fieldset.batch label:has-text("start") input').fill('59999');
  await page.locator('fieldset.batch label:has-text("start") input').dispatchEvent('change');
  await page.getByTestId('batch-size').fill('8');
  await ready('linear-optimal');
  const notice = page.getByTestId('batch-clamped');
  await notice.waitFor();
  assert.equal(await notice.getAttribute('data-used'), '1');
  assert.match(await notice.innerText(), /batch is 1 image: linear-optimal is the identity \(not 8: train ends at image 59999\)/);
  assert.equal(await page.getByTestId('batch-size').inputValue(), '8', 'the field keeps what was typed; the notice says what is used');
  assert.equal(await litPixels(), 0, 'the identity draws no difference');
  await screenshot(page, 'noise-lab-batch-clamped');

  // A full batch again: no notice.
  await page.locator('fieldset.batch label:has-text("start") input').fill('100');
  await page.locator('fieldset.batch label:has-text("start") input').dispatchEvent('change');
  await ready('linear-optimal');
  await notice.waitFor({ state: 'detached' });
});

test('Noise lab: differences at float round-off (strength 1e-7) are drawn black under the noise floor', { skip }, async () => {
  await page.getByTestId('noise-type').selectOption('gaussian');
  await page.locator('label:has-text("strength s") input[type="number"]').fill('1e-7');
  await page.locator('[data-testid="diff-canvas"][data-above-floor="0"]').waitFor({ timeout: 60_000 });
  await ready('gaussian');
  assert.equal(await litPixels(), 0, 'no bright pixel for a 1e-7 difference');
  assert.match(
    (await page.getByTestId('diff-below-floor').textContent()) ?? '',
    /No difference above the noise floor \(largest \d\.\de-7: float round-off\)/,
  );
  // A floor of 0 shows them again: the floor is what hides them.
  await page.getByTestId('diff-floor').fill('0');
  await page.locator('[data-testid="diff-canvas"]:not([data-above-floor="0"])').waitFor();
  assert.ok((await litPixels()) > 0);
  await page.getByTestId('diff-floor').fill('0.00001');
  await page.locator('[data-testid="diff-canvas"][data-above-floor="0"]').waitFor();
});

test('Noise lab: a fixed colour range keeps the same scale across noise types; auto follows each image', { skip }, async () => {
  await page.locator('label:has-text("strength s") input[type="number"]').fill('0.5');
  await ready('gaussian');
  const autoTop = Number(await page.getByTestId('diff-canvas').getAttribute('data-scale-top'));
  assert.ok(autoTop > 0.1 && autoTop !== 2, `auto: the image's max (${autoTop})`);
  await page.getByTestId('diff-scale-mode').selectOption('fixed');
  await page.getByTestId('diff-scale-max').fill('2');
  await page.locator('[data-testid="diff-canvas"][data-scale-top="2"]').waitFor();
  assert.match((await page.getByTestId('diff-scale-top').textContent()) ?? '', /^2\.00 \(fixed\)$/);
  await page.getByTestId('noise-type').selectOption('salt-pepper');
  await ready('salt-pepper');
  assert.equal(await page.getByTestId('diff-canvas').getAttribute('data-scale-top'), '2', 'salt-and-pepper on the same scale');
  await screenshot(page, 'noise-lab-fixed-scale');
  await page.getByTestId('diff-scale-mode').selectOption('auto');
  await page.locator('[data-testid="diff-canvas"]:not([data-scale-top="2"])').waitFor();
});

test('Noise lab: the batch field stops at the server limit, which accepts that many images and refuses one more', { skip }, async () => {
  assert.equal(await page.getByTestId('batch-size').getAttribute('max'), String(MAX_LAB_BATCH));
  const call = (n: number) =>
    fetch(`${session!.app.origin}/api/noise.preview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-noisynn-token': session!.app.token },
      body: JSON.stringify({
        dataset: 'mnist',
        images: Array.from({ length: n }, (_, i) => ({ split: 'test', index: i })),
        selected: 0,
        noise: { type: 'linear-optimal', level: 'image', at: 'both' },
        seed: 1,
      }),
    });
  assert.equal((await call(MAX_LAB_BATCH)).status, 200);
  const over = await call(MAX_LAB_BATCH + 1);
  assert.equal(over.status, 422);
  assert.match(((await over.json()) as { error: { message: string } }).error.message, new RegExp(`1 to ${MAX_LAB_BATCH} images`));
  // Typing more than the limit is clamped to it on change.
  await page.getByTestId('batch-size').fill(String(MAX_LAB_BATCH + 100));
  await page.getByTestId('batch-size').dispatchEvent('change');
  assert.equal(await page.getByTestId('batch-size').inputValue(), String(MAX_LAB_BATCH));
  await page.getByTestId('batch-size').fill('8');
  await page.getByTestId('batch-size').dispatchEvent('change');
});

const optionLabels = (testid: string) =>
  page.locator(`[data-testid="${testid}"] option`).evaluateAll((els) => els.map((e) => e.textContent?.trim()));
const chosen = (testid: string) => page.locator(`[data-testid="${testid}"] option:checked`).textContent();

test(
  'Sites are numbered from 1 for ViT blocks and ResNet stages alike, in the embedding lab, the inspector and the Train form',
  { skip },
  async () => {
    // Embedding lab, mnist-vit (4 blocks): the stored block 3 reads "block 4 of 4"; the -1 site is the extension.
    await page.goto(`${session!.app.origin}/#/noise-embeddings`);
    await page.getByTestId('embedding-lab').waitFor();
    await page.getByTestId('lab-site-block').waitFor();
    assert.deepEqual(await optionLabels('lab-site-block'), [
      'after patch embedding (extension, not official)',
      'block 1 of 4',
      'block 2 of 4',
      'block 3 of 4',
      'block 4 of 4',
    ]);
    assert.equal(await chosen('lab-site-block'), 'block 4 of 4');
    assert.equal(await page.getByTestId('lab-site-block').inputValue(), '3', 'the stored value stays 0-based');
    await page.getByTestId('lab-site-block').selectOption('-1');
    await page.getByTestId('site-extension').waitFor();
    assert.match(
      (await page.getByTestId('site-extension').textContent()) ?? '',
      /after patch embedding \(extension, not official\) \(stored as block −1\)/,
    );

    // The ResNet the same way: stage s of S, block b of B.
    await page.locator('[data-testid="embedding-lab"] select:has(option[value="mnist-cnn"])').selectOption('mnist-cnn');
    await page.getByTestId('lab-site-stage').waitFor();
    assert.deepEqual(await optionLabels('lab-site-stage'), ['stage 1 of 3', 'stage 2 of 3', 'stage 3 of 3']);
    assert.deepEqual(await optionLabels('lab-site-block'), ['block 1 of 1']);
    await screenshot(page, 'embedding-lab-site-resnet');
    await page.locator('[data-testid="embedding-lab"] select:has(option[value="mnist-cnn"])').selectOption('mnist-vit');
    await page.getByTestId('lab-site-block').selectOption('3');

    // The embedding inspector's picker is the same component.
    await page.goto(`${session!.app.origin}/#/embeddings`);
    await page.getByTestId('emb-site-block').waitFor();
    assert.deepEqual((await optionLabels('emb-site-block')).slice(1), ['block 1 of 4', 'block 2 of 4', 'block 3 of 4', 'block 4 of 4']);

    // The Train form: the same labels, and a note saying how they count.
    await page.goto(`${session!.app.origin}/#/train`);
    await page.locator('[data-testid="train-view"][data-ready="true"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('noise-type').selectOption('gaussian');
    await page.getByTestId('noise-level').selectOption('embedding');
    assert.deepEqual((await optionLabels('site-block')).slice(1), ['block 1 of 4', 'block 2 of 4', 'block 3 of 4', 'block 4 of 4']);
    assert.match((await page.getByTestId('site-numbering').textContent()) ?? '', /blocks and stages count from 1/);
    await page.getByTestId('preset-select').selectOption('mnist-cnn');
    await page.getByTestId('site-stage').waitFor();
    assert.deepEqual(await optionLabels('site-stage'), ['stage 1 of 3', 'stage 2 of 3', 'stage 3 of 3']);
    assert.equal(await chosen('site-stage'), 'stage 3 of 3', 'mnist-cnn noises stage 3 block 1 by default');
    assert.equal(await chosen('site-block'), 'block 1 of 1');
    await screenshot(page, 'train-site-resnet');
  },
);
