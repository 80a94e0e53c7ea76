// A run's page end to end: a deep link opens it, it says what happened and what Resume will do, notes
// are saved as they are typed (they survive a reload), Duplicate fills the Train form, Delete removes
// the run and its files.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { missingPrerequisite, openApp, screenshot, type Session } from './harness';

let session: Session | undefined;
let page: Page;
let dataDir: string;
let done: number;
let cancelled: number;

before(async () => {
  const missing = missingPrerequisite();
  assert.equal(missing, undefined, missing);
  dataDir = tempDir('noisynn-run-page-');
  const tiny = ['--preset', 'mnist-cnn', '--replicas', '1', '--limit-train', '256', '--limit-test', '100', '--epochs', '1', '--json'];
  const a = cli(dataDir, 'train', ...tiny, '--name', 'page-test', '--seed', '3');
  assert.equal(a.code, 0, a.stderr);
  done = Number(a.json?.runId);
  // A run queued and then cancelled before its trainer ever started: cancelled with no checkpoint.
  session = await openApp(dataDir, { viewport: { width: 1440, height: 900 } });
  ({ page } = session);
  const api = (method: string, body: unknown) =>
    page.evaluate(
      async ([m, b]) =>
        (await fetch(`/api/${m}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) })).json(),
      [method, body] as const,
    );
  await api('queue.configure', { concurrency: 1 });
  const started = (await api('runs.start', { config: { preset: 'mnist-cnn', replicas: 1, limitTrain: 50_000, name: 'to-cancel' } })) as {
    value: { runId: number };
  };
  cancelled = started.value.runId;
  await api('runs.cancel', { id: cancelled });
});

after(async () => {
  await session?.close();
});

test('a deep link opens the run page with status, evaluations, provenance and config', async () => {
  await page.goto(`${session!.app.origin}/#/runs/${done}`);
  await page.locator(`[data-testid="run-page"][data-run-id="${done}"][data-ready="true"]`).waitFor();
  assert.equal(await page.getByTestId('run-page-status').textContent(), 'completed');
  assert.match((await page.getByTestId('run-page-reason').textContent()) ?? '', /completed 1 of 1 epoch/);
  assert.ok((await page.getByTestId('run-page-evals').locator('tbody tr').count()) >= 1);
  assert.match((await page.getByTestId('run-page-provenance').textContent()) ?? '', /dataset\s*mnist/);
  assert.match((await page.getByTestId('run-page-config').textContent()) ?? '', /"limitTrain": 256/);
  await page.getByTestId('run-page-loss').waitFor();
  await screenshot(page, 'run-page-1440');
});

test('notes are saved as they are typed and are there after a reload', async () => {
  await page.goto(`${session!.app.origin}/#/runs/${done}`);
  await page.locator('[data-testid="run-page"][data-ready="true"]').waitFor();
  await page.getByTestId('run-note-0').fill('lr looks high for this seed');
  await page.locator('[data-testid="run-note-state-0"]', { hasText: 'saved' }).waitFor();
  // No Enter, no blur: typing alone saved it; a second empty note field is offered.
  await page.getByTestId('run-note-1').waitFor();
  await page.reload();
  await page.locator('[data-testid="run-page"][data-ready="true"]').waitFor();
  assert.equal(await page.getByTestId('run-note-0').inputValue(), 'lr looks high for this seed');
  // Editing the same note replaces its text (no second note).
  await page.getByTestId('run-note-0').fill('lr is fine');
  await page.locator('[data-testid="run-note-state-0"]', { hasText: 'saved' }).waitFor();
  await page.reload();
  await page.locator('[data-testid="run-page"][data-ready="true"]').waitFor();
  assert.equal(await page.getByTestId('run-note-0').inputValue(), 'lr is fine');
  assert.equal(await page.getByTestId('run-note-1').inputValue(), '');
  assert.equal(await page.getByTestId('run-note-2').count(), 0);
});

test('a cancelled run says why and what Resume does before it does it', async () => {
  await page.goto(`${session!.app.origin}/#/runs/${cancelled}`);
  await page.locator('[data-testid="run-page"][data-ready="true"]').waitFor();
  assert.equal(await page.getByTestId('run-page-status').textContent(), 'cancelled');
  assert.match(
    (await page.getByTestId('run-resume').getAttribute('title')) ?? '',
    /no checkpoint was written: resuming restarts the run from step 0/,
  );
  await page.getByTestId('run-resume').click();
  await page.getByTestId('run-page-message').waitFor();
  assert.match((await page.getByTestId('run-page-message').textContent()) ?? '', /restarts the run from step 0/);
  await page.locator('[data-testid="run-page-status"]', { hasText: /queued|running/ }).waitFor();
  await page.getByTestId('run-cancel').click();
  await page.locator('[data-testid="run-page-status"]', { hasText: /cancelled|queued/ }).waitFor();
});

test('Duplicate fills the Train form with the run; Delete removes it and its files', async () => {
  await page.goto(`${session!.app.origin}/#/runs/${done}`);
  await page.locator('[data-testid="run-page"][data-ready="true"]').waitFor();
  await page.getByTestId('run-duplicate').click();
  await page.locator('[data-testid="run-name"]').waitFor();
  assert.equal(await page.getByTestId('run-name').inputValue(), 'page-test (copy)');
  assert.equal(await page.getByTestId('limit-train').inputValue(), '256');
  assert.equal(await page.getByTestId('preset-select').inputValue(), 'mnist-cnn');

  const dir = join(dataDir, 'runs', String(done));
  assert.ok(existsSync(dir), 'the run has files to delete');
  await page.goto(`${session!.app.origin}/#/runs/${done}`);
  await page.locator('[data-testid="run-page"][data-ready="true"]').waitFor();
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('run-delete').click();
  await page.locator('[data-testid="runs-view"][data-ready="true"]').waitFor();
  await page.locator(`[data-testid="run-row"][data-run-id="${done}"]`).waitFor({ state: 'detached' });
  assert.equal(existsSync(dir), false, 'its checkpoint folder is gone');
  await page.goto(`${session!.app.origin}/#/runs/${done}`);
  await page.getByTestId('run-page-error').waitFor();
  assert.match((await page.getByTestId('run-page-error').textContent()) ?? '', /not found/);
});
