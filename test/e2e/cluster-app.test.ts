// The app's bundle and Slurm actions, in Debian's Chromium: "Import bundles" brings in a run exported by the CLI
// from another data dir, the run page's "Export as bundle" writes it out again with its identity, and the sweep
// form's "Submit to Slurm" sends a 2-point sweep to the local Slurm as a job array whose runs appear as cluster runs
// and complete.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { cli, TINY_CNN_RUN } from '../helpers/cli';
import { startSlurm, stopSlurm, waitFor } from '../helpers/slurm';
import { tempDir } from '../helpers/tmp';
import { missingPrerequisite, openApp, screenshot, type Session } from './harness';

const skip = missingPrerequisite();
const root = join(import.meta.dirname, '..', '..');
let session: Session | undefined;
let page: Page;
let slurmUp = false;

before(async () => {
  if (skip) return;
  session = await openApp(tempDir('noisynn-cluster-app-'), { viewport: { width: 1440, height: 900 } });
  ({ page } = session);
});
afterEach(() => session?.assertNoPageErrors());
after(async () => {
  await session?.close();
  if (slurmUp) stopSlurm();
});

test('Import bundles shows a run exported by the CLI; Export as bundle writes it again with the same identity', { skip }, async () => {
  const other = tempDir();
  const trained = cli(other, 'train', ...TINY_CNN_RUN, '--name', 'from-elsewhere', '--json');
  assert.equal(trained.code, 0, trained.stderr);
  const bundle = join(tempDir(), 'sent');
  const exported = cli(other, 'export', String(trained.json!.runId), '--format', 'bundle', '--out', bundle, '--json');
  assert.equal(exported.code, 0, exported.stderr);

  await page.getByTestId('nav-runs').click();
  await page.locator('[data-testid="runs-view"][data-ready="true"]').waitFor();
  await page.getByTestId('import-bundles').click();
  await page.getByTestId('import-bundles-path').fill(bundle);
  await page.getByTestId('import-bundles-go').click();
  await page.locator('[data-testid="import-bundles-result"][data-created="1"][data-failed="0"]').waitFor({ timeout: 30_000 });
  const row = page.locator('[data-testid="run-row"][data-status="completed"]', { hasText: 'from-elsewhere' });
  await row.waitFor();
  assert.equal(await row.getByTestId('run-slurm').textContent(), 'bundle');
  await screenshot(page, 'runs-import-bundles');

  // A second import of the same bundle adds nothing.
  await page.getByTestId('import-bundles-go').click();
  await page.locator('[data-testid="import-bundles-result"][data-created="0"][data-failed="0"]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid="run-row"]', { hasText: 'from-elsewhere' }).count(), 1);

  const runId = await row.getAttribute('data-run-id');
  await page.goto(`${session!.app.origin}/#/runs/${runId}`);
  await page.locator(`[data-testid="run-page"][data-run-id="${runId}"][data-ready="true"]`).waitFor();
  await page.getByTestId('run-export-bundle').click();
  await page.getByTestId('export-bundle-dir').fill('not/absolute');
  await page.getByTestId('export-bundle-go').click();
  await page.getByTestId('export-bundle-error').filter({ hasText: 'must be an absolute folder path' }).waitFor();
  const again = join(tempDir(), 'again');
  await page.getByTestId('export-bundle-dir').fill(again);
  await page.getByTestId('export-bundle-go').click();
  await page
    .getByTestId('export-bundle-result')
    .filter({ hasText: `noisynn sync ${again}` })
    .waitFor({ timeout: 30_000 });
  const uuid = (dir: string) => (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { uuid: string }).uuid;
  assert.equal(uuid(again), uuid(bundle));
  assert.ok(existsSync(join(again, 'checkpoints', 'epoch-0001.safetensors')));
});

test(
  'Submit to Slurm from the sweep form: a 2-point sweep runs as a job array and its runs complete as cluster runs',
  { skip },
  async () => {
    startSlurm();
    slurmUp = true;
    const dataDir = session!.app.dataDir;
    const add = cli(dataDir, 'cluster', 'add', 'local', '--project-dir', root, '--node', process.execPath, '--backend', 'wasm', '--json');
    assert.equal(add.code, 0, add.stderr);
    const bundles = tempDir();

    await page.getByTestId('nav-train').click();
    await page.locator('[data-testid="train-view"][data-ready="true"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('preset-select').selectOption('mnist-cnn');
    await page.getByTestId('epochs').fill('1');
    await page.getByTestId('limit-train').fill('64');
    await page.getByTestId('limit-test').fill('50');
    await page.getByTestId('batch-size').fill('32');
    await page.getByTestId('replicas').fill('1');
    await page.getByTestId('seeds').fill('1');
    await page.getByTestId('sweep-path-0').fill('seed');
    await page.getByTestId('sweep-values-0').fill('1, 2');
    await page.getByTestId('sweep-mode').selectOption('grid');
    await page.locator('[data-testid="sweep-count"]', { hasText: /^2$/ }).waitFor();
    await page.getByTestId('sweep-slurm').check();
    await page.locator('[data-testid="sweep-slurm-cluster"] option[value="local"]').waitFor({ state: 'attached' });
    await page.getByTestId('sweep-slurm-cluster').selectOption('local');
    await page.getByTestId('sweep-slurm-dir').fill(bundles);
    await page.locator('[data-testid="sweep-launch"]:enabled', { hasText: 'Submit to Slurm' }).click({ timeout: 30_000 });

    await page.getByTestId('nav-runs').click();
    await page.locator('[data-testid="runs-view"][data-ready="true"]').waitFor();
    const slurmRows = page.locator('[data-testid="run-row"]', { has: page.locator('[data-testid="run-slurm"]:not([data-job=""])') });
    await waitFor('two Slurm runs in the table', async () => (await slurmRows.count()) === 2, 30_000, 100);
    const jobs = (await slurmRows.getByTestId('run-slurm').evaluateAll((els) => els.map((e) => e.getAttribute('data-job') ?? ''))).sort();
    const jobId = jobs[0].split('_')[0];
    assert.deepEqual(jobs, [`${jobId}_0`, `${jobId}_1`]);
    // One sweep folder with its sbatch script, named after the form's sweep ("mnist-cnn: seed").
    assert.deepEqual(readdirSync(bundles), ['mnist-cnn-seed']);
    assert.match(readFileSync(join(bundles, 'mnist-cnn-seed', 'submit.sbatch'), 'utf8'), /#SBATCH --array=0-1\n/);
    await waitFor(
      'both Slurm runs completed',
      async () => (await slurmRows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).every((s) => s === 'completed'),
      240_000,
      200,
    );
    await screenshot(page, 'runs-slurm-from-app');
  },
);
