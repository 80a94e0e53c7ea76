// The Train view end to end, in browser mode: real trainer processes on tiny MNIST subsets, watched
// live through the app's events. Waits on readiness attributes, never on sleeps.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { tempDir } from '../helpers/tmp';
import { missingPrerequisite, openApp, screenshot, type Session } from './harness';

const skip = missingPrerequisite();
// Made at file level: tempDir() called inside before() would register its removal to run right after
// that hook, deleting the database under the running server (trainer processes then find no runs).
const dataDir = skip ? '' : tempDir('noisynn-train-e2e-');
let session: Session | undefined;
let page: Page;

before(async () => {
  if (skip) return;
  session = await openApp(dataDir, { viewport: { width: 1400, height: 1000 } });
  ({ page } = session);
  await page.getByTestId('nav-train').click();
  await page.locator('[data-testid="train-view"][data-ready="true"]').waitFor({ timeout: 60_000 });
});
// A page or console error fails the test that caused it.
afterEach(() => session?.assertNoPageErrors());
after(async () => {
  await session?.close();
});

/** Fills the small-run fields and waits until the main side has validated exactly this form. */
async function smallRun(o: { epochs: number; limitTrain: number; limitTest: number; seeds: string }): Promise<void> {
  await page.getByTestId('epochs').fill(String(o.epochs));
  await page.getByTestId('limit-train').fill(String(o.limitTrain));
  await page.getByTestId('limit-test').fill(String(o.limitTest));
  await page.getByTestId('batch-size').fill('32');
  await page.getByTestId('seeds').fill(o.seeds);
  await page.locator('[data-testid="config-problems"][data-checked="true"]').waitFor({ timeout: 30_000 });
}

const points = () => page.getByTestId('loss-chart').getAttribute('data-points').then(Number);

test('Train: a short MNIST run shows its curve growing live and completes', { skip }, async () => {
  assert.equal(await page.getByTestId('preset-select').inputValue(), 'mnist-vit', 'run presets come first');
  await page.waitForFunction(() => (document.querySelector('[data-testid="replicas"]') as HTMLInputElement | null)?.value === '2');
  assert.equal(await page.getByTestId('skip-first-token').isChecked(), true, 'class token skipped by default, as in the CLI and the API');
  await smallRun({ epochs: 2, limitTrain: 320, limitTest: 200, seeds: '7' });
  assert.equal(await page.getByTestId('config-problems').getAttribute('data-count'), '0');
  await page.locator('[data-testid="launch"]:enabled').click();

  // The first points arrive while the run is still going; later ones are drawn too.
  await page
    .locator('[data-testid="live-run"][data-status="running"] [data-testid="loss-chart"]:not([data-points="0"])')
    .waitFor({ timeout: 60_000 });
  const first = await points();
  await screenshot(page, 'train-live');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points')) > n, first, {
    timeout: 60_000,
  });

  await page.locator('[data-testid="live-run"][data-status="completed"]').waitFor({ timeout: 120_000 });
  const progress = page.getByTestId('progress');
  assert.equal(await progress.getAttribute('data-total'), '20', '320 images / batch 32 x 2 epochs');
  assert.equal(await progress.getAttribute('data-step'), '20');
  await page.waitForFunction(() => document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points') === '20', null, {
    timeout: 10_000,
  });
  assert.equal(await page.locator('[data-testid="epoch-table"] tbody tr').count(), 2, 'test top-1 per epoch');
  assert.match((await page.getByTestId('live-backend').textContent()) ?? '', /backend: \w+/);
  await screenshot(page, 'train-completed');
});

