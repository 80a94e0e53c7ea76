import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openStore } from '../../src-main/store/index';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'noisynn-store-recovery-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

test('reopening marks running runs of dead trainers on this host as crashed, and only those', async () => {
  const dir = path.join(root, 'crash');
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const pid = child.pid!;
  let store = openStore(dir);
  const dead = store.createRun({ config: {}, seed: 1 });
  const alive = store.createRun({ config: {}, seed: 2 });
  const elsewhere = store.createRun({ config: {}, seed: 3 });
  store.startRun(dead, { pid, backend: 'cpu' });
  store.startRun(alive, { pid: process.pid, backend: 'cpu' });
  store.startRun(elsewhere, { pid, backend: 'cpu', host: 'some-other-host' });
  store.addMetrics([{ runId: dead, key: 'loss', step: 1, epoch: 0, value: 2, time: 1 }]);
  store.close();

  child.kill('SIGKILL');
  await exited(child); // reaped, so kill(pid, 0) now reports ESRCH

  store = openStore(dir);
  try {
    const run = store.getRun(dead)!;
    assert.equal(run.status, 'crashed');
    assert.equal(run.error, `trainer process ${pid} is gone`);
    assert.ok(run.endedAt);
    assert.equal(store.metrics(dead).length, 1, 'metrics survive the crash');
    assert.equal(store.getRun(alive)!.status, 'running');
    assert.equal(store.getRun(elsewhere)!.status, 'running', 'another host decides about its own runs');
    assert.deepEqual(store.recoverCrashedRuns(), [], 'nothing left to recover');

    // While the app stays open: a resumed trainer dies and the sweep catches it.
    const second = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    store.startRun(dead, { pid: second.pid!, backend: 'cpu' });
    assert.deepEqual(store.recoverCrashedRuns(), []);
    second.kill('SIGKILL');
    await exited(second);
    assert.deepEqual(store.recoverCrashedRuns(), [dead]);
    assert.equal(store.getRun(dead)!.error, `trainer process ${second.pid} is gone`);
  } finally {
    store.close();
  }
});

const WORKER = `
import { openStore } from ${JSON.stringify(pathToFileURL(path.join(repo, 'src-main/store/index.ts')).href)};
const [dataDir, runId, worker] = process.argv.slice(2);
const store = openStore(dataDir);
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  for (let t = 0; t < 50; t++) {
    store.addMetrics(Array.from({ length: 10 }, (_, i) => ({
      runId: Number(runId), key: 'w' + worker, step: t * 10 + i, epoch: t / 50, value: t * 10 + i, time: Date.now() / 1000,
    })));
  }
  store.close();
  process.exit(0);
});
`;

test('4 processes writing metrics to the same file at once lose nothing', async () => {
  const dir = path.join(root, 'concurrent');
  const script = path.join(root, 'worker.mjs');
  fs.writeFileSync(script, WORKER);
  const store = openStore(dir);
  const runId = store.createRun({ config: {}, seed: 1 });
  store.close();

  const children = [0, 1, 2, 3].map((w) =>
    spawn(process.execPath, ['--import', 'tsx', script, dir, String(runId), String(w)], { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  const stderr = children.map(() => '');
  children.forEach((c, i) => c.stderr!.on('data', (d) => (stderr[i] += d)));
  // Hold every worker until all have the database open, so their writes overlap.
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          c.stdout!.once('data', () => resolve());
          c.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
        }),
    ),
  ).catch((err) => {
    throw new Error(`${err.message}\n${stderr.join('\n')}`);
  });
  for (const c of children) c.stdin!.write('go\n');
  const codes = await Promise.all(children.map(exited));
  assert.deepEqual(codes, [0, 0, 0, 0], stderr.join('\n'));

  const check = openStore(dir);
  try {
    const rows = check.metrics(runId);
    assert.equal(rows.length, 2000);
    assert.deepEqual(check.metricKeys(runId), ['w0', 'w1', 'w2', 'w3']);
    for (const key of ['w0', 'w1', 'w2', 'w3']) {
      assert.deepEqual(
        check.metrics(runId, key).map((r) => r.value),
        Array.from({ length: 500 }, (_, i) => i),
      );
    }
    assert.equal(check.integrityCheck(), 'ok');
  } finally {
    check.close();
  }
});
