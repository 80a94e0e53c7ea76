// Runs view end to end: runs recorded by the CLI in a temporary data directory, listed, compared
// (curves, params diff, seed band, protocol audit) and exported, in Debian's Chromium.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type { Locator, Page, Request } from 'playwright-core';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { missingPrerequisite, openApp, screenshot, type Session } from './harness';

const skip = missingPrerequisite();
let session: Session | undefined;
let page: Page;
let dataDir: string;
let downloads: string;
const ids: Record<string, number> = {};

// Tiny runs: one epoch on 320 images, evaluated on 200.
const TINY = [
  '--preset',
  'mnist-vit',
  '--limit-train',
  '320',
  '--limit-test',
  '200',
  '--batch-size',
  '32',
  '--epochs',
  '1',
  '--noise-block',
  '2',
  '--json',
];

function train(label: string, ...args: string[]): void {
  const r = cli(dataDir, 'train', ...TINY, ...args);
  assert.equal(r.code, 0, `${label}: ${r.stderr}`);
  ids[label] = Number(r.json?.runId);
}

before(async () => {
  if (skip) return;
  dataDir = tempDir('noisynn-runs-e2e-');
  downloads = tempDir('noisynn-runs-dl-');
  for (const seed of ['1', '2', '3']) train(`g0.1-s${seed}`, '--noise', 'gaussian', '--strength', '0.1', '--seed', seed);
  train('g0.5-s1', '--noise', 'gaussian', '--strength', '0.5', '--seed', '1');
  train('lo-eval', '--noise', 'linear-optimal', '--noise-at', 'eval', '--seed', '1');
  const ev = cli(dataDir, 'eval', String(ids['lo-eval']), '--protocol', 'all', '--json');
  assert.equal(ev.code, 0, ev.stderr);
  const sweep = cli(dataDir, 'eval', String(ids['lo-eval']), '--protocol', 'sorted,shuffled', '--test-batch-size', '1,5,20', '--json');
  assert.equal(sweep.code, 0, sweep.stderr);
  session = await openApp(dataDir, { viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
  ({ page } = session);
});
// A page or console error fails the test that caused it.
afterEach(() => session?.assertNoPageErrors());
after(async () => {
  await session?.close();
});

async function openCompare(labels: string[]): Promise<Locator> {
  await page.getByTestId('nav-runs').click();
  await page.locator('[data-testid="runs-view"][data-ready="true"]').waitFor();
  const close = page.getByTestId('compare-close');
  if (await close.isVisible()) await close.click();
  // Unticking one re-renders the rows, so always take the first still ticked.
  const ticked = page.locator('[data-testid^="run-select-"]:checked');
  while ((await ticked.count()) > 0) await ticked.first().uncheck();
  for (const l of labels) await page.getByTestId(`run-select-${ids[l]}`).check();
  await page.getByTestId('compare').click();
  const view = page.locator(
    `[data-testid="compare-view"][data-runs="${labels
      .map((l) => ids[l])
      .sort((a, b) => a - b)
      .join(',')}"][data-ready="true"]`,
  );
  await view.waitFor({ timeout: 60_000 });
  return view;
}

async function download(button: Locator, name: string): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = join(downloads, name);
  await dl.saveAs(path);
  return path;
}

test('the runs table lists every CLI run with its status, noise and test top-1', { skip }, async () => {
  await page.getByTestId('nav-runs').click();
  await page.locator('[data-testid="runs-view"][data-ready="true"]').waitFor();
  const rows = page.locator('[data-testid="run-row"]');
  await rows.nth(Object.keys(ids).length - 1).waitFor();
  assert.equal(await rows.count(), Object.keys(ids).length);
  for (const id of Object.values(ids)) {
    const row = page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
    assert.equal(await row.getAttribute('data-status'), 'completed');
    assert.match((await row.getByTestId('run-top1').textContent()) ?? '', /^\d+\.\d%$/);
  }
  // Search narrows the table; sorting by seed puts seed 3 first when descending.
  await page.getByTestId('runs-search').fill('salt');
  await page.locator('[data-testid="runs-table"][data-count="0"]').waitFor();
  await page.getByTestId('runs-search').fill('');
  await page.getByTestId('sort-seed').click();
  await page.getByTestId('sort-seed').click();
  assert.equal(await rows.first().getAttribute('data-run-id'), String(ids['g0.1-s3']));
  await screenshot(page, 'runs-table');
});

test(
  'runs table: dataset, model, lr, batch and duration columns, a column chooser kept across reloads, search by parameter value',
  { skip },
  async () => {
    await page.getByTestId('nav-runs').click();
    await page.locator('[data-testid="runs-view"][data-ready="true"]').waitFor();
    const row = page.locator(`[data-testid="run-row"][data-run-id="${ids['g0.5-s1']}"]`);
    const text = (await row.textContent()) ?? '';
    for (const v of ['mnist', 'mnist-vit', '32']) assert.ok(text.includes(v), `row lacks ${v}: ${text}`);
    assert.match((await row.getByTestId('run-duration').textContent()) ?? '', /^\d+ s$|min/);
    // Exact parameter search: strength 0.5 finds one run, not the 0.1 ones.
    await page.getByTestId('runs-search').fill('strength 0.5');
    await page.locator('[data-testid="runs-table"][data-count="1"]').waitFor();
    await page.getByTestId('runs-search').fill('seed 2');
    await page.locator('[data-testid="runs-table"][data-count="1"]').waitFor();
    await page.getByTestId('runs-search').fill('');
    // Hide the Model column; a reload keeps it hidden; show it again.
    await page.getByTestId('columns-toggle').click();
    await page.getByTestId('column-model').uncheck();
    await page.getByTestId('sort-model').waitFor({ state: 'detached' });
    await page.reload();
    await page.locator('[data-testid="runs-view"][data-ready="true"]').waitFor();
    assert.equal(await page.getByTestId('sort-model').count(), 0);
    await page.getByTestId('columns-toggle').click();
    await page.getByTestId('column-model').check();
    await page.getByTestId('sort-model').waitFor();
    await page.getByTestId('columns-toggle').click();
    // At 1024 x 700 the test top-1 column stays in view.
    await page.setViewportSize({ width: 1024, height: 700 });
    const top1 = page.locator('[data-testid="sort-top1"]');
    const box = await top1.boundingBox();
    assert.ok(box && box.x + box.width <= 1024, `Test top-1 header is off-screen at 1024 px (${JSON.stringify(box)})`);
    await page.setViewportSize({ width: 1440, height: 1000 });
  },
);

test('compare two runs: both curves drawn, params diff shows the strength', { skip }, async () => {
  // Comparable runs share one series on the strength panel; no alpha panel without linear-shift runs.
  const view = await openCompare(['g0.1-s1', 'g0.5-s1']);
  const chart = view.locator('[data-testid="curves-chart"][data-ready="true"]').first();
  await chart.waitFor();
  assert.ok(Number(await chart.getAttribute('data-traces')) >= 2, 'two runs, two traces');
  const keys = await view
    .locator('[data-testid="params-diff"] [data-testid="diff-row"]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
  assert.deepEqual(keys, ['noise.strength']);
  await view.locator('[data-testid="no-seed-groups"]').waitFor();
  const strength = view.locator('[data-testid="accuracy-vs-strength"][data-ready="true"]');
  await strength.waitFor({ timeout: 30_000 });
  assert.equal(await strength.getAttribute('data-series'), '1');
  assert.equal(await view.locator('[data-testid="accuracy-vs-alpha"]').count(), 0);
  await screenshot(page, 'runs-compare-two');
});

test('reopening Compare fetches each curve once (a details refresh that changes nothing refetches nothing)', { skip }, async () => {
  const labels = ['g0.1-s1', 'g0.5-s1'];
  await openCompare(labels);
  await page.getByTestId('compare-close').click();
  const asked: string[] = [];
  const onRequest = (r: Request) => {
    if (r.url().endsWith('/api/runs.metrics')) asked.push(String((r.postDataJSON() as { id: number }).id));
  };
  page.on('request', onRequest);
  try {
    await page.getByTestId('compare').click();
    await page.locator('[data-testid="curves-chart"][data-ready="true"]').first().waitFor();
    // The details arrive after the first draw from the cached ones; give a second fetch time to show.
    await page.waitForTimeout(1500);
    assert.deepEqual(asked.sort(), labels.map((l) => String(ids[l])).sort());
  } finally {
    page.off('request', onRequest);
  }
});

test('three runs that differ only by seed: a mean ± std band', { skip }, async () => {
  const view = await openCompare(['g0.1-s1', 'g0.1-s2', 'g0.1-s3']);
  const bandChart = view.locator('[data-testid="seed-band"][data-ready="true"]');
  await bandChart.waitFor();
  assert.equal(await bandChart.getAttribute('data-bands'), '1');
  assert.deepEqual(await view.locator('[data-testid="diff-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key'))), [
    'seed',
  ]);
  await bandChart.scrollIntoViewIfNeeded();
  await screenshot(page, 'runs-compare-seeds');
});

