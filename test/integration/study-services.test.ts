// study.start / study.progress / study.tables over a real store and a real study process: the committed
// quick CSV is read as the report wrote it, bad requests are named, a second start of a running study is
// refused, and the server's shutdown stops the study as Ctrl-C would (its runs go back to the queue).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createServices } from '../../src-main/api/services';
import { openStore } from '../../src-main/store';
import { tempDir } from '../helpers/tmp';

const root = join(import.meta.dirname, '..', '..');

test('study services: committed tables, start, progress, refusal while running, stop on shutdown', { timeout: 300_000 }, async () => {
  const dataDir = tempDir();
  // A k-sweep CSV beside a study's table has other columns: not listed as a study table.
  mkdirSync(join(dataDir, 'study'));
  writeFileSync(join(dataDir, 'study', 'reproduction-standard-ksweep.csv'), 'dataset,model,protocol,k,n,top1_mean_pct,top1_std_pct\n');
  writeFileSync(join(dataDir, 'study', 'reproduction-standard.csv'), readFileSync(join(root, 'docs', 'reproduction-quick.csv')));
  const s = await createServices({ dataDir, transport: 'http', emit: () => {} });
  let disposed = false;
  try {
    const files = await s.handlers['study.tables']({});
    const quick = files.find((f) => f.path === join(root, 'docs', 'reproduction-quick.csv'));
    assert.ok(quick, 'the committed quick study is listed');
    assert.equal(quick.source, 'committed');
    assert.equal(quick.error, null);
    const lines = readFileSync(quick.path, 'utf8').trim().split('\n');
    assert.equal(quick.rows!.length, lines.length - 1);
    const first = lines[1].split(',');
    assert.equal(quick.rows![0].dataset, first[0]);
    assert.ok(Math.abs(quick.rows![0].top1!.mean * 100 - Number(first[7])) < 1e-9);
    assert.ok(
      files.every((f) => !/ksweep/.test(f.path)),
      'a k-sweep CSV is not a study table',
    );
    const mine = files.find((f) => f.path === join(dataDir, 'study', 'reproduction-standard.csv'));
    assert.equal(mine?.source, 'data dir');
    assert.equal(mine?.label, 'reproduction-standard.csv (data dir)');
    assert.equal(mine?.rows?.length, quick.rows!.length);

    await assert.rejects(
      s.handlers['study.start']({ mode: 'huge' }),
      /study mode must be one of quick, standard, smoke, standard-smoke \(got 'huge'\)/,
    );
    await assert.rejects(s.handlers['study.progress']({ name: 'my-sweep' }), /'my-sweep' is not a study/);
    const idle = await s.handlers['study.progress']({ name: 'reproduce-standard' });
    assert.deepEqual({ state: idle.state, total: idle.total, completed: idle.completed }, { state: 'idle', total: 156, completed: 0 });

    const started = await s.handlers['study.start']({ mode: 'standard-smoke' });
    assert.equal(started.state, 'running');
    assert.equal(started.total, 7);
    await assert.rejects(s.handlers['study.start']({ mode: 'standard-smoke' }), /study 'reproduce-standard-smoke' is already running/);
    // Wait until the study has made its runs and a trainer is at work.
    const deadline = Date.now() + 120_000;
    let p = started;
    while (Date.now() < deadline && p.running === 0) {
      await new Promise((r) => setTimeout(r, 500));
      p = await s.handlers['study.progress']({ name: 'reproduce-standard-smoke' });
    }
    assert.ok(p.running > 0, `a run of the study is running: ${JSON.stringify(p)}`);
    assert.equal(p.queued + p.running + p.completed, 5, 'its 5 trainings are in the store (the 2 cells come with their weights)');
    await s.dispose();
    disposed = true;
    const store = openStore(dataDir, { readOnly: true });
    try {
      const runs = store.listRuns({ tag: 'study:reproduce-standard-smoke' });
      assert.equal(runs.filter((r) => r.status === 'running').length, 0, 'nothing left running after the shutdown');
      assert.ok(
        runs.some((r) => r.status === 'queued'),
        'interrupted runs are back in the queue',
      );
    } finally {
      store.close();
    }
  } finally {
    if (!disposed) await s.dispose();
  }
});
