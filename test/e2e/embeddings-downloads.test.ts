// The embedding inspector's outputs reach the user, and its slow part runs once: the CSV and the cached
// vectors download through the server (browser mode over an SSH tunnel has no access to server paths),
// the entropy meter of one extraction is computed once and reused when only the projection changes, and
// hovering a point shows its image. A sample of 500 MNIST test images keeps this short.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { DOWNLOAD_ROUTE } from '../../src-main/api/contract';
import { tempDir } from '../helpers/tmp';
import { missingPrerequisite, openApp, screenshot, type Session } from './harness';

const skip = missingPrerequisite();
const dataDir = skip ? '' : tempDir('noisynn-e2e-embdl-');
const LONG = 300_000;
let session: Session | undefined;
let page: Page;

before(async () => {
  if (skip) return;
  session = await openApp(dataDir, { viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  ({ page } = session);
  await page.getByTestId('nav-embeddings').click();
  await page.getByTestId('emb-site-block').waitFor();
});
afterEach(() => session?.assertNoPageErrors());
after(async () => {
  await session?.close();
});

const ready = (method: string) => page.locator(`[data-testid="emb-ready"][data-method="${method}"]`).waitFor({ timeout: LONG });
const timings = async () => (await page.getByTestId('emb-timings').textContent()) ?? '';
const meterValues = () =>
  page.locator('[data-testid="entropy-row"]').evaluateAll((els) => els.map((e) => e.textContent?.replace(/\s+/g, ' ').trim()));

test('Embeddings: the entropy meter of an extraction is computed once; another projection of it reuses it', { skip }, async () => {
  await page.getByTestId('emb-noise-type').selectOption('gaussian');
  await page.getByTestId('emb-limit').fill('500');
  await page.getByTestId('run-pca').click();
  await ready('pca');
  assert.match(await timings(), /(^|· )entropy \d/, 'the first analysis computes the meter');
  const first = await meterValues();
  assert.ok(first.length >= 4, `meter rows: ${first.length}`);

  await page.getByTestId('run-umap').click();
  await ready('umap');
  const t = await timings();
  assert.match(t, /extract \(cached\)/);
  assert.match(t, /entropy \(cached\) \d+ ms/, `the meter is read back, not recomputed: ${t}`);
  assert.deepEqual(await meterValues(), first, 'the same numbers');
});

test('Embeddings: the CSV and the vectors are downloads served from the data directory', { skip }, async () => {
  const csvLink = page.getByTestId('emb-csv-download');
  const href = (await csvLink.getAttribute('href')) ?? '';
  assert.ok(href.startsWith(`${DOWNLOAD_ROUTE}embeddings/`) && href.endsWith('-umap.csv'), href);
  const [csv] = await Promise.all([page.waitForEvent('download'), csvLink.click()]);
  assert.match(csv.suggestedFilename(), /-umap\.csv$/);
  const lines = readFileSync((await csv.path())!, 'utf8')
    .trim()
    .split('\n');
  assert.match(lines[0], /label/);
  assert.equal(lines.length, 1 + 500, 'a header, then a row per image (clean and noisy coordinates)');

  const [vec] = await Promise.all([page.waitForEvent('download'), page.getByTestId('emb-cache-download').click()]);
  assert.match(vec.suggestedFilename(), /\.safetensors$/);
  const bytes = readFileSync((await vec.path())!);
  const headerLen = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString('utf8')) as Record<string, { shape: number[] }>;
  assert.ok(
    Object.values(header).some((t) => t.shape?.[0] === 500),
    `a tensor of 500 rows: ${Object.keys(header).join(', ')}`,
  );

  // Only the download folders, only with the session: not the store, not the cookie secret, not traversal.
  const origin = session!.app.origin;
  const cookie = (await page.context().cookies(origin)).map((c) => `${c.name}=${c.value}`).join('; ');
  const get = (path: string, withCookie = true) => fetch(`${origin}${path}`, { headers: withCookie ? { cookie } : {} });
  assert.equal((await get(href)).status, 200);
  assert.equal((await get(href, false)).status, 401);
  for (const bad of [
    `${DOWNLOAD_ROUTE}server-secret`,
    `${DOWNLOAD_ROUTE}noisynn.db`,
    `${DOWNLOAD_ROUTE}embeddings/..%2Fserver-secret`,
    `${DOWNLOAD_ROUTE}embeddings/../server-secret`,
    `${DOWNLOAD_ROUTE}embeddings/nope.csv`,
  ]) {
    assert.equal((await get(bad)).status, 404, bad);
  }
});

test('Embeddings: hovering a point shows its image, with its class and index', { skip }, async () => {
  // The first point of the first trace (class 0, clean), placed through plotly's own axis mapping.
  const at = await page.locator('[data-testid="emb-scatter"] .js-plotly-plot').evaluate((gd) => {
    const g = gd as unknown as {
      data: { x: ArrayLike<number>; y: ArrayLike<number> }[];
      _fullLayout: { xaxis: { l2p(v: number): number; _offset: number }; yaxis: { l2p(v: number): number; _offset: number } };
    };
    const { xaxis, yaxis } = g._fullLayout;
    const r = gd.getBoundingClientRect();
    return { x: r.left + xaxis._offset + xaxis.l2p(g.data[0].x[0]), y: r.top + yaxis._offset + yaxis.l2p(g.data[0].y[0]) };
  });
  // One move from outside the plot: one hover event, so the card cannot change under the reads below.
  await page.mouse.move(5, 5);
  await page.mouse.move(at.x, at.y);
  const card = page.getByTestId('emb-hover');
  await card.waitFor({ timeout: 30_000 });
  await card.locator('canvas[data-loaded="true"]').waitFor({ timeout: 30_000 });
  const index = Number(await card.getAttribute('data-index'));
  const label = Number(await card.getAttribute('data-label'));
  assert.ok(Number.isInteger(index) && index >= 0 && index < 500, `an image of the sample: ${index}`);
  // The card's class is the dataset's label of that image.
  const r = await fetch(`${session!.app.origin}/api/datasets.image`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-noisynn-token': session!.app.token },
    body: JSON.stringify({ dataset: 'mnist', split: 'test', index }),
  });
  assert.equal(((await r.json()) as { value: { label: number } }).value.label, label);
  assert.match((await card.textContent()) ?? '', new RegExp(`test #${index}`));
  await screenshot(page, 'embeddings-hover');
  await page.mouse.move(5, 5);
  await card.waitFor({ state: 'detached' });
});