test('linear-optimal at eval: the protocol audit lists sorted, shuffled, single and noise-free', { skip }, async () => {
  const view = await openCompare(['lo-eval', 'g0.1-s1']);
  const audit = view.locator(`[data-testid="protocol-audit"][data-run-id="${ids['lo-eval']}"]`);
  await audit.waitFor();
  const protocols = await audit.locator('[data-testid="audit-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-protocol')));
  assert.deepEqual(protocols, ['sorted', 'shuffled', 'single', 'standard']);
  assert.match((await view.getByTestId('audit-explanation').first().textContent()) ?? '', /batch size 1/);
  // Batch size 1 has nothing to mix with: it equals the noise-free model.
  const top1 = async (p: string) =>
    (await audit.locator(`[data-testid="audit-row"][data-protocol="${p}"] td`).nth(3).textContent())?.trim();
  assert.equal(await top1('single'), await top1('standard'));
  // The k sweep stored by `noisynn eval --test-batch-size 1,5,20`: sorted, shuffled and the noise-free line.
  const sweep = view.locator('[data-testid="k-sweep"][data-ready="true"]');
  await sweep.waitFor({ timeout: 30_000 });
  assert.equal(await sweep.getAttribute('data-series'), '3');
  await audit.scrollIntoViewIfNeeded();
  await screenshot(page, 'runs-protocol-audit');
});

