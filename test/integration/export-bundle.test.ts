// `noisynn export RUN --format bundle` and `noisynn sync` in another data dir: the imported run has the original's
// metrics, evaluations and checkpoints row for row; syncing again, or a second export of the same run, changes nothing.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createServices } from '../../src-main/api/services';
import { WorkbenchError } from '../../src-main/errors';
import { openStore, type Store } from '../../src-main/store';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const home = tempDir();
let runId = 0;

before(() => {
  const r = cli(
    home,
    'train',
    '--preset',
    'mnist-cnn',
    '--layers',
    '1,1,1,1',
    '--widths',
    '8,8,8,8',
    '--epochs',
    '2',
    '--limit-train',
    '128',
    '--limit-test',
    '50',
    '--batch-size',
    '32',
    '--test-batch-size',
    '10',
    '--replicas',
    '1',
    '--noise',
    'linear-shift',
    '--strength',
    '0.5',
    '--noise-stage',
    '4',
    '--noise-block',
    '1',
    '--noise-at',
    'both',
    '--name',
    'sent',
    '--json',
  );
  assert.equal(r.code, 0, r.stderr);
  runId = r.json!.runId as number;
  assert.equal(cli(home, 'runs', 'tag', String(runId), 'to-send').code, 0);
});

const read = <T>(dir: string, f: (s: Store) => T): T => {
  const s = openStore(dir, { readOnly: true });
  try {
    return f(s);
  } finally {
    s.close();
  }
};
const rows = (s: Store, id: number) => ({
  metrics: s.metrics(id).map(({ runId: _, ...m }) => m),
  evaluations: s.evaluations(id).map(({ runId: _, ...e }) => e),
  checkpoints: s.checkpoints(id).map((c) => [c.epoch, c.step, c.sha256, c.bytes]),
});

test('an exported run imports into another data dir row for row; re-syncing and re-exporting change nothing', () => {
  const out = join(tempDir(), 'bundle');
  const e = cli(home, 'export', String(runId), '--format', 'bundle', '--out', out, '--json');
  assert.equal(e.code, 0, e.stderr);
  const original = read(home, (s) => ({ run: s.getRun(runId)!, ...rows(s, runId) }));
  assert.ok(original.metrics.length > 10 && original.evaluations.length >= 2 && original.checkpoints.length === 2, JSON.stringify(e.json));
  assert.deepEqual(e.json, {
    runId,
    dir: out,
    uuid: e.json!.uuid,
    metrics: original.metrics.length,
    evaluations: original.evaluations.length,
    checkpoints: 2,
  });
  assert.deepEqual(readdirSync(join(out, 'checkpoints')).length, 2);

  const other = tempDir();
  const s1 = cli(other, 'sync', out, '--json');
  assert.equal(s1.code, 0, s1.stderr);
  const [r1] = s1.json!.results as { runId: number; created: boolean; status: string }[];
  assert.equal(r1.created, true);
  assert.equal(r1.status, 'completed');
  const imported = read(other, (s) => ({ run: s.getRun(r1.runId)!, ...rows(s, r1.runId), cluster: s.clusterRun(r1.runId)! }));
  assert.deepEqual(imported.metrics, original.metrics);
  assert.deepEqual(imported.evaluations, original.evaluations);
  assert.deepEqual(imported.checkpoints, original.checkpoints);
  for (const k of [
    'name',
    'status',
    'config',
    'seed',
    'datasetHash',
    'versions',
    'gitCommit',
    'backend',
    'host',
    'startedAt',
    'endedAt',
    'error',
    'epochsDone',
    'stepsDone',
    'imagesPerSecond',
    'summary',
    'tags',
  ] as const) {
    assert.deepEqual(imported.run[k], original.run[k], k);
  }
  assert.equal(imported.cluster.uuid, e.json!.uuid);
  assert.equal(imported.cluster.slurmJob, null);

  const again = cli(other, 'sync', out, '--json');
  assert.equal(again.code, 0, again.stderr);
  assert.equal((again.json!.results as { created: boolean }[])[0].created, false);
  const second = join(tempDir(), 'bundle-again');
  assert.equal(cli(home, 'export', String(runId), '--format', 'bundle', '--out', second).code, 0);
  const s3 = cli(other, 'sync', second, '--json');
  assert.equal(s3.code, 0, s3.stderr);
  assert.deepEqual(
    (s3.json!.results as { runId: number; created: boolean }[]).map((r) => [r.runId, r.created]),
    [[r1.runId, false]],
  );
  read(other, (s) => {
    assert.equal(s.listRuns().length, 1);
    assert.deepEqual(rows(s, r1.runId), {
      metrics: original.metrics,
      evaluations: original.evaluations,
      checkpoints: original.checkpoints,
    });
  });

  // An imported run exported again keeps its identity.
  const third = join(tempDir(), 'bundle-3');
  const e3 = cli(other, 'export', String(r1.runId), '--format', 'bundle', '--out', third, '--json');
  assert.equal(e3.code, 0, e3.stderr);
  assert.equal(e3.json!.uuid, e.json!.uuid);
});

test('export --format bundle names what is wrong and leaves nothing behind', () => {
  const busy = tempDir();
  writeFileSync(join(busy, 'keep.txt'), 'x');
  const notEmpty = cli(home, 'export', String(runId), '--format', 'bundle', '--out', busy);
  assert.equal(notEmpty.code, 1);
  assert.match(notEmpty.stderr, /is not empty: a bundle needs a folder of its own/);
  assert.deepEqual(readdirSync(busy), ['keep.txt']);
  const missing = cli(home, 'export', '999', '--format', 'bundle', '--out', join(tempDir(), 'x'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /run 999 not found/);
  const store = openStore(home);
  const queued = store.createRun({ config: store.getRun(runId)!.config, seed: 1, status: 'queued' });
  store.close();
  const unfinished = join(tempDir(), 'q');
  const refused = cli(home, 'export', String(queued), '--format', 'bundle', '--out', unfinished);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`run ${queued} is queued: export it when it has ended`));
  assert.equal(existsSync(unfinished), false);
});

test('runs.exportBundle and cluster.sync through the services (what the app calls): absolute folders only, same rows', async () => {
  const src = await createServices({ dataDir: home, transport: 'http', emit: () => {} });
  const other = tempDir();
  const dst = await createServices({ dataDir: other, transport: 'http', emit: () => {} });
  try {
    await assert.rejects(
      src.handlers['runs.exportBundle']({ id: runId, dir: 'relative/bundle' }),
      (e: WorkbenchError) => e.code === 'invalid' && e.field === 'dir' && /absolute folder path/.test(e.message),
    );
    const dir = join(tempDir(), 'via-api');
    const out = await src.handlers['runs.exportBundle']({ id: runId, dir });
    assert.equal(out.dir, dir);
    const { results } = await dst.handlers['cluster.sync']({ paths: [dir] });
    assert.deepEqual(
      results.map((r) => [r.created, r.status, r.error]),
      [[true, 'completed', null]],
    );
    const imported = read(other, (s) => rows(s, results[0].runId!));
    assert.deepEqual(
      imported,
      read(home, (s) => rows(s, runId)),
    );
    const listed = await dst.handlers['runs.list']({});
    assert.equal(listed[0].cluster?.bundlePath, dir);
    assert.equal(listed[0].cluster?.slurmJob, null);
  } finally {
    await src.dispose();
    await dst.dispose();
  }
});
