// Resume with a damaged or missing checkpoint: it falls back to the newest intact one (noting the
// skipped one on the run) and still ends bit-for-bit where an uninterrupted run ends; with none left it
// says so, and `resume --restart` trains the run again from the beginning.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, truncateSync } from 'node:fs';
import { test } from 'node:test';
import { Store } from '../../src-main/store';
import { openDatabase } from '../../src-main/store/db';
import { cli, cnnRunFlags } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

function withStore<T>(dir: string, f: (store: Store, raw: ReturnType<typeof openDatabase>) => T): T {
  const raw = openDatabase(dir);
  const store = new Store(raw, dir);
  try {
    return f(store, raw);
  } finally {
    store.close();
  }
}

test('a truncated last checkpoint: resume continues from the one before; none left: --restart', () => {
  const dir = tempDir();
  const trained = cli(dir, 'train', ...cnnRunFlags({ epochs: 2, train: 128, test: 50, batch: 32 }), '--json');
  assert.equal(trained.code, 0, trained.stderr);
  const [first, last] = withStore(dir, (s) => s.checkpoints(1));
  assert.deepEqual([first.epoch, last.epoch], [1, 2]);
  assert.equal(sha(last.path), last.sha256);

  // As if the machine died while the last checkpoint was being replaced, and the run with it.
  truncateSync(last.path, 100);
  withStore(dir, (_, raw) => raw.db.prepare(`UPDATE runs SET status = 'crashed' WHERE id = 1`).run());
  const resumed = cli(dir, 'resume', '1', '--json');
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumed.json?.status, 'completed');
  withStore(dir, (s) => {
    assert.equal(s.checkpoints(1)[1].sha256, last.sha256, 'epoch 2 re-trained from epoch 1 gives the same weights');
    assert.equal(sha(last.path), last.sha256);
    assert.equal(s.metrics(1, 'train/loss').length, 8, 'no step lost or repeated');
    const notes = s.notes(1).map((n) => n.body);
    assert.equal(notes.length, 1);
    assert.match(notes[0], /epoch-0002\.safetensors of run 1 is corrupt.*continued from the epoch 1 checkpoint instead/);
  });

  // Both checkpoints gone: resume says none is left and how to start over.
  rmSync(first.path);
  rmSync(last.path);
  withStore(dir, (_, raw) => raw.db.prepare(`UPDATE runs SET status = 'crashed' WHERE id = 1`).run());
  const none = cli(dir, 'resume', '1', '--json');
  assert.equal(none.code, 1);
  assert.match(
    `${none.stdout}${none.stderr}`,
    /run 1: no intact checkpoint is left \(.*epoch-0002.*cannot be read.*epoch-0001.*cannot be read.*\); start it over from the beginning with: noisynn resume 1 --restart/,
  );
  withStore(dir, (s) => assert.equal(s.getRun(1)!.status, 'failed'));
  const restarted = cli(dir, 'resume', '1', '--restart', '--json');
  assert.equal(restarted.code, 0, restarted.stderr);
  assert.equal(restarted.json?.status, 'completed');
  assert.equal(sha(last.path), last.sha256, 'from scratch, the same seed gives the same weights');
  withStore(dir, (s) => assert.equal(s.metrics(1, 'train/loss').length, 8));
});