test('exports: table CSV / JSON and curves JSON parse; a chart as PNG and SVG', { skip }, async () => {
  const view = await openCompare(['g0.1-s1', 'g0.5-s1']);
  const toolbar = page.getByTestId('runs-toolbar');

  const csv = readFileSync(await download(toolbar.getByTestId('export-csv'), 'runs.csv'), 'utf8')
    .trim()
    .split(/\r?\n/);
  assert.match(csv[0], /^id,name,status,/);
  assert.equal(csv.length, 1 + Object.keys(ids).length);

  const table = JSON.parse(readFileSync(await download(toolbar.getByTestId('export-json'), 'runs.json'), 'utf8')) as { id: number }[];
  assert.deepEqual(
    table.map((r) => r.id).sort((a, b) => a - b),
    Object.values(ids).sort((a, b) => a - b),
  );

  const curves = JSON.parse(readFileSync(await download(view.getByTestId('export-json'), 'curves.json'), 'utf8')) as {
    runs: unknown[];
    curves: { key: string; step: number[] }[];
  };
  assert.equal(curves.runs.length, 2);
  assert.ok(curves.curves.some((c) => c.key === 'train/loss' && c.step.length > 0));
  const curvesCsv = readFileSync(await download(view.getByTestId('export-csv'), 'curves.csv'), 'utf8')
    .trim()
    .split(/\r?\n/);
  assert.equal(curvesCsv[0], 'run,key,step,value,min,max');
  assert.ok(curvesCsv.length > 2);

  const chart = view.locator('[data-testid="curves-chart"][data-ready="true"]').first();
  const png = readFileSync(await download(chart.getByTestId('export-png'), 'chart.png'));
  assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
  const svg = readFileSync(await download(chart.getByTestId('export-svg'), 'chart.svg'), 'utf8');
  assert.ok(svg.includes('<svg'), 'an SVG document');
});
