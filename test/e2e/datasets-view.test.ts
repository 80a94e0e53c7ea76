// The Datasets view says what it did to odd data: an image of another size stretched, a class with no
// test image (and why), whole-number counts on a small chart, and adding the same folder twice.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { oddImageTree } from '../helpers/image-tree';
import { tempDir } from '../helpers/tmp';
import { missingPrerequisite, openApp, screenshot, type Session } from './harness';

const skip = missingPrerequisite();
const tree = join(tempDir('noisynn-e2e-odd-'), 'odd');
let session: Session | undefined;
let page: Page;

before(async () => {
  if (skip) return;
  await oddImageTree(tree);
  session = await openApp(undefined, { viewport: { width: 1400, height: 900 } });
  ({ page } = session);
  await page.locator('[data-testid="datasets-ready"]').waitFor({ timeout: 60_000 });
});
afterEach(() => session?.assertNoPageErrors());
after(async () => {
  await session?.close();
});

test('Datasets: a folder with a 20x48 image and a one-image class says both; the count axis has whole ticks', { skip }, async () => {
  await page.getByTestId('dataset-path').fill(tree);
  await page.getByTestId('dataset-add').click();
  await page.locator('[data-testid="dataset-name"]', { hasText: 'odd' }).waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('dataset-test').textContent(), '2');
  const note = (await page.getByTestId('dataset-note').textContent()) ?? '';
  assert.match(note, /1 of 11 images are not 32x32 \(e\.g\. b\/4\.png is 20x48\): stretched to 32x32 \(H x W\), aspect ratio not kept/);
  assert.match(note, /no test image for 'c': a class needs at least 2 images for the split to hold one out/);
  const chart = page.locator('[data-testid="class-chart"][data-ready="true"]');
  await chart.waitFor();
  const ticks = await chart.locator('.ytick text').evaluateAll((els) => els.map((e) => e.textContent));
  assert.ok(ticks.length >= 2 && ticks.every((t) => /^\d+$/.test(t ?? '')), `whole counts only: ${ticks.join(' ')}`);
  assert.equal(new Set(ticks).size, ticks.length, `no repeated tick: ${ticks.join(' ')}`);
  await screenshot(page, 'datasets-odd-folder');
});

test('Datasets: adding the same folder again says it is already registered, and adds nothing', { skip }, async () => {
  const before = await page.getByTestId('dataset-item').count();
  await page.getByTestId('dataset-path').fill(`${tree}/`);
  await page.getByTestId('dataset-add').click();
  const notice = page.getByTestId('dataset-add-notice');
  await notice.waitFor({ timeout: 60_000 });
  assert.match((await notice.textContent()) ?? '', /is already registered as odd: nothing was added/);
  assert.equal(await page.getByTestId('dataset-item').count(), before);
  assert.equal(await page.getByTestId('dataset-name').textContent(), 'odd');
});
