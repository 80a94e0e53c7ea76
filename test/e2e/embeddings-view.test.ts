// Embedding inspector end to end: the real `noisynn serve` (analyses in their own process) and the built
// renderer in Chromium. A freshly initialised mnist-vit (seeded) keeps the test free of a training run.
// Waits on readiness attributes only; timeouts are generous because extraction of 10,000 images clean +
// noisy plus the entropy meter takes about 1.5 minutes on a loaded 2-core machine.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { tempDir } from '../helpers/tmp';
import { missingPrerequisite, openApp, screenshot, type Session } from './harness';

const skip = missingPrerequisite();
const dataDir = tempDir('noisynn-e2e-emb-');
const LONG = 600_000;
let session: Session | undefined;
let page: Page;

before(async () => {
  if (skip) return;
  session = await openApp(dataDir, { viewport: { width: 1400, height: 1000 } });
  ({ page } = session);
});
// A page or console error fails the test that caused it.
afterEach(() => session?.assertNoPageErrors());
after(async () => {
  await session?.close();
});

const attr = (id: string, name: string) => page.getByTestId(id).getAttribute(name);
/** The shown projection's points (x, y) and image indexes, read from the analysis's CSV file, not from the page. */
function csvPoints(path: string, show: 'clean' | 'noisy'): { index: number; x: number; y: number }[] {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = head.split(',');
  const [ix, cx, cy] = ['index', `${show}_1`, `${show}_2`].map((c) => cols.indexOf(c));
  assert.ok(ix >= 0 && cx >= 0 && cy >= 0, `CSV columns: ${head}`);
  return lines.map((l) => l.split(',')).map((c) => ({ index: Number(c[ix]), x: Number(c[cx]), y: Number(c[cy]) }));
}

/** Even-odd rule: whether (x, y) is inside the polygon. */
function inPolygon(x: number, y: number, px: number[], py: number[]): boolean {
  let inside = false;
  for (let i = 0, j = px.length - 1; i < px.length; j = i++) {
    if (py[i] > y !== py[j] > y && x < ((px[j] - px[i]) * (y - py[i])) / (py[j] - py[i]) + px[i]) inside = !inside;
  }
  return inside;
}

/**
 * The selection the app shows holds exactly the CSV's points inside the region plotly drew (its
 * `layout.selections`, in data coordinates): the count, and every shown image's index.
 */
async function assertSelectionExact(path: string, show: 'clean' | 'noisy'): Promise<void> {
  const sel = await page.locator('[data-testid="emb-scatter"] .js-plotly-plot').evaluate((el) => {
    const s = (
      el as unknown as { layout: { selections?: { type?: string; x0?: number; x1?: number; y0?: number; y1?: number; path?: string }[] } }
    ).layout.selections?.at(-1);
    return s ? { type: s.type, x0: s.x0, x1: s.x1, y0: s.y0, y1: s.y1, path: s.path } : null;
  });
  assert.ok(sel, 'plotly holds the drawn selection');
  let inside: (x: number, y: number) => boolean;
  if (sel.type === 'rect') {
    const [xa, xb] = [Math.min(sel.x0!, sel.x1!), Math.max(sel.x0!, sel.x1!)];
    const [ya, yb] = [Math.min(sel.y0!, sel.y1!), Math.max(sel.y0!, sel.y1!)];
    inside = (x, y) => x >= xa && x <= xb && y >= ya && y <= yb;
  } else {
    const pts = (sel.path ?? '')
      .replace(/[MLZ]/g, ' ')
      .trim()
      .split(/\s+/)
      .map((p) => p.split(',').map(Number));
    assert.ok(pts.length >= 3, `lasso path: ${sel.path}`);
    inside = (x, y) =>
      inPolygon(
        x,
        y,
        pts.map((p) => p[0]),
        pts.map((p) => p[1]),
      );
  }
  const want = new Set(
    csvPoints(path, show)
      .filter((p) => inside(p.x, p.y))
      .map((p) => p.index),
  );
  assert.ok(want.size > 0, 'the region holds points');
  await page
    .locator(`[data-testid="emb-selection"][data-count="${want.size}"]`)
    .waitFor({ timeout: 10_000 })
    .catch(() => undefined);
  assert.equal(Number(await attr('emb-selection', 'data-count')), want.size, 'the selection holds exactly the points in the region');
  const shown = await page
    .locator('[data-testid="emb-selected-image"]')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-index'))));
  assert.ok(shown.length > 0 && shown.every((i) => want.has(i)), 'every shown image lies in the region');
}

const ready = (method: string) => page.locator(`[data-testid="emb-ready"][data-method="${method}"]`).waitFor({ timeout: LONG });

