// The Study view end to end, in browser mode: the committed quick and standard studies' CSVs are shown, and a
// smoke-sized standard study is started from the view, its progress followed (runs done / total, time
// left) until it finishes, and its table and CSV shown.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { tempDir } from '../helpers/tmp';
import { missingPrerequisite, openApp, screenshot, type Session } from './harness';

const root = join(import.meta.dirname, '..', '..');
let session: Session | undefined;
let page: Page;

before(async () => {
  const missing = missingPrerequisite();
  assert.equal(missing, undefined, missing);
  session = await openApp(tempDir('noisynn-study-e2e-'), { viewport: { width: 1440, height: 900 } });
  ({ page } = session);
  await page.getByTestId('nav-study').click();
  await page.locator('[data-testid="study-view"][data-ready="true"]').waitFor({ timeout: 30_000 });
});
after(async () => {
  await session?.close();
});

for (const name of ['reproduction-quick', 'reproduction-standard'])
  test(`Study: the committed ${name}.csv is listed and shown`, async () => {
    const csv = join(root, 'docs', `${name}.csv`);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    await page.getByTestId('study-source').selectOption(`csv:${csv}`);
    await page.locator('[data-testid="study-view"][data-ready="true"]').waitFor();
    assert.equal(await page.locator('[data-testid="study-table"] tbody tr').count(), lines.length - 1);
    assert.match((await page.getByTestId('study-view').textContent()) ?? '', new RegExp(`${name}\\.csv`));
    // The first row as the CSV has it: dataset/model in the group title, noise, n and top-1 to 2 decimals.
    const [dataset, model, noise, , , n, runs, mean] = lines[1].split(',');
    const firstRow = page.locator('[data-testid="study-table"]').first().locator('tbody tr').first();
    assert.equal(await firstRow.locator('td').nth(0).textContent(), noise);
    assert.equal(await firstRow.locator('td').nth(2).textContent(), `${n}/${runs}`);
    assert.match((await firstRow.locator('td').nth(3).textContent()) ?? '', new RegExp(`^${Number(mean).toFixed(2)} ± `));
    assert.equal(await page.locator('h3').first().textContent(), `${dataset} · ${model}`);
  });

test('Study: a smoke-sized standard study starts from the view, shows its progress and finishes', { timeout: 600_000 }, async () => {
  await page.getByTestId('study-mode').selectOption('standard-smoke');
  await page.getByTestId('study-start').click();
  await page.locator('[data-testid="study-progress"][data-state="running"]').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('study-start').isDisabled(), true, 'no second start while it runs');
  // Progress as runs complete: "k / 7 runs done" with an estimate of the time left.
  await page.locator('[data-testid="study-progress"]', { hasText: /[1-6] \/ 7 runs done.*about .* left/ }).waitFor({ timeout: 300_000 });
  await screenshot(page, 'study-running');
  await page.locator('[data-testid="study-progress"][data-state="finished"]', { hasText: '7 / 7 runs done' }).waitFor({ timeout: 400_000 });
  // The finished study's table, from its runs in this data dir: 5 trainings and 2 cells on reused weights.
  await page.locator('[data-testid="study-view"][data-ready="true"]').waitFor();
  assert.equal(await page.getByTestId('study-source').inputValue(), 'store:reproduce-standard-smoke');
  assert.equal(await page.locator('[data-testid="study-table"] tbody tr').count(), 7);
  // And the CSV it wrote to the data dir.
  const option = page.locator('[data-testid="study-source"] option', { hasText: 'reproduction-standard-smoke.csv (data dir)' });
  assert.equal(await option.count(), 1);
  await page.getByTestId('study-source').selectOption((await option.getAttribute('value'))!);
  await page.locator('[data-testid="study-view"][data-ready="true"]').waitFor();
  assert.equal(await page.locator('[data-testid="study-table"] tbody tr').count(), 7);
  await screenshot(page, 'study-finished');
});
