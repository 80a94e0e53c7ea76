// Browser mode end to end: the built renderer served by `noisynn serve`, in Debian's Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { missingPrerequisite, openApp, screenshot, type App, type Session } from './harness';

const skip = missingPrerequisite();
let session: Session | undefined;
let app: App;
let page: Page;

before(async () => {
  if (skip) return;
  session = await openApp(undefined, { viewport: { width: 1400, height: 900 } });
  ({ app, page } = session);
});
after(async () => {
  await session?.close();
});

test('Datasets: MNIST with 10 classes and 70,000 images, grid scrolls to the end, class filter', { skip }, async () => {
  await page.locator('[data-testid="datasets-ready"]').waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('dataset-item').count(), 2, 'MNIST and Fashion-MNIST are embedded');
  assert.equal(await page.getByTestId('dataset-name').textContent(), 'mnist', 'MNIST is selected first');
  assert.equal(await page.getByTestId('dataset-classes').textContent(), '10');
  assert.equal(await page.getByTestId('dataset-total').textContent(), '70,000');
  await page.locator('[data-testid="class-chart"][data-ready="true"]').waitFor();
  await page.locator('[data-testid="thumb"][data-loaded="true"]').first().waitFor();
  await screenshot(page, 'datasets');

  // Scroll the virtualised grid to its very end: the last test image appears and is drawn.
  await page.getByTestId('grid-scroller').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await page.locator('[data-testid="thumb"][data-split="test"][data-index="9999"][data-loaded="true"]').waitFor();
  const cells = await page.locator('[data-testid="thumb"], [data-testid="thumb-pending"]').count();
  assert.ok(cells < 400, `only visible cells are in the page (${cells})`);
  await screenshot(page, 'datasets-end');

  // Class filter: only 3s, train + test.
  await page.getByTestId('class-chip-3').click();
  await page.locator('[data-testid="grid-count"]', { hasText: '7,141 images' }).waitFor();
  await page.locator('[data-testid="thumb"][data-loaded="true"]').first().waitFor();
  const labels = await page.locator('[data-testid="thumb"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));
  assert.ok(labels.length > 0 && labels.every((l) => l === '3'), `labels ${[...new Set(labels)]}`);

  // The detail panel of an image.
  await page.locator('[data-testid="thumb"][data-loaded="true"]').first().click();
  await page.locator('[data-testid="image-detail"][data-loaded="true"]').waitFor();
  assert.match((await page.getByTestId('image-detail').textContent()) ?? '', /28\s*[x×]\s*28/);
  await screenshot(page, 'datasets-filter-detail');
});

test('Noise lab (images): clean, noisy and difference for every noise type, with PSNR', { skip }, async () => {
  await page.getByTestId('nav-noise-images').click();
  await page.getByTestId('noise-lab').waitFor();
  for (const type of ['gaussian', 'salt-pepper', 'linear-shift', 'linear-optimal']) {
    await page.getByTestId('noise-type').selectOption(type);
    await page.locator(`[data-testid="noise-ready"][data-noise-type="${type}"]`).waitFor({ timeout: 30_000 });
    for (const c of ['clean-canvas', 'noisy-canvas', 'diff-canvas']) assert.ok(await page.getByTestId(c).isVisible(), `${type}: ${c}`);
    const psnr = (await page.getByTestId('psnr').textContent())!.trim();
    assert.match(psnr, /^\d+\.\d{2}/, `${type}: PSNR shown (${psnr})`);
    if (type.startsWith('linear')) await page.getByTestId('mixing-table').waitFor();
    await screenshot(page, `noise-lab-${type}`);
  }
});

test('Noise lab (embeddings): token x channel heatmaps before and after, per-token change', { skip }, async () => {
  await page.getByTestId('nav-noise-embeddings').click();
  await page.getByTestId('embedding-lab').waitFor();
  await page.locator('[data-testid="embedding-ready"]').waitFor({ timeout: 60_000 });
  for (const id of ['heatmap-before', 'heatmap-after', 'token-change']) assert.ok(await page.getByTestId(id).isVisible(), id);
  // The class token: skipped by default, as in the Train form, the CLI and the API; noised when unchecked.
  assert.equal(await page.getByTestId('lab-skip-class-token').isChecked(), true);
  assert.match((await page.getByTestId('cls-note').textContent()) ?? '', /skipped, as in the official code/);
  await screenshot(page, 'noise-lab-embeddings');
  await page.getByTestId('lab-skip-class-token').uncheck();
  await page.locator('[data-testid="cls-note"]', { hasText: 'noised too' }).waitFor({ timeout: 60_000 });
  await page.getByTestId('lab-skip-class-token').check();
});

test('Reproduction study page loads its table from the API (empty in a fresh data directory)', { skip }, async () => {
  await page.getByTestId('nav-study').click();
  await page.locator('[data-testid="study-view"][data-ready="true"]').waitFor({ timeout: 30_000 });
  assert.match((await page.getByTestId('study-view').textContent()) ?? '', /No runs of this study/);
});

test('the API refuses a request without the token, and one from another origin', { skip }, async () => {
  const call = (headers: Record<string, string>) => fetch(`${app.origin}/api/datasets.list`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
  assert.equal((await call({})).status, 401);
  assert.equal((await call({ 'x-noisynn-token': app.token, origin: 'http://evil.example' })).status, 403);
  const ok = await call({ 'x-noisynn-token': app.token });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('access-control-allow-origin'), null);
});
