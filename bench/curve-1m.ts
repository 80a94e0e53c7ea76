// How fast a 1,000,000-point training curve reaches the screen: store read (rollups), the HTTP API
// round trip, and the Runs view drawing it in Chromium (click Compare -> the chart reports drawn).
// Run: node --import tsx bench/curve-1m.ts   (needs `npm run build` and /usr/bin/chromium)
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src-main/store';
import { launchBrowser, startApp } from '../test/e2e/harness';

const assets = join(import.meta.dirname, '..', 'out', 'renderer', 'assets');
const plotlyChunk = readdirSync(assets).find((f) => /^plotly.*\.js$/.test(f));
console.log(`plotly chunk: ${plotlyChunk} ${plotlyChunk ? statSync(join(assets, plotlyChunk)).size.toLocaleString('en-US') : '?'} bytes`);

const N = 1_000_000;
const dataDir = mkdtempSync(join(tmpdir(), 'noisynn-bench-curve-'));
const store = openStore(dataDir);
const runId = store.createRun({ name: 'one million steps', config: { preset: 'mnist-vit', epochs: 1 }, seed: 1 });
let t = performance.now();
for (let start = 0; start < N; start += 50_000) {
  const rows = [];
  for (let i = start; i < start + 50_000; i++)
    rows.push({
      runId,
      key: 'train/loss',
      step: i + 1,
      epoch: i / N,
      value: Math.exp(-i / 2e5) + 0.05 * Math.sin(i) + (i === 777_777 ? 5 : 0),
      time: 0,
    });
  store.addMetrics(rows);
}
store.finishRun(runId, 'completed');
console.log(`wrote ${N.toLocaleString('en-US')} points in ${((performance.now() - t) / 1000).toFixed(1)} s`);
const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
const reads: number[] = [];
for (let i = 0; i < 7; i++) {
  t = performance.now();
  const s = store.metricSeries(runId, 'train/loss', 1000);
  reads.push(performance.now() - t);
  if (i === 0) console.log(`series: ${s.step.length} buckets, spike kept: ${Math.max(...s.max!) > 5}`);
}
store.close();
console.log(`store read (width 1000): median ${median(reads).toFixed(1)} ms`);

const app = await startApp(dataDir);
const api: number[] = [];
for (let i = 0; i < 7; i++) {
  t = performance.now();
  const r = await fetch(`${app.origin}/api/runs.metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-noisynn-token': app.token },
    body: JSON.stringify({ id: runId, keys: ['train/loss'], width: 1000 }),
  });
  await r.json();
  api.push(performance.now() - t);
}
console.log(`HTTP runs.metrics round trip: median ${median(api).toFixed(1)} ms`);
// Compare asks for the run's details (its metric keys) before it draws: that list must not cost a scan of the million rows.
const detail: number[] = [];
for (let i = 0; i < 7; i++) {
  t = performance.now();
  const r = await fetch(`${app.origin}/api/runs.get`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-noisynn-token': app.token },
    body: JSON.stringify({ id: runId }),
  });
  await r.json();
  detail.push(performance.now() - t);
}
console.log(`HTTP runs.get round trip: median ${median(detail).toFixed(1)} ms`);

const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const loadStart = performance.now();
const plotlyFetched = page
  .waitForResponse((r) => /plotly[\w.-]*\.js$/.test(r.url()), { timeout: 60_000 })
  .then(async (r) => {
    await r.finished();
    return performance.now() - loadStart;
  });
await page.goto(`${app.url}#/runs`);
await page.locator(`[data-testid="run-select-${runId}"]`).waitFor({ timeout: 60_000 });
await page.locator(`[data-testid="run-select-${runId}"]`).check();
t = performance.now();
await page.getByTestId('compare').click();
await page.locator('[data-testid="curves-chart"][data-ready="true"]').first().waitFor({ timeout: 60_000 });
console.log(
  `Runs view, first Compare (plotly warmed while idle, or loaded now; draws every chart of the view): ${(performance.now() - t).toFixed(0)} ms`,
);
console.log(`plotly chunk fetched ${(await plotlyFetched).toFixed(0)} ms after the page was opened`);
const warm: number[] = [];
for (let i = 0; i < 5; i++) {
  await page.getByTestId('compare-close').click();
  await page.locator('[data-testid="compare-view"]').waitFor({ state: 'detached' });
  t = performance.now();
  await page.getByTestId('compare').click();
  await page.locator('[data-testid="curves-chart"][data-ready="true"]').first().waitFor({ timeout: 60_000 });
  warm.push(performance.now() - t);
}
console.log(`Runs view, Compare again (plotly loaded): click -> 1M-point curve on screen, median ${median(warm).toFixed(0)} ms`);
await browser.close();
await app.close();
rmSync(dataDir, { recursive: true, force: true });