test('Train: an impossible noise site is explained before launch and blocks Launch', { skip }, async () => {
  await page.getByTestId('noise-type').selectOption('gaussian');
  await page.getByTestId('noise-level').selectOption('embedding');
  // Sites are chosen from the model's own (1-based labels, stored values); a site the model lacks comes only
  // from elsewhere (a saved form, a run of another model): it stays listed, marked, and validation explains it.
  await page.getByTestId('site-block').selectOption({ label: 'block 4 of 4' });
  assert.equal(await page.getByTestId('site-block').inputValue(), '3', 'the stored block stays 0-based');
  await page.evaluate(() => {
    const f = JSON.parse(localStorage.getItem('noisynn.train.form') ?? '{}');
    localStorage.setItem('noisynn.train.form', JSON.stringify({ ...f, site: { block: 11 } }));
  });
  await page.reload();
  await page.locator('[data-testid="train-view"][data-ready="true"]').waitFor({ timeout: 60_000 });
  assert.equal(
    await page.locator('[data-testid="site-block"] option:checked').textContent(),
    'block 12 (stored 11): not in this 4-block ViT',
  );
  const problems = page.locator('[data-testid="config-problems"][data-checked="true"]:not([data-count="0"])');
  await problems.waitFor({ timeout: 30_000 });
  assert.match((await problems.textContent()) ?? '', /block 11 does not exist: this ViT has 4 blocks/);
  assert.equal(await page.getByTestId('launch').isDisabled(), true);
  await screenshot(page, 'train-invalid');

  await page.getByTestId('site-block').selectOption('3');
  await page.locator('[data-testid="config-problems"][data-checked="true"][data-count="0"]').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('launch').isDisabled(), false);

  // Batch-mixing noise during training with the preset's two replicas: explained, fixed by one replica.
  await page.getByTestId('noise-type').selectOption('linear-optimal');
  await page.getByTestId('noise-at').selectOption('both');
  await problems.waitFor({ timeout: 30_000 });
  assert.match((await problems.textContent()) ?? '', /replicas must be 1 when linear-optimal noise is active during training/);
  await page.getByTestId('replicas').fill('1');
  await page.locator('[data-testid="config-problems"][data-checked="true"][data-count="0"]').waitFor({ timeout: 30_000 });
  await page.getByTestId('noise-type').selectOption('gaussian');
  await page.getByTestId('replicas').fill('2');
});

test('Train: problems name the field as the form does ("learning rate"), the config path in the tooltip', { skip }, async () => {
  await page.getByTestId('nav-train').click();
  const lr = page.getByTestId('lr');
  await lr.waitFor();
  const before = await lr.inputValue();
  await lr.fill('0');
  const problems = page.locator('[data-testid="config-problems"][data-checked="true"]:not([data-count="0"])');
  await problems.waitFor({ timeout: 30_000 });
  assert.match((await problems.textContent()) ?? '', /learning rate must be/);
  assert.match((await problems.locator('li').first().getAttribute('title')) ?? '', /optimizer\.lr must be/);
  await lr.fill(before);
  await page.locator('[data-testid="config-problems"][data-checked="true"][data-count="0"]').waitFor({ timeout: 30_000 });
});

test('Train: a 2x2 sweep (noise type x seed) queues 4 runs and all complete', { skip }, async () => {
  await smallRun({ epochs: 1, limitTrain: 160, limitTest: 100, seeds: '1' });
  // Salt-and-pepper in training takes its extremes over the whole batch: one replica.
  await page.getByTestId('replicas').fill('1');
  await page.getByTestId('sweep-path-0').fill('noise.type');
  await page.getByTestId('sweep-values-0').fill('gaussian, salt-pepper');
  await page.getByTestId('sweep-add-row').click();
  await page.getByTestId('sweep-path-1').fill('seed');
  await page.getByTestId('sweep-values-1').fill('1, 2');
  await page.getByTestId('sweep-mode').selectOption('grid');
  await page.locator('[data-testid="sweep-count"]', { hasText: /^4$/ }).waitFor();

  const before = await page.getByTestId('launched-item').count();
  await page.locator('[data-testid="sweep-launch"]:enabled').click({ timeout: 30_000 });
  await page.locator(`[data-testid="launched"][data-count="${before + 4}"]`).waitFor({ timeout: 30_000 });
  // One trainer at a time: right after the launch the queue holds all four (running or queued).
  await page.locator('[data-testid="queue"][data-count="4"]').waitFor({ timeout: 30_000 });
  assert.equal((await page.locator('[data-testid="queue-item"][data-status="queued"]').count()) >= 3, true);
  await screenshot(page, 'train-sweep-queued');

  const ids = (await page.getByTestId('launched-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')))).slice(0, 4);
  // Each run of the sweep is named after its swept values, here and in the queue.
  for (const id of ids) {
    await page
      .locator(`[data-testid="launched-item"][data-run-id="${id}"]`, { hasText: /· type=(gaussian|salt-pepper) · seed=[12]/ })
      .waitFor();
  }
  for (const id of ids) {
    await page.locator(`[data-testid="launched-item"][data-run-id="${id}"][data-status="completed"]`).waitFor({ timeout: 180_000 });
  }
  await page.locator('[data-testid="queue"][data-count="0"]').waitFor();
  await screenshot(page, 'train-sweep-completed');
});

test('Train: concurrency is set through the queue, within 1..4', { skip }, async () => {
  const input = page.getByTestId('concurrency');
  await input.fill('2');
  await input.press('Tab');
  await page.locator('[data-testid="queue"][data-concurrency="2"]').waitFor({ timeout: 10_000 });
  await input.fill('1');
  await input.press('Tab');
  await page.locator('[data-testid="queue"][data-concurrency="1"]').waitFor({ timeout: 10_000 });
});
