// Sweeps on a real single-node Slurm (scripts/slurm-local.sh brings it up; needs Debian's slurm-wlm and munge,
// run as root): a 2x2 sweep as a job array equals the same sweep run locally to the last bit; a requeued task
// resumes from its checkpoint; sync is idempotent and incremental; a corrupt or truncated bundle imports nothing.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Emit } from '../../src-main/api/contract';
import { ClusterServices } from '../../src-main/api/services/cluster';
import { openStore } from '../../src-main/store';
import { cli, cnnRunFlags } from '../helpers/cli';
import { activeTasks, sh, startSlurm, stopSlurm, tryRun, waitFor } from '../helpers/slurm';
import { tempDir } from '../helpers/tmp';

// Tiny runs: 4 steps per epoch, 2 epochs, the wasm backend pinned, one replica (same numerics everywhere).
const TINY = [...cnnRunFlags({ epochs: 2, train: 256, test: 100 }), '--backend', 'wasm', '--noise', 'gaussian', '--noise-at', 'train'];
const GRID = ['--grid', 'noise.strength=0.1,0.3', '--grid', 'seed=1,2'];

/** Everything a run is, minus wall-clock facts (times, throughput), keyed by run name. */
type Metric = [string, number, number, number];
function results(dataDir: string): Record<string, { metrics: Metric[] } & Record<string, unknown>> {
  const store = openStore(dataDir);
  try {
    return Object.fromEntries(
      store.listRuns().map((r) => [
        r.name,
        {
          status: r.status,
          config: r.config,
          epochsDone: r.epochsDone,
          stepsDone: r.stepsDone,
          summary: r.summary,
          metrics: store
            .metrics(r.id)
            .filter((m) => m.key !== 'epoch/images_per_second')
            .map((m): Metric => [m.key, m.step, m.epoch, m.value]),
          evaluations: store.evaluations(r.id).map(({ createdAt: _c, runId: _r, ...e }) => e),
          checkpoints: store.checkpoints(r.id).map((c) => [c.epoch, c.step, c.sha256]),
        },
      ]),
    );
  } finally {
    store.close();
  }
}

/** The raw rows of every run (with their bundle times), for sync-vs-sync comparisons. */
function rows(dataDir: string) {
  const store = openStore(dataDir);
  try {
    return store
      .listRuns()
      .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))
      .map((r) => {
        const { id: _id, createdAt: _c, ...run } = r;
        return {
          run,
          cluster: { ...store.clusterRun(r.id), runId: 0, syncedAt: '' },
          metrics: store.metrics(r.id).map(({ runId: _r, ...m }) => m),
          evaluations: store.evaluations(r.id).map(({ runId: _r, ...e }) => e),
          checkpoints: store.checkpoints(r.id).map(({ runId: _r, createdAt: _c2, ...c }) => c),
        };
      });
  } finally {
    store.close();
  }
}

before(startSlurm);
after(stopSlurm);

let sweepDir = '';

