// The Runs view follows a Slurm sweep live, in Debian's Chromium: a 2-run array (one task at a time) submitted
// and synced once by the CLI; the app's backend then re-syncs the bundles with Slurm's states by itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { cli, cnnRunFlags } from '../helpers/cli';
import { startSlurm, stopSlurm, waitFor } from '../helpers/slurm';
import { tempDir } from '../helpers/tmp';
import { missingPrerequisite, openApp, screenshot, type Session } from './harness';

const skip = missingPrerequisite();
let session: Session | undefined;
let page: Page;
let jobId = '';
// Live updates must not break the page (an event with a missing number once did).
const pageErrors: string[] = [];

before(async () => {
  if (skip) return;
  startSlurm();
  const dataDir = tempDir('noisynn-cluster-e2e-');
  // 32 steps per epoch, 4 epochs: long enough for several polls per epoch on a loaded machine.
  const args = [...cnnRunFlags({ epochs: 4, train: 1024, test: 100, batch: 32 }), '--backend', 'wasm', '--grid', 'seed=1,2'];
  const submit = cli(
    dataDir,
    'sweep',
    'submit',
    '--name',
    'live',
    ...args,
    '--slurm',
    '--array-parallel',
    '1',
    '--bundle-dir',
    tempDir(),
    '--json',
  );
  assert.equal(submit.code, 0, submit.stderr);
  jobId = String(submit.json!.jobId);
  const sync = cli(dataDir, 'sync', String(submit.json!.sweepDir));
  assert.equal(sync.code, 0, sync.stderr);
  session = await openApp(dataDir, { viewport: { width: 1440, height: 900 } });
  ({ page } = session);
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
after(async () => {
  await session?.close();
  if (!skip) stopSlurm();
});

test("the Runs view shows a Slurm sweep's runs waiting, progressing epoch by epoch, and completing", { skip }, async () => {
  await page.getByTestId('nav-runs').click();
  await page.locator('[data-testid="runs-view"][data-ready="true"]').waitFor();
  const rows = page.locator('[data-testid="run-row"]');
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2);
  const jobs = (await page.getByTestId('run-slurm').evaluateAll((els) => els.map((e) => e.getAttribute('data-job')))).sort();
  assert.deepEqual(jobs, [`${jobId}_0`, `${jobId}_1`]);
  // What the table showed, per run, over time.
  const seen = new Map<string, Set<string>>();
  await waitFor(
    'both runs completed in the table',
    async () => {
      const now = await rows.evaluateAll((els) =>
        els.map((e) => [
          e.querySelector('[data-testid="run-slurm"]')?.getAttribute('data-job') ?? '',
          `${e.getAttribute('data-status')} ${e.querySelector('[data-testid="run-epochs"]')?.textContent?.trim()}`,
        ]),
      );
      for (const [job, state] of now) {
        if (!seen.has(job)) seen.set(job, new Set());
        seen.get(job)!.add(state);
      }
      return now.every(([, state]) => state === 'completed 4/4');
    },
    240_000,
    150,
  );
  // The row's summary follows the status change in one reload: each completed run shows its test top-1.
  await waitFor(
    'test top-1 of both runs',
    async () => (await page.getByTestId('run-top1').allTextContents()).every((t) => /^\d+\.\d%$/.test(t)),
    10_000,
    100,
  );
  await screenshot(page, 'cluster-runs-completed');
  for (const [job, states] of seen) {
    const list = [...states];
    assert.ok(
      list.some((s) => /^running [123]\/4$/.test(s)),
      `${job} was seen running part-way: ${list.join(', ')}`,
    );
    assert.ok(list.includes('completed 4/4'), `${job} completed: ${list.join(', ')}`);
  }
  // One task at a time: the second waited in Slurm's queue while the first ran.
  assert.ok(
    [...seen.get(`${jobId}_1`)!].some((s) => s.startsWith('queued')),
    `task 1 was seen pending: ${[...seen.get(`${jobId}_1`)!].join(', ')}`,
  );
  assert.deepEqual(pageErrors, []);
});

test("the Train view's queue shows a running Slurm task with its progress until it finishes", { skip }, async () => {
  const args = [...cnnRunFlags({ epochs: 4, train: 1024, test: 100, batch: 32 }), '--backend', 'wasm', '--grid', 'seed=3'];
  const submit = cli(
    session!.app.dataDir,
    'sweep',
    'submit',
    '--name',
    'train-view',
    ...args,
    '--slurm',
    '--bundle-dir',
    tempDir(),
    '--json',
  );
  assert.equal(submit.code, 0, submit.stderr);
  const sync = cli(session!.app.dataDir, 'sync', String(submit.json!.sweepDir), '--json');
  assert.equal(sync.code, 0, sync.stderr);
  const runId = (sync.json!.results as { runId: number }[])[0].runId;
  await page.getByTestId('nav-train').click();
  const item = page.locator(`[data-testid="queue-item"][data-run-id="${runId}"]`);
  await page.locator(`[data-testid="queue-item"][data-run-id="${runId}"][data-status="running"]`).waitFor({ timeout: 120_000 });
  // The bar follows the task's steps as its bundle grows (32 per epoch, 128 in all).
  const bar = item.locator('.progress');
  await waitFor(
    'progress part-way',
    async () => {
      const step = Number(await bar.getAttribute('data-step').catch(() => '0'));
      const total = Number(await bar.getAttribute('data-total').catch(() => '0'));
      return total === 128 && step > 0 && step < 128;
    },
    60_000,
    100,
  );
  await screenshot(page, 'cluster-run-in-queue');
  await item.waitFor({ state: 'detached', timeout: 120_000 });
  await page.getByTestId('nav-runs').click();
  await page.locator(`[data-testid="run-row"][data-run-id="${runId}"][data-status="completed"]`).waitFor({ timeout: 10_000 });
  assert.deepEqual(pageErrors, []);
});