async function verdicts(): Promise<Record<string, string>> {
  const rows = await page
    .locator('[data-testid="entropy-row"]')
    .evaluateAll((els) => els.map((e) => [e.getAttribute('data-estimator'), e.getAttribute('data-verdict')]));
  return Object.fromEntries(rows);
}

test('Embeddings: opens without computing; t-SNE asks for a sample of at most 1,500 images', { skip }, async () => {
  await page.getByTestId('nav-embeddings').click();
  await page.getByTestId('embeddings-view').waitFor();
  await page.getByTestId('emb-model').waitFor();
  await page.getByTestId('emb-site-block').waitFor();
  assert.equal(await page.getByTestId('emb-progress').count(), 0, 'nothing runs on open');
  assert.equal(await page.getByTestId('emb-scatter').count(), 0);
  await page.getByTestId('emb-limit').fill('0');
  assert.ok(await page.getByTestId('run-tsne').isDisabled(), 't-SNE refuses 20,000 points');
  await page.getByTestId('emb-tsne-sample').click();
  assert.equal(await page.getByTestId('emb-limit').inputValue(), '1500');
  assert.ok(await page.getByTestId('run-tsne').isEnabled());
  await page.getByTestId('emb-limit').fill('0');
});

test('Embeddings: PCA of the full MNIST test split (10,000 images), gaussian noise, toggle, box selection, meter', { skip }, async () => {
  await page.getByTestId('emb-site-block').selectOption('3');
  await page.getByTestId('emb-noise-type').selectOption('gaussian');
  await page.getByTestId('run-pca').click();
  await page.getByTestId('emb-progress').waitFor({ timeout: 30_000 });
  assert.ok(await attr('emb-progress', 'data-phase'));
  await screenshot(page, 'embeddings-progress');
  await ready('pca');

  assert.equal(await attr('emb-scatter', 'data-points'), '20000', 'clean + noisy, every test image');
  assert.equal(await attr('emb-scatter', 'data-classes'), '10');
  assert.equal(await attr('emb-facts', 'data-sampled'), 'false');
  assert.equal((await page.locator('[data-testid="emb-scatter"] .legendtext').count()) >= 10, true, 'a legend entry per class');
  const csvHref = (await page.getByTestId('emb-csv-download').getAttribute('href')) ?? '';
  assert.match(csvHref, /^\/files\/embeddings\/.*\.csv$/);
  assert.match((await page.getByTestId('emb-cache-download').getAttribute('href')) ?? '', /^\/files\/embeddings\/.*\.safetensors$/);
  // The file behind the download link (the server serves <data dir>/<folder>/<file>), read from disk, not from the page.
  const csvPath = join(
    dataDir,
    ...csvHref
      .replace(/^\/files\//, '')
      .split('/')
      .map(decodeURIComponent),
  );
  // The WebGL scatter is the tested path (SwiftShader here, see harness.ts), not the SVG fallback.
  assert.equal(await attr('emb-scatter', 'data-renderer'), 'webgl');
  assert.equal(await page.locator('[data-testid="emb-scatter"] .no-webgl').count(), 0);
  assert.ok((await page.locator('[data-testid="emb-scatter"] canvas.gl-canvas').count()) > 0, 'drawn on a WebGL canvas');
  await screenshot(page, 'embeddings-pca');

  await page.getByTestId('emb-toggle').selectOption('clean');
  await ready('pca');
  assert.equal(await attr('emb-scatter', 'data-points'), '10000');
  await page.getByTestId('emb-toggle').selectOption('noisy');
  await ready('pca');
  assert.equal(await attr('emb-scatter', 'data-points'), '10000');
  assert.equal(await attr('emb-scatter', 'data-show'), 'noisy');

  // A box over the middle of the plot area (dragmode is 'select').
  const area = await page.locator('[data-testid="emb-scatter"] .nsewdrag').first().boundingBox();
  assert.ok(area);
  await page.mouse.move(area.x + area.width * 0.35, area.y + area.height * 0.35);
  await page.mouse.down();
  await page.mouse.move(area.x + area.width * 0.6, area.y + area.height * 0.6, { steps: 10 });
  await page.mouse.up();
  await page.getByTestId('emb-selection').waitFor({ timeout: 60_000 });
  assert.ok(Number(await attr('emb-selection', 'data-count')) > 0, 'the box holds images');
  await assertSelectionExact(csvPath, 'noisy');
  // A lasso (a triangle over the middle) selects exactly the points inside the polygon.
  await page.getByTestId('emb-scatter-dragmode').selectOption('lasso');
  await page.waitForFunction(
    () =>
      (document.querySelector('[data-testid="emb-scatter"] .js-plotly-plot') as unknown as { _fullLayout?: { dragmode?: string } } | null)
        ?._fullLayout?.dragmode === 'lasso',
  );
  const box = await page.locator('[data-testid="emb-scatter"] .nsewdrag').first().boundingBox();
  assert.ok(box);
  const at = (fx: number, fy: number) => [box.x + box.width * fx, box.y + box.height * fy] as const;
  await page.mouse.move(...at(0.3, 0.3));
  await page.mouse.down();
  for (const [fx, fy] of [
    [0.7, 0.35],
    [0.55, 0.7],
    [0.32, 0.32],
  ] as const)
    await page.mouse.move(...at(fx, fy), { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() =>
    (
      document.querySelector('[data-testid="emb-scatter"] .js-plotly-plot') as unknown as {
        layout?: { selections?: { type?: string }[] };
      } | null
    )?.layout?.selections?.some((x) => x.type === 'path'),
  );
  await assertSelectionExact(csvPath, 'noisy');
  await page.getByTestId('emb-scatter-dragmode').selectOption('select');
  const first = page.getByTestId('emb-selected-image').first();
  await first.locator('canvas[data-loaded="true"]').waitFor({ timeout: 60_000 });
  await first.click();
  await page.locator('[data-testid="emb-selected-image"].on').waitFor();
  await ready('pca');
  await screenshot(page, 'embeddings-pca-selection');

  const v = await verdicts();
  assert.deepEqual(Object.keys(v).sort(), ['gaussian', 'gaussian-mixture-bhattacharyya', 'gaussian-mixture-kl', 'knn']);
  for (const [name, verdict] of Object.entries(v))
    assert.match(verdict, /^(positive|harmful|not-significant|out-of-range)$/, `${name}: ${verdict}`);
  await page.getByTestId('entropy-meter').scrollIntoViewIfNeeded();
  await screenshot(page, 'embeddings-meter-gaussian');
});

test('Embeddings: UMAP of the full test split, linear-shift noise, sorted batches, theory line', { skip }, async () => {
  await page.getByTestId('emb-noise-type').selectOption('linear-shift');
  await page.getByTestId('emb-limit').fill('0');
  await page.getByTestId('run-umap').click();
  await page.getByTestId('emb-progress').waitFor({ timeout: 30_000 });
  await ready('umap');
  await page.getByTestId('emb-toggle').selectOption('both'); // the previous test left it on 'noisy'
  await ready('umap');
  assert.equal(await attr('emb-facts', 'data-sampled'), 'false');
  assert.match((await page.getByTestId('emb-protocol-used').textContent()) ?? '', /sorted, k = 10/);
  assert.equal(await attr('emb-scatter', 'data-points'), '20000', 'clean + noisy, every test image');
  assert.equal(await attr('emb-scatter', 'data-classes'), '10');
  await screenshot(page, 'embeddings-umap');
  const v = await verdicts();
  assert.ok(Object.keys(v).length >= 4);
  for (const [name, verdict] of Object.entries(v))
    assert.match(verdict, /^(positive|harmful|not-significant|out-of-range)$/, `${name}: ${verdict}`);
  // innerText: the text as rendered (markup line breaks collapse to spaces).
  const theory = await page.getByTestId('entropy-linear').innerText();
  assert.match(theory, /k = 10/);
  assert.match(theory, /not estimated from these embeddings/, 'the theory value has its own labelled panel');
  assert.match((await page.getByTestId('entropy-point').textContent()) ?? '', /residual stream after block \d/);
  await page.getByTestId('entropy-meter').scrollIntoViewIfNeeded();
  await screenshot(page, 'embeddings-meter-linear-shift');
});

test('Embeddings: a sample asked for is a sample the view declares', { skip }, async () => {
  await page.getByTestId('emb-limit').fill('1000');
  await page.getByTestId('run-pca').click();
  await page.locator('[data-testid="emb-facts"][data-sampled="true"]').waitFor({ timeout: LONG });
  await ready('pca');
  assert.match((await page.getByTestId('emb-sampled').textContent()) ?? '', /sample/);
  assert.equal(await attr('emb-scatter', 'data-points'), '2000');
});

test('Embeddings: dS table over every noise type (sample of 500 images)', { skip }, async () => {
  await page.getByTestId('entropy-table-limit').fill('500');
  await page.getByTestId('entropy-table-run').click();
  await page.getByTestId('entropy-table').waitFor({ timeout: LONG });
  const rows = page.getByTestId('entropy-table-row');
  assert.equal(await rows.count(), 8, 'gaussian x3, salt-pepper x2, linear-shift x2, linear-optimal');
  const cells = await page
    .locator('[data-testid="entropy-table-row"] td[data-verdict]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
  assert.ok(cells.length >= 8 * 4 && cells.every((c) => /^(positive|harmful|not-significant|out-of-range)$/.test(c ?? '')), String(cells));
  await page.getByTestId('entropy-table').scrollIntoViewIfNeeded();
  await screenshot(page, 'embeddings-ds-table');
});