test('a 2x2 sweep on Slurm is a 4-task array whose synced runs equal the local sweep to the last bit; sync is incremental and idempotent', async () => {
  const bundles = tempDir();
  const live = tempDir();
  const submit = cli(live, 'sweep', 'submit', '--name', 'grid', ...TINY, ...GRID, '--slurm', '--bundle-dir', bundles, '--json');
  assert.equal(submit.code, 0, submit.stderr);
  const jobId = String(submit.json!.jobId);
  sweepDir = String(submit.json!.sweepDir);
  assert.equal(submit.json!.runs, 4);
  // Synced over and over while the array runs: the store follows the bundles as they grow.
  let syncs = 0;
  await waitFor(
    'the array to finish',
    () => {
      const s = cli(live, 'sync', sweepDir, '--json');
      assert.ok(s.code === 0, s.stdout + s.stderr);
      syncs++;
      return activeTasks(jobId).length === 0;
    },
    180_000,
    300,
  );
  assert.equal(cli(live, 'sync', sweepDir).code, 0);
  assert.ok(syncs >= 2, `synced ${syncs} times while running`);
  const tasks = sh('squeue', '-h', '-r', '--states=all', '-j', jobId, '-o', '%i %T').trim().split('\n').sort();
  assert.deepEqual(
    tasks,
    [0, 1, 2, 3].map((i) => `${jobId}_${i} COMPLETED`),
  );

  const once = tempDir();
  const first = cli(once, 'sync', sweepDir, '--json');
  assert.equal(first.code, 0, first.stderr);
  const res = first.json!.results as { status: string; created: boolean; newMetrics: number }[];
  assert.deepEqual(
    res.map((r) => [r.status, r.created]),
    Array(4).fill(['completed', true]),
  );
  assert.ok(
    res.every((r) => r.newMetrics === 36),
    JSON.stringify(res),
  );
  assert.deepEqual(rows(live), rows(once), 'synced while growing = synced once at the end');
  const again = cli(once, 'sync', sweepDir, '--json');
  assert.deepEqual(
    (again.json!.results as { created: boolean; newMetrics: number }[]).map((r) => [r.created, r.newMetrics]),
    Array(4).fill([false, 0]),
  );
  assert.deepEqual(rows(once), rows(live), 'a second sync changes nothing');
  const store = openStore(once);
  try {
    const jobs = store
      .clusterRuns()
      .map((c) => c.slurmJob)
      .sort();
    assert.deepEqual(
      jobs,
      [0, 1, 2, 3].map((i) => `${jobId}_${i}`),
    );
  } finally {
    store.close();
  }

  const local = tempDir();
  const l = cli(local, 'sweep', 'submit', '--name', 'grid', ...TINY, ...GRID, '--json');
  assert.equal(l.code, 0, l.stderr);
  const a = results(once);
  const b = results(local);
  assert.deepEqual(Object.keys(a).sort(), ['grid-0000', 'grid-0001', 'grid-0002', 'grid-0003']);
  for (const name of Object.keys(b)) assert.deepEqual(a[name], b[name], `${name}: Slurm run = local run`);
  // Guard against a vacuous comparison: the points differ from each other.
  assert.notDeepEqual(a['grid-0000'].metrics, a['grid-0001'].metrics);
});

