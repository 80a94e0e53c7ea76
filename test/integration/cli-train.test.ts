// `noisynn train / eval / runs / export` end to end on real MNIST, through real processes and SQLite files.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { initBackend } from '../../src-main/engine/backend';
import { openStore } from '../../src-main/store';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const small = ['--limit-train', '320', '--limit-test', '300', '--batch-size', '32'];

test('train --json records a complete run: metrics, evaluation, verified checkpoint', async () => {
  const dir = tempDir();
  const r = cli(dir, 'train', '--preset', 'mnist-cnn', '--epochs', '1', ...small, '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = r.json!;
  assert.deepEqual(Object.keys(out).sort(), ['backend', 'epochs', 'imagesPerSecond', 'runId', 'status', 'testTop1', 'testTop5']);
  assert.equal(out.status, 'completed');
  // Whatever the chain chooses on this machine; '+fma' marks wasm's fused multiply-add GEMMs.
  assert.equal(String(out.backend).replace(/\+fma$/, ''), (await initBackend('auto')).name);
  assert.ok((out.testTop1 as number) > 0.2, `learned something: ${out.testTop1}`);
  const store = openStore(dir);
  try {
    const run = store.getRun(out.runId as number)!;
    assert.equal(run.status, 'completed');
    assert.equal(run.backend, out.backend);
    assert.equal(run.epochsDone, 1);
    assert.equal(store.params(run.id)['noise.type'], 'none');
    assert.equal(store.metrics(run.id, 'train/loss').length, 10);
    assert.deepEqual(
      store.metrics(run.id, 'test/top1').map((m) => m.value),
      [out.testTop1],
    );
    const [ckpt] = store.checkpoints(run.id);
    assert.equal(createHash('sha256').update(readFileSync(ckpt.path)).digest('hex'), ckpt.sha256);
    assert.equal(store.evaluations(run.id).length, 1);
    assert.ok(run.versions?.['@tensorflow/tfjs-core']);
  } finally {
    store.close();
  }
  const csv = cli(dir, 'export', String(out.runId), '--format', 'csv');
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trim().split('\n');
  assert.equal(lines[0], 'run_id,key,step,epoch,value,time');
  assert.equal(lines.length, 1 + 30 + 6);
  const json = cli(dir, 'export', String(out.runId), '--format', 'json');
  assert.equal(JSON.parse(json.stdout).metrics.length, 36);
  const list = cli(dir, 'runs', 'list', '--json');
  assert.equal((list.json!.runs as unknown[]).length, 1);
});

test('linear-optimal at eval: single equals the noise-free model; sorted and shuffled differ', () => {
  const dir = tempDir();
  const t = cli(
    dir,
    'train',
    '--preset',
    'mnist-vit',
    '--epochs',
    '1',
    ...small,
    '--limit-test',
    '500',
    '--noise',
    'linear-optimal',
    '--noise-at',
    'eval',
    '--noise-block',
    '3',
    '--json',
  );
  assert.equal(t.code, 0, t.stderr);
  const e = cli(dir, 'eval', String(t.json!.runId), '--protocol', 'all', '--json');
  assert.equal(e.code, 0, e.stderr);
  type Row = { protocol: string; noise: string; batch: number; top1: number; loss: number; n: number };
  const rows = e.json!.evaluations as Row[];
  const get = (p: string, noise: string) => rows.find((r) => r.protocol === p && r.noise === noise)!;
  assert.deepEqual(
    rows.map((r) => `${r.protocol}/${r.noise}`),
    ['sorted/on', 'shuffled/on', 'single/on', 'standard/off'],
  );
  assert.equal(get('single', 'on').batch, 1);
  assert.equal(get('sorted', 'on').batch, 10);
  assert.equal(get('single', 'on').top1, get('standard', 'off').top1);
  assert.ok(Math.abs(get('single', 'on').loss - get('standard', 'off').loss) < 1e-5);
  assert.notEqual(get('sorted', 'on').loss, get('shuffled', 'on').loss, 'batch composition changes the result');
  const store = openStore(dir);
  try {
    const protocols = store.evaluations(t.json!.runId as number).map((x) => x.protocol);
    for (const p of ['sorted', 'shuffled', 'single']) assert.ok(protocols.includes(p as never), `${p} stored`);
  } finally {
    store.close();
  }
});
