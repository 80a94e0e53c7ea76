// Compare view and chart frame in Chromium (issue 16 items 5, 6, 16): runs written straight into a real
// SQLite store (configs from the real presets, curves with known values), served by the real server.
// Checks what a reader sees: short seed-group labels with the full one on hover, accuracies in %,
// legend clear of the x-axis title (also in the exported SVG, which is what the PNG rasterises), a
// message instead of empty axes, band colour = its run's curve colour, no constant parallel axes,
// test loss drawn, and plotly's partial build loaded while idle, before any chart is asked for.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { runPreset } from '../../src-main/engine/config/presets';
import { openStore } from '../../src-main/store';
import { tempDir } from '../helpers/tmp';
import { missingPrerequisite, openApp, type Session } from './harness';

const skip = missingPrerequisite();
let session: Session | undefined;
let page: Page;
let downloads: string;
const ids: Record<string, number> = {};
const STEPS = 20;

const ORDER = ['a-s1', 'a-s2', 'b-s1', 'b-s2', 'c-lr', 'clean-s1', 'clean-s2'];
/** Stored values: train/acc and test/top1 are fractions, as the trainer writes them; each run its own. */
const acc = (label: string, step: number) => 0.1 + 0.04 * step + ORDER.indexOf(label) * 0.003;

