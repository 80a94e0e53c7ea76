// A real full disk under `noisynn serve`: the data dir lives on a small tmpfs, a run trains, and the test fills
// the filesystem. The trainer's next metric write meets SQLITE_FULL; the run ends `failed` saying the disk is full
// (written into the space of the store's disk reserve), the server keeps answering, the store is intact, no
// temporary file stays, and the queue holds the next run until there is room again, then trains it.
// Mounting needs root: outside CI a non-root run skips with the reason; under CI=true (root) it must mount.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { openStore } from '../../src-main/store';
import { reservePath } from '../../src-main/store/reserve';
import { startApp, type App } from '../e2e/harness';

const mnt = mkdtempSync('/tmp/noisynn-full-');
const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt], { encoding: 'utf8' });
const mounted = mount.status === 0;
if (!mounted && process.env.CI === 'true')
  throw new Error(`cannot mount a tmpfs at ${mnt} (CI runs as root and must): ${mount.stderr || mount.error?.message}`);
const skip = mounted ? false : `mounting a tmpfs needs root (${(mount.stderr || String(mount.error?.message)).trim()})`;

after(() => {
  if (mounted) spawnSync('umount', ['-l', mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

async function post(app: App, method: string, body: unknown): Promise<{ status: number; value?: unknown; error?: { message: string } }> {
  const r = await fetch(`${app.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-noisynn-token': app.token },
    body: JSON.stringify(body),
  });
  return { status: r.status, ...((await r.json()) as object) };
}

/** Writes `file` until the filesystem refuses: a real ENOSPC from the kernel. */
function fill(file: string): void {
  const fd = openSync(file, 'a');
  const block = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, block);
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
}

const tmpFiles = (dir: string) =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => /\.tmp|-journal$/.test(f));

test(
  'SQLITE_FULL in a trainer under serve: the run fails naming the full disk, the server and store survive, the queue waits for room',
  { skip },
  async () => {
    const dataDir = join(mnt, 'data');
    mkdirSync(dataDir);
    const app = await startApp(dataDir);
    const store = openStore(dataDir, { readOnly: true });
    try {
      assert.ok(existsSync(reservePath(dataDir)), 'a writable store keeps its disk reserve');
      const small = { preset: 'mnist-cnn', limitTrain: 256, limitTest: 10, batchSize: 8, replicas: 1 };
      const a = (await post(app, 'runs.start', { config: { ...small, epochs: 50 } })).value as { runId: number };
      const b = (await post(app, 'runs.start', { config: { ...small, epochs: 1, limitTrain: 32 } })).value as { runId: number };
      for (let i = 0; i < 1200 && (store.lastStep(a.runId) ?? 0) < 3; i++) await sleep(100);
      assert.ok((store.lastStep(a.runId) ?? 0) >= 3, 'run A trains');
      fill(join(mnt, 'filler'));
      for (let i = 0; i < 1200 && store.getRun(a.runId)!.status === 'running'; i++) await sleep(100);
      const runA = store.getRun(a.runId)!;
      assert.equal(runA.status, 'failed');
      assert.equal(runA.error, `disk full writing the store at ${store.path}: database or disk is full`);
      assert.equal(existsSync(reservePath(dataDir)), false, 'the reserve gave its room to the failure record');
      // The disk is still full: the server answers, and the queue keeps run B waiting instead of failing it.
      fill(join(mnt, 'filler-2'));
      await sleep(4500); // two pump ticks
      assert.equal(app.server.exitCode, null, 'serve is still running');
      const q = await post(app, 'queue.state', {});
      assert.equal(q.status, 200);
      assert.deepEqual(q.value, { concurrency: 1, running: [], queued: [b.runId] });
      assert.equal(store.integrityCheck(), 'ok');
      assert.deepEqual(tmpFiles(dataDir), []);
      // Room again: the reserve is made again and run B trains to the end.
      rmSync(join(mnt, 'filler'));
      rmSync(join(mnt, 'filler-2'));
      for (let i = 0; i < 1200 && ['queued', 'running'].includes(store.getRun(b.runId)!.status); i++) await sleep(100);
      const runB = store.getRun(b.runId)!;
      assert.equal(runB.status, 'completed', `${runB.status}: ${runB.error}`);
      assert.ok(existsSync(reservePath(dataDir)));
      assert.equal(store.integrityCheck(), 'ok');
      assert.deepEqual(tmpFiles(dataDir), []);
    } finally {
      store.close();
      await app.close();
    }
  },
);
