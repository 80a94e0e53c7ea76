// `noisynn serve` survives what killed it before: a config path that reached Object.prototype, a write
// lock another process held past SQLite's busy timeout while the queue pump wanted to claim a run, and
// a full disk under a checkpoint.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { resolveRunConfig } from '../../src-main/runner/lifecycle';
import { dbPath, openStore, runDir } from '../../src-main/store';
import { BUSY_TIMEOUT_MS } from '../../src-main/store/guard';
import { startApp, type App } from '../e2e/harness';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

async function post(
  app: App,
  method: string,
  body: unknown,
): Promise<{ status: number; body: { value?: unknown; error?: { message: string; code?: string } } }> {
  const r = await fetch(`${app.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-noisynn-token': app.token },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as { value?: unknown; error?: { message: string; code?: string } } };
}

test('a sweep axis __proto__.limit is refused with the field named; nothing is polluted and the server keeps serving', async () => {
  const app = await startApp();
  try {
    const r = await post(app, 'sweeps.create', {
      name: 'evil',
      base: { epochs: 1 },
      mode: 'grid',
      axes: [{ path: '__proto__.limit', values: [1] }],
    });
    assert.equal(r.status, 422);
    assert.equal(r.body.error?.code, 'invalid');
    assert.match(r.body.error?.message ?? '', /unknown config field '__proto__\.limit'/);
    // Two pump ticks (2 s each) later the server still answers, and a plain object has no `limit`.
    await sleep(4500);
    assert.equal(app.server.exitCode, null, 'serve is still running');
    const list = await post(app, 'runs.list', {});
    assert.deepEqual(list, { status: 200, body: { value: [] } });
    const q = await post(app, 'queue.state', {});
    assert.equal(q.status, 200);
  } finally {
    await app.close();
  }
});

test('CLI --set __proto__.x=1 and --set constructor.prototype.x=1 are refused before anything is written', () => {
  const dir = tempDir();
  for (const set of ['__proto__.x=1', 'constructor.prototype.x=1', 'noise.__proto__.x=1']) {
    const r = cli(dir, 'train', '--set', set, '--epochs', '1', '--json');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`unknown config field '${set.split('=')[0].replace(/\./g, '\\.')}'`));
  }
  const store = openStore(dir);
  try {
    assert.deepEqual(store.listRuns(), []);
  } finally {
    store.close();
  }
});

// Another process: queues a run, then holds the write lock for `holdMs` (longer than busy_timeout).
const LOCKER = `
const Database = require('better-sqlite3');
const [file, config, holdMs] = process.argv.slice(1);
const db = new Database(file, { timeout: 30000 });
db.prepare("INSERT INTO runs (status, config, seed, created_at) VALUES ('queued', ?, ?, ?)").run(config, JSON.parse(config).seed, new Date().toISOString());
db.exec('BEGIN IMMEDIATE');
console.log('locked');
setTimeout(() => { db.exec('COMMIT'); console.log('released'); db.close(); }, Number(holdMs));
`;

test('a write lock held by another process for longer than the busy timeout: the pump waits, then trains the run', async () => {
  const dataDir = tempDir();
  const store = openStore(dataDir);
  const { config, problems } = await resolveRunConfig(store, {
    preset: 'mnist-vit',
    limitTrain: 64,
    limitTest: 50,
    batchSize: 32,
    epochs: 1,
    replicas: 1,
  });
  assert.deepEqual(problems, []);
  const app = await startApp(dataDir);
  try {
    const holdMs = BUSY_TIMEOUT_MS + 3000;
    const locker = spawn(process.execPath, ['-e', LOCKER, dbPath(dataDir), JSON.stringify(config), String(holdMs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    locker.stdout.on('data', (d) => (out += d));
    const released = new Promise<void>((resolve) => locker.on('exit', () => resolve()));
    while (!out.includes('locked')) await sleep(50);
    await released;
    assert.match(out, /released/);
    assert.equal(app.server.exitCode, null, 'serve survived the lock');
    for (let i = 0; i < 1200 && store.getRun(1)?.status !== 'completed'; i++) await sleep(100);
    const run = store.getRun(1)!;
    assert.equal(run.status, 'completed', `${run.status}: ${run.error}`);
    assert.equal(store.evaluations(1).length, 1);
    assert.equal(store.integrityCheck(), 'ok');
  } finally {
    store.close();
    await app.close();
  }
});

test('disk full writing a checkpoint: the run fails saying so, no temp file stays, the server and the store are fine', async () => {
  const dataDir = tempDir();
  const app = await startApp(dataDir);
  const store = openStore(dataDir);
  try {
    const r = await post(app, 'runs.start', {
      config: { preset: 'mnist-vit', limitTrain: 64, limitTest: 50, batchSize: 32, epochs: 1, replicas: 1 },
    });
    const runId = (r.body.value as { runId: number }).runId;
    // A real ENOSPC from the kernel without root: the checkpoint's temporary file is /dev/full.
    const ckpt = join(runDir(dataDir, runId), 'epoch-0001.safetensors');
    mkdirSync(runDir(dataDir, runId), { recursive: true });
    symlinkSync('/dev/full', `${ckpt}.tmp`);
    for (let i = 0; i < 1200 && ['queued', 'running'].includes(store.getRun(runId)?.status ?? ''); i++) await sleep(100);
    const run = store.getRun(runId)!;
    assert.equal(run.status, 'failed');
    assert.equal(run.error, `disk full writing ${ckpt}`);
    assert.deepEqual(readdirSync(runDir(dataDir, runId)), [], 'the temporary file is gone and no checkpoint was recorded');
    assert.deepEqual(store.checkpoints(runId), []);
    assert.equal(store.integrityCheck(), 'ok');
    assert.equal(app.server.exitCode, null);
    assert.equal((await post(app, 'queue.state', {})).status, 200, 'the server still answers');
  } finally {
    store.close();
    await app.close();
  }
});
