// Makes docs/screenshots/*.png: the run page, the compare view and the embeddings view at 1440x900 and
// 1024x700, from a real store holding a few small runs (real MNIST, trained by the CLI here).
// Usage: npm run build && node --import tsx scripts/screenshots.ts [OUT_DIR]   (needs /usr/bin/chromium; ~5 min on 2 cores)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { cli } from '../test/helpers/cli';
import { tempDir } from '../test/helpers/tmp';
import { missingPrerequisite, openApp } from '../test/e2e/harness';

const OUT = process.argv[2] ?? join(import.meta.dirname, '..', 'docs', 'screenshots');
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
];
// Small runs: 2 epochs on 640 images, evaluated on 400; enough for curves with a few points.
const SMALL = [
  '--preset',
  'mnist-vit',
  '--limit-train',
  '640',
  '--limit-test',
  '400',
  '--batch-size',
  '32',
  '--epochs',
  '2',
  '--noise-block',
  '3',
  '--json',
];

function train(name: string, ...args: string[]): number {
  const r = cli(dataDir, 'train', ...SMALL, '--name', name, ...args);
  if (r.code !== 0 || typeof r.json?.runId !== 'number') throw new Error(`training ${name} failed: ${r.stderr}`);
  console.log(`trained ${name} (run ${r.json.runId})`);
  return r.json.runId;
}

const missing = missingPrerequisite();
if (missing) {
  console.error(`cannot take screenshots: ${missing}`);
  process.exit(1);
}
const dataDir = tempDir('noisynn-screenshots-');
const ids = [
  train('baseline', '--seed', '1'),
  train('gaussian 0.1', '--noise', 'gaussian', '--strength', '0.1', '--seed', '1'),
  train('gaussian 0.1', '--noise', 'gaussian', '--strength', '0.1', '--seed', '2'),
  train('linear-optimal at eval', '--noise', 'linear-optimal', '--noise-at', 'eval', '--seed', '1'),
];
const ev = cli(dataDir, 'eval', String(ids[3]), '--protocol', 'all', '--json');
if (ev.code !== 0) throw new Error(`eval failed: ${ev.stderr}`);
mkdirSync(OUT, { recursive: true });

const session = await openApp(dataDir, { viewport: SIZES[0] });
const page: Page = session.page;
const origin = session.app.origin;
const shot = async (name: string, size: { width: number; height: number }) => {
  const file = join(OUT, `${name}-${size.width}x${size.height}.png`);
  await page.screenshot({ path: file });
  console.log(`wrote ${file}`);
};

try {
  // The embeddings analysis first (its result stays in the view's state): the gaussian run's model, 1,000 test images.
  await page.goto(`${origin}/#/embeddings`);
  await page.getByTestId('emb-site-block').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="embeddings-view"] label:has-text("stored run") input[type="radio"]').check();
  await page.locator('[data-testid="embeddings-view"] label:has-text("run") select').first().selectOption(String(ids[1]));
  await page.getByTestId('emb-noise-type').selectOption('gaussian');
  await page.getByTestId('emb-limit').fill('1000');
  await page.getByTestId('run-pca').click();
  await page.locator('[data-testid="emb-ready"][data-method="pca"]').waitFor({ timeout: 600_000 });

  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.goto(`${origin}/#/runs/${ids[1]}`);
    await page.locator('[data-testid="run-page"][data-ready="true"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="run-page"] .js-plotly-plot').first().waitFor({ timeout: 60_000 });
    await shot('run-page', size);

    await page.goto(`${origin}/#/runs`);
    await page.locator('[data-testid="runs-view"][data-ready="true"]').waitFor({ timeout: 60_000 });
    for (const id of ids) await page.getByTestId(`run-select-${id}`).check();
    await page.getByTestId('compare').click();
    await page.locator('[data-testid="compare-view"][data-ready="true"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('compare-view').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot('compare', size);
    await page.getByTestId('compare-close').click();

    await page.goto(`${origin}/#/embeddings`);
    await page.locator('[data-testid="emb-ready"][data-method="pca"]').waitFor({ timeout: 60_000 });
    await shot('embeddings', size);
  }
} finally {
  await session.close();
}
