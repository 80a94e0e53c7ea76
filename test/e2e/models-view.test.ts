// The Models view end to end, in browser mode: import a timm folder by path (and a bad one), inspect what
// the import derived, pick the weights as a run's initial weights in the Train form, and delete them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { tempDir } from '../helpers/tmp';
import { missingPrerequisite, openApp, screenshot, type Session } from './harness';

const skip = missingPrerequisite();
const dataDir = skip ? '' : tempDir('noisynn-models-e2e-');
const FIXTURE = new URL('../fixtures/pretrained/vit-token', import.meta.url).pathname;
let session: Session | undefined;
let page: Page;

before(async () => {
  if (skip) return;
  session = await openApp(dataDir, { viewport: { width: 1300, height: 900 } });
  ({ page } = session);
  await page.getByTestId('nav-models').click();
  await page.getByTestId('models-ready').waitFor({ timeout: 60_000 });
});
after(async () => {
  await session?.close();
});

test('Models: a bad path is refused with the error; a timm folder imports and shows what was checked', { skip }, async () => {
  await page.getByTestId('weights-path').fill(`${FIXTURE}/config.json`);
  await page.getByTestId('weights-import').click();
  await page.getByTestId('weights-error').waitFor();
  assert.match((await page.getByTestId('weights-error').textContent()) ?? '', /needs --model PRESET/);
  assert.equal(await page.getByTestId('weights-item').count(), 0, 'nothing stored');

  await page.getByTestId('weights-path').fill(FIXTURE);
  await page.getByTestId('weights-name').fill('tiny-vit');
  await page.getByTestId('weights-import').click();
  await page.locator('[data-testid="weights-item"][data-name="tiny-vit"]').waitFor();
  assert.equal(await page.getByTestId('weights-title').textContent(), 'tiny-vit');
  assert.match((await page.getByTestId('weights-arch').textContent()) ?? '', /ViT dim 48, depth 2, heads 3, patch 8/);
  assert.match((await page.getByTestId('weights-input').textContent()) ?? '', /3×32×32, crop 0\.9/);
  await screenshot(page, 'models-imported');
});

test("Train: the imported weights are a run's initial weights, validated against the dataset", { skip }, async () => {
  await page.getByTestId('nav-train').click();
  await page.locator('[data-testid="train-view"][data-ready="true"]').waitFor({ timeout: 60_000 });
  await page.getByTestId('init-weights').selectOption('tiny-vit');
  await page.locator('[data-testid="config-problems"][data-checked="true"]').waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    () => /3-channel images/.test(document.querySelector('[data-testid="config-problems"]')?.textContent ?? ''),
    null,
    { timeout: 30_000 },
  );
  assert.equal(await page.getByTestId('launch').isDisabled(), true);
  await page.getByTestId('init-weights').selectOption('');
  await page.locator('[data-testid="config-problems"][data-count="0"][data-checked="true"]').waitFor({ timeout: 30_000 });
});

test('Models: delete removes the weights', { skip }, async () => {
  await page.getByTestId('nav-models').click();
  await page.locator('[data-testid="weights-item"][data-name="tiny-vit"]').click();
  await page.getByTestId('weights-delete').click();
  await page.locator('[data-testid="weights-item"]').first().waitFor({ state: 'detached' });
});
