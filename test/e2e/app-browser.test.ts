// Browser mode end to end: the built renderer served by `noisynn serve`, in Debian's Chromium.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
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
// A page or console error fails the test that caused it.
afterEach(() => session?.assertNoPageErrors());
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

test(
  'Datasets: Fashion-MNIST class names are slanted, not overlapping; the legend sits above the bars; counts are whole',
  { skip },
  async () => {
    await page.getByTestId('nav-datasets').click();
    await page.locator('[data-testid="dataset-item"]', { hasText: 'fashion-mnist' }).click();
    await page.locator('[data-testid="dataset-name"]', { hasText: 'fashion-mnist' }).waitFor();
    const chart = page.locator('[data-testid="class-chart"][data-ready="true"]');
    await chart.waitFor();
    const layout = await chart.evaluate((el) => {
      const full = (
        el.querySelector('.js-plotly-plot') as unknown as {
          _fullLayout: { xaxis: { tickangle: number }; legend: { y: number; yanchor: string }; yaxis: { tickformat: string } };
        }
      )._fullLayout;
      return { angle: full.xaxis.tickangle, legendY: full.legend.y, anchor: full.legend.yanchor, fmt: full.yaxis.tickformat };
    });
    assert.equal(layout.angle, -35);
    assert.ok(layout.legendY >= 1 && layout.anchor === 'bottom', JSON.stringify(layout));
    assert.equal(layout.fmt, ',d');
    await page
      .locator('[data-testid="dataset-item"]', { hasText: /^\s*mnist/ })
      .first()
      .click();
    await page.locator('[data-testid="dataset-name"]', { hasText: /^mnist$/ }).waitFor();
  },
);

test('Datasets: the image grid is one tab stop; arrows, Home and End move inside it; Escape closes the detail', { skip }, async () => {
  await page.getByTestId('nav-datasets').click();
  await page.locator('[data-testid="thumb"][data-loaded="true"]').first().waitFor();
  if (await page.getByTestId('image-detail').isVisible()) await page.keyboard.press('Escape');
  await page.getByTestId('image-detail').waitFor({ state: 'detached' });
  const grid = page.getByTestId('grid-scroller');
  await grid.focus();
  // Tab leaves the grid at once, whatever the number of thumbnails in it.
  await page.keyboard.press('Tab');
  assert.equal(
    await page.evaluate(() => document.activeElement?.closest('[data-testid="grid-scroller"]') !== null),
    false,
    'Tab left the grid',
  );
  assert.equal(await page.locator('[data-testid="thumb"]:not([tabindex="-1"])').count(), 0, 'no thumbnail is a tab stop');
  await grid.focus();
  await page.keyboard.press('ArrowRight');
  await page.locator('[data-testid="thumb"][data-pos="0"][aria-selected="true"]').waitFor();
  await page.keyboard.press('ArrowRight');
  await page.locator('[data-testid="thumb"][data-pos="1"][aria-selected="true"]').waitFor();
  await page.locator('[data-testid="image-detail"][data-loaded="true"]').waitFor();
  assert.equal(await grid.getAttribute('aria-activedescendant'), 'thumb-1');
  await page.keyboard.press('Home');
  await page.locator('[data-testid="thumb"][data-pos="0"][aria-selected="true"]').waitFor();
  await page.keyboard.press('Escape');
  await page.getByTestId('image-detail').waitFor({ state: 'detached' });
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

test('Noise labs: "Train with this noise" opens the Train form with the noise, seed, site and model filled in', { skip }, async () => {
  await page.goto(`${session!.app.origin}/#/noise-embeddings`);
  await page.getByTestId('embedding-seed').waitFor();
  await page.locator('[data-testid="noise-type"]').selectOption('gaussian');
  await page.getByTestId('embedding-seed').fill('7');
  await page.locator('[data-testid="train-with-spec"]:enabled').click();
  await page.getByTestId('run-name').waitFor();
  assert.equal(await page.getByTestId('noise-type').inputValue(), 'gaussian');
  assert.equal(await page.getByTestId('noise-level').inputValue(), 'embedding');
  assert.equal(await page.getByTestId('seeds').inputValue(), '7');
  assert.equal(await page.getByTestId('site-block').inputValue(), '3');
  assert.equal(await page.getByTestId('preset-select').inputValue(), 'mnist-vit');

  await page.goto(`${session!.app.origin}/#/noise-images`);
  await page.getByTestId('noise-seed').waitFor();
  await page.locator('[data-testid="noise-type"]').selectOption('salt-pepper');
  await page.getByTestId('noise-seed').fill('11');
  await page.locator('[data-testid="train-with-spec"]:enabled').click();
  await page.getByTestId('run-name').waitFor();
  assert.equal(await page.getByTestId('noise-type').inputValue(), 'salt-pepper');
  assert.equal(await page.getByTestId('noise-level').inputValue(), 'image');
  assert.equal(await page.getByTestId('seeds').inputValue(), '11');
});

test('Reproduction study page loads its table from the API (empty in a fresh data directory)', { skip }, async () => {
  await page.getByTestId('nav-study').click();
  await page.locator('[data-testid="study-view"][data-ready="true"]').waitFor({ timeout: 30_000 });
  assert.match((await page.getByTestId('study-view').textContent()) ?? '', /No runs of this study/);
});

test('the API refuses a request without the token, and one from another origin', { skip }, async () => {
  const call = (headers: Record<string, string>) =>
    fetch(`${app.origin}/api/datasets.list`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
  assert.equal((await call({})).status, 401);
  assert.equal((await call({ 'x-noisynn-token': app.token, origin: 'http://evil.example' })).status, 403);
  const ok = await call({ 'x-noisynn-token': app.token });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('access-control-allow-origin'), null);
});