before(async () => {
  if (skip) return;
  const dataDir = tempDir('noisynn-compare-e2e-');
  downloads = tempDir('noisynn-compare-dl-');
  const store = openStore(dataDir);
  const add = (label: string, o: { strength?: number; lr?: number; seed: number }) => {
    const config = runPreset('mnist-vit');
    config.epochs = 2;
    config.seed = o.seed;
    if (o.lr) config.optimizer.lr = o.lr;
    config.noise =
      o.strength === undefined
        ? { ...config.noise, type: 'none' }
        : { ...config.noise, type: 'gaussian', strength: o.strength, site: { block: 2 } };
    const id = store.createRun({ name: label, config, seed: o.seed });
    const rows = [];
    for (let step = 1; step <= STEPS; step++) {
      const epoch = step / (STEPS / 2);
      rows.push({ runId: id, key: 'train/loss', step, epoch, value: 2 / step + o.seed * 0.01, time: 0 });
      rows.push({ runId: id, key: 'train/acc', step, epoch, value: acc(label, step), time: 0 });
      if (step % (STEPS / 2) === 0) {
        rows.push({ runId: id, key: 'test/top1', step, epoch, value: acc(label, step) - 0.05, time: 0 });
        rows.push({ runId: id, key: 'test/loss', step, epoch, value: 1 / step, time: 0 });
      }
    }
    store.addMetrics(rows);
    store.finishRun(id, 'completed', { imagesPerSecond: 100, summary: { testTop1: acc(label, STEPS) - 0.05, steps: STEPS, epochs: 2 } });
    ids[label] = id;
  };
  add('a-s1', { strength: 0.1, seed: 1 });
  add('a-s2', { strength: 0.1, seed: 2 });
  add('b-s1', { strength: 0.5, seed: 1 });
  add('b-s2', { strength: 0.5, seed: 2 });
  // Differs by its learning rate only from group a: lr differs among the runs, never between the two groups.
  add('c-lr', { strength: 0.1, seed: 1, lr: runPreset('mnist-vit').optimizer.lr * 3 });
  add('clean-s1', { seed: 1 });
  add('clean-s2', { seed: 2 });
  store.close();
  session = await openApp(dataDir, { viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
  ({ page } = session);
});
afterEach(() => session?.assertNoPageErrors());
after(async () => {
  await session?.close();
});

async function openCompare(labels: string[]): Promise<Locator> {
  await page.getByTestId('nav-runs').click();
  await page.locator('[data-testid="runs-view"][data-ready="true"]').waitFor();
  const close = page.getByTestId('compare-close');
  if (await close.isVisible()) await close.click();
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

type Box = { left: number; top: number; right: number; bottom: number };
const overlap = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** The bounding boxes of a plotly figure's x-axis title and legend, inside `root`. */
async function titleAndLegend(root: Locator): Promise<{ xtitle: Box; legend: Box }> {
  // No named functions inside: the page cannot see tsx's __name helper.
  const [xtitle, legend] = await root.evaluate((el) =>
    ['.xtitle', '.legend'].map((sel) => {
      const r = el.querySelector(sel)!.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    }),
  );
  return { xtitle, legend };
}

/** plotly's trace objects as drawn (the div keeps them as `data`). */
const drawnTraces = (chart: Locator) =>
  chart.locator('.js-plotly-plot').evaluate((el) =>
    (
      el as unknown as {
        data: { name?: string; y?: number[]; fillcolor?: string; line?: { color?: string }; dimensions?: { label: string }[] }[];
      }
    ).data.map((t) => ({
      name: t.name,
      y: t.y ? Array.from(t.y) : [],
      fillcolor: t.fillcolor,
      line: t.line?.color,
      dims: t.dimensions?.map((d) => d.label),
    })),
  );

test('plotly: the partial build (< 2 MB) is fetched while idle, before any chart is shown', { skip }, async () => {
  const fresh = await session!.browser.newPage();
  try {
    const chunk = fresh.waitForResponse((r) => /plotly-bundle-[\w-]+\.js$/.test(r.url()), { timeout: 30_000 });
    // The Runs table: a view without charts, so nothing but the idle warm-up asks for plotly.
    await fresh.goto(`${session!.app.url}#/runs`);
    const res = await chunk;
    const bytes = (await res.body()).length;
    assert.ok(bytes < 2_000_000, `plotly chunk is ${bytes} bytes`);
    await fresh.locator('[data-testid="runs-view"][data-ready="true"]').waitFor();
    assert.equal(await fresh.locator('.js-plotly-plot, [data-testid="curves-chart"]').count(), 0, 'no chart is on screen');
  } finally {
    await fresh.close();
  }
});

test('final metrics: seed groups named by what differs between them, full label on hover, accuracies in %', { skip }, async () => {
  const view = await openCompare(['a-s1', 'a-s2', 'b-s1', 'b-s2', 'c-lr']);
  const labels = view.getByTestId('group-label');
  assert.deepEqual(await labels.allTextContents(), ['strength=0.1 (n=2)', 'strength=0.5 (n=2)']);
  const title = (await labels.first().getAttribute('title')) ?? '';
  assert.ok(
    title.includes(`optimizer.lr=${runPreset('mnist-vit').optimizer.lr}`),
    `the full label names the lr that differs among all runs: ${title}`,
  );
  assert.match(title, /noise\.strength=0\.1/);
  assert.match(title, /seeds 1, 2/);
  const table = view.getByTestId('final-summary');
  const cells = async (key: string) => table.locator(`td[data-key="${key}"]`).allTextContents();
  for (const key of ['train/acc', 'test/top1']) {
    const texts = await cells(key);
    assert.ok(
      texts.length === 7 && texts.every((t) => /^\d+\.\d\d%$|^\d+\.\d\d ± \d+\.\d\d%$/.test(t.trim())),
      `${key}: ${texts.join(' | ')}`,
    );
  }
  // Run a-s1's last train/acc, in percent.
  assert.equal((await cells('train/acc'))[0].trim(), `${(acc('a-s1', STEPS) * 100).toFixed(2)}%`);
  assert.ok(
    (await cells('train/loss')).every((t) => /^\d+\.\d{4}/.test(t.trim())),
    'losses stay as stored',
  );
  // The numbers stay on screen: the last column's group cells end inside the viewport.
  const last = table.locator('tr[data-testid="group-summary"] td').last();
  await last.scrollIntoViewIfNeeded();
  const b = await last.boundingBox();
  assert.ok(b && b.x + b.width <= 1440, `group numbers pushed off-screen: ${JSON.stringify(b)}`);
  // Curves of accuracies are drawn in %: the stored fraction times 100.
  const accChart = view.locator('[data-testid="curves-chart"][data-key="train/acc"][data-ready="true"]');
  await accChart.waitFor();
  const traces = await drawnTraces(accChart);
  const line = traces.find((t) => t.name?.startsWith(`#${ids['a-s1']} `));
  assert.ok(line, traces.map((t) => t.name).join(', '));
  assert.ok(Math.abs(line.y.at(-1)! - acc('a-s1', STEPS) * 100) < 1e-6, `last point ${line.y.at(-1)}`);
});

test(
  'charts: legend clear of the x-axis title (view and exported SVG), band colour = its run colour, test loss drawn, no constant parallel axes',
  { skip },
  async () => {
    const view = await openCompare(['a-s1', 'a-s2', 'b-s1', 'b-s2', 'c-lr']);
    const chart = view.locator('[data-testid="curves-chart"][data-key="train/loss"][data-ready="true"]');
    await chart.waitFor();
    const onScreen = await titleAndLegend(chart);
    assert.ok(
      !overlap(onScreen.xtitle, onScreen.legend),
      `x title ${JSON.stringify(onScreen.xtitle)} overlaps legend ${JSON.stringify(onScreen.legend)}`,
    );
    // The export is laid out anew at its own size: check the file, opened on its own.
    const [dl] = await Promise.all([page.waitForEvent('download'), chart.getByTestId('export-svg').click()]);
    const path = join(downloads, 'train-loss.svg');
    await dl.saveAs(path);
    const svgPage = await session!.browser.newPage();
    try {
      await svgPage.setContent(`<!doctype html><body style="margin:0">${readFileSync(path, 'utf8')}</body>`);
      const exported = await titleAndLegend(svgPage.locator('body'));
      assert.ok(
        exported.legend.bottom > exported.legend.top && !overlap(exported.xtitle, exported.legend),
        `exported: x title ${JSON.stringify(exported.xtitle)} overlaps legend ${JSON.stringify(exported.legend)}`,
      );
    } finally {
      await svgPage.close();
    }

    await view.locator('[data-testid="curves-chart"][data-key="test/loss"][data-ready="true"]').waitFor();

    // Each group's band and mean line take the colour of its first run's curve.
    const band = view.locator('[data-testid="seed-band"][data-ready="true"]');
    await band.waitFor();
    const bandTraces = await drawnTraces(band);
    const curveTraces = await drawnTraces(chart);
    for (const [g, first] of [
      [0, 'a-s1'],
      [1, 'b-s1'],
    ] as const) {
      const [, lower, mean] = bandTraces.slice(3 * g, 3 * g + 3);
      const runLine = curveTraces.find((t) => t.name?.startsWith(`#${ids[first]} `))?.line;
      assert.ok(runLine, `curve of ${first}`);
      assert.equal(mean.line, runLine, `group ${g}'s line`);
      const hex = parseInt(runLine.slice(1), 16);
      assert.equal(lower.fillcolor, `rgba(${(hex >> 16) & 255},${(hex >> 8) & 255},${hex & 255},0.2)`, `group ${g}'s band`);
    }

    // Parallel coordinates: strength, lr, seed and top-1 vary; img/s is 100 for every run.
    const par = view.locator('[data-testid="parallel-coords"][data-ready="true"]');
    await par.waitFor();
    assert.equal(await par.getAttribute('data-renderer'), 'webgl');
    assert.equal(await par.locator('.no-webgl').count(), 0);
    const dims = (await drawnTraces(par))[0].dims ?? [];
    assert.deepEqual([...dims].sort(), ['optimizer.lr', 'seed', 'strength', 'test top-1 (%)'].sort());
    assert.match((await par.getByTestId('parallel-constant').textContent()) ?? '', /img\/s = 100/);
  },
);

test('empty charts say so instead of drawing empty axes', { skip }, async () => {
  // Noise-free runs have no injection site: the site chart has nothing to plot.
  const view = await openCompare(['clean-s1', 'clean-s2']);
  const site = view.locator('[data-testid="accuracy-vs-site"][data-ready="true"]');
  await site.waitFor();
  assert.equal(await site.getAttribute('data-empty'), 'true');
  assert.match((await site.getByTestId('chart-empty').textContent()) ?? '', /No compared run has a noise injection site/);
  assert.equal(await site.locator('.main-svg').count(), 0, 'no axes drawn');
  assert.equal(await site.getByTestId('export-png').isVisible(), false);
});