test('a task requeued mid-run resumes from its checkpoint: each step once, and the same numbers as an uninterrupted run', async () => {
  const bundles = tempDir();
  const data = tempDir();
  const args = [...cnnRunFlags({ epochs: 3, train: 1024, test: 100, batch: 32 }), '--backend', 'wasm', '--grid', 'seed=7'];
  const submit = cli(data, 'sweep', 'submit', '--name', 'requeue', ...args, '--slurm', '--bundle-dir', bundles, '--json');
  assert.equal(submit.code, 0, submit.stderr);
  const jobId = String(submit.json!.jobId);
  const bundle = join(String(submit.json!.sweepDir), 'runs', '0000');
  const lines = (f: string) =>
    readFileSync(join(bundle, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { k?: string; s: number });
  // After the first checkpoint (epoch 1 = step 32), once steps past it are written: requeue the running task.
  await waitFor(
    'steps after the first checkpoint',
    () => lines('checkpoints.jsonl').length > 0 && lines('metrics.jsonl').some((m) => m.k !== undefined && m.s > 33),
    120_000,
    50,
  );
  sh('scontrol', 'requeue', `${jobId}_0`);
  await waitFor('the task to stop', () => JSON.parse(readFileSync(join(bundle, 'status.json'), 'utf8')).state !== 'running', 60_000);
  const mid = cli(data, 'sync', bundle, '--json');
  assert.equal(mid.code, 0, mid.stderr);
  assert.equal((mid.json!.results as { status: string }[])[0].status, 'queued', 'requeued: waiting in Slurm again');
  // Slurm holds a requeued batch job for ~2 minutes; let it start now.
  await waitFor('the requeued task to be eligible', () => tryRun('scontrol', 'update', `jobid=${jobId}_0`, 'StartTime=now'), 30_000, 500);
  await waitFor('the requeued task to finish', () => activeTasks(jobId).length === 0, 120_000, 300);
  const status = JSON.parse(readFileSync(join(bundle, 'status.json'), 'utf8'));
  assert.equal(status.state, 'completed');
  assert.equal(status.attempt, 2);
  assert.ok(lines('metrics.jsonl').filter((m) => m.k === 'train/loss').length > 96, 'the interrupted attempt wrote steps that were redone');
  assert.match(readFileSync(join(String(submit.json!.sweepDir), 'logs', 'task-0.out'), 'utf8'), /resumes from epoch 1/);

  const end = cli(data, 'sync', bundle, '--json');
  assert.equal(end.code, 0, end.stderr);
  const synced = results(data)['requeue-0000'];
  const steps = synced.metrics.filter((m) => m[0] === 'train/loss').map((m) => m[1]);
  assert.deepEqual(
    steps,
    Array.from({ length: 96 }, (_, i) => i + 1),
    'each step exactly once',
  );
  const fresh = tempDir();
  assert.equal(cli(fresh, 'sync', bundle).code, 0);
  assert.deepEqual(
    rows(data).map((r) => r.metrics),
    rows(fresh).map((r) => r.metrics),
    'synced before and after the requeue = synced once',
  );

  const local = tempDir();
  assert.equal(cli(local, 'sweep', 'submit', '--name', 'requeue', ...args).code, 0);
  // The resume is marked where the charts draw it (as a local resume marks it); the rest is equal.
  const { resumedFrom, ...summary } = synced.summary as Record<string, unknown>;
  assert.deepEqual(resumedFrom, [32], 'resumed from the epoch 1 checkpoint (step 32)');
  assert.deepEqual({ ...synced, summary }, results(local)['requeue-0000'], 'resumed on Slurm = uninterrupted local run');
});

test('a corrupt or truncated bundle is a named error and imports nothing of its run; good bundles beside it still import', () => {
  assert.ok(sweepDir, 'needs the sweep of the first test');
  const good = join(sweepDir, 'runs', '0000');
  const cases: [string, (dir: string) => void, RegExp][] = [
    [
      'cut-off metrics',
      (d) => {
        const f = join(d, 'metrics.jsonl');
        truncateSync(f, readFileSync(f).length - 7);
      },
      /is truncated: metrics\.jsonl has 35 complete lines and a cut-off one, status\.json recorded 36/,
    ],
    [
      'lost lines',
      (d) => {
        const f = join(d, 'evaluations.jsonl');
        writeFileSync(f, readFileSync(f, 'utf8').split('\n').slice(1).join('\n'));
      },
      /is truncated: evaluations\.jsonl has 1 complete lines, status\.json recorded 2/,
    ],
    [
      'garbage line',
      (d) => {
        const f = join(d, 'metrics.jsonl');
        const l = readFileSync(f, 'utf8').split('\n');
        l[4] = '{"k":"train/loss","s":';
        writeFileSync(f, l.join('\n'));
      },
      /metrics\.jsonl line 5 is corrupt/,
    ],
    [
      'changed checkpoint',
      (d) => {
        const f = join(d, 'checkpoints', 'epoch-0002.safetensors');
        const b = readFileSync(f);
        b[b.length - 1] ^= 1;
        writeFileSync(f, b);
      },
      /checkpoint epoch-0002\.safetensors does not match its recorded sha256/,
    ],
    ['no status', (d) => rmSync(join(d, 'status.json')), /status\.json cannot be read: ENOENT/],
  ];
  for (const [what, damage, message] of cases) {
    const copies = tempDir();
    const bad = join(copies, 'bad');
    cpSync(good, bad, { recursive: true });
    cpSync(join(sweepDir, 'runs', '0001'), join(copies, 'ok'), { recursive: true });
    damage(bad);
    const data = tempDir();
    const r = cli(data, 'sync', copies, '--json');
    assert.equal(r.code, 1, `${what}: ${r.stdout}`);
    const [b, ok] = r.json!.results as { dir: string; error?: string; status?: string }[];
    assert.equal(b.dir, bad);
    assert.match(b.error ?? '', message, what);
    assert.match(b.error ?? '', /^bundle \//, `${what}: the error names the bundle`);
    assert.equal(ok.status, 'completed', `${what}: the good bundle still imports`);
    const store = openStore(data);
    try {
      assert.deepEqual(
        store.listRuns().map((x) => x.name),
        ['grid-0001'],
        `${what}: nothing of the bad run`,
      );
    } finally {
      store.close();
    }
  }
});

test('the app side: cancel is scancel (the run shows cancelled); a task that dies without finishing shows crashed with the Slurm state', async () => {
  const bundles = tempDir();
  const data = tempDir();
  const args = [...cnnRunFlags({ epochs: 6, train: 1024, test: 100, batch: 32 }), '--backend', 'wasm', '--grid', 'seed=1,2'];
  const submit = cli(data, 'sweep', 'submit', '--name', 'app', ...args, '--slurm', '--bundle-dir', bundles, '--json');
  assert.equal(submit.code, 0, submit.stderr);
  const jobId = String(submit.json!.jobId);
  const store = openStore(data);
  const events: { event: string; payload: { runId: number; status?: string; error?: string } }[] = [];
  const services = new ClusterServices(store, data, ((event: string, payload: { runId: number }) =>
    events.push({ event, payload })) as Emit);
  try {
    const synced = await services.sync({ paths: [String(submit.json!.sweepDir)] });
    const [cancelled, killed] = synced.results.map((r) => r.runId!);
    const status = (id: number) => store.getRun(id)!.status;
    await waitFor(
      'both tasks running',
      () => {
        services.poll();
        return status(cancelled) === 'running' && status(killed) === 'running';
      },
      120_000,
      300,
    );
    assert.ok(events.some((e) => e.event === 'run.status' && e.payload.runId === cancelled && e.payload.status === 'running'));
    services.cancel(cancelled);
    const bundle1 = join(String(submit.json!.sweepDir), 'runs', '0001');
    const pid = JSON.parse(readFileSync(join(bundle1, 'status.json'), 'utf8')).pid as number;
    process.kill(pid, 'SIGKILL');
    await waitFor('both tasks gone from Slurm', () => activeTasks(jobId).length === 0, 60_000);
    await waitFor(
      'the app to see both ends',
      () => {
        services.poll();
        return status(cancelled) === 'cancelled' && status(killed) === 'crashed';
      },
      30_000,
      300,
    );
    assert.match(store.getRun(cancelled)!.error ?? '', new RegExp(`Slurm task ${jobId}_0 was CANCELLED`));
    assert.match(store.getRun(killed)!.error ?? '', new RegExp(`Slurm task ${jobId}_1 ended FAILED without finishing`));
    assert.equal(store.clusterRun(killed)!.slurmState, 'FAILED');
    assert.ok(events.some((e) => e.event === 'run.status' && e.payload.runId === killed && e.payload.status === 'crashed'));
    assert.throws(() => services.resume(killed), /scontrol requeue/);
  } finally {
    services.dispose();
    store.close();
  }
});

test('study reproduce --slurm: the study as one array; after a sync the report is written from the cluster runs, none run here', async () => {
  const bundles = tempDir();
  const data = tempDir();
  const out = tempDir();
  const submit = cli(data, 'study', 'reproduce', '--smoke', '--slurm', '--backend', 'wasm', '--bundle-dir', bundles, '--json');
  assert.equal(submit.code, 0, submit.stderr);
  assert.equal(submit.json!.runs, 16);
  const jobId = String(submit.json!.jobId);
  const sweep = String(submit.json!.sweepDir);
  assert.equal(cli(data, 'sync', sweep).code, 0);
  const early = cli(data, 'study', 'reproduce', '--smoke', '--out', out);
  assert.equal(early.code, 1);
  assert.match(early.stderr, /16 runs of 'reproduce-smoke' have not finished on the cluster yet: sync their bundles first/);
  await waitFor('the study array to finish', () => activeTasks(jobId).length === 0, 240_000, 500);
  const sync = cli(data, 'sync', sweep, '--json');
  assert.equal(sync.code, 0, sync.stderr);
  assert.ok((sync.json!.results as { status: string }[]).every((r) => r.status === 'completed'));
  const report = cli(data, 'study', 'reproduce', '--smoke', '--out', out, '--json');
  assert.equal(report.code, 0, report.stderr);
  assert.equal(report.json!.runs, 16);
  assert.equal(report.json!.completed, 16);
  assert.match(report.stderr, /16 runs, 0 new, 16 already completed/, 'nothing was trained here');
  assert.ok(readFileSync(String(report.json!.markdown), 'utf8').length > 0);
  const store = openStore(data);
  try {
    assert.equal(store.clusterRuns().length, 16, 'every study run came from the cluster');
    assert.equal(store.listRuns().length, 16);
  } finally {
    store.close();
  }
});
