// A run stays on the data it trained on: a dataset name cannot be silently taken over, `--replace`
// keeps the old data registered for its runs, eval refuses data whose content hash differs from the
// run's, and a dataset in use is removed only when forced. Real MNIST, real PNGs, real processes.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { Store } from '../../src-main/store';
import { openDatabase } from '../../src-main/store/db';
import { cli, TINY_CNN_RUN } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

/** Two classes of three 28x28 grey PNGs each. */
async function tinyFolder(): Promise<string> {
  const root = tempDir('noisynn-folder-');
  for (const [c, grey] of [
    ['zero', 30],
    ['one', 220],
  ] as const) {
    mkdirSync(join(root, c));
    for (let i = 0; i < 3; i++) {
      await sharp(Buffer.alloc(28 * 28, grey + i), { raw: { width: 28, height: 28, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(join(root, c, `${i}.png`));
    }
  }
  return root;
}

const standardTop1 = (json: Record<string, unknown> | undefined) =>
  (json?.evaluations as { protocol: string; noise: string; top1: number; n: number }[]).find((e) => e.protocol === 'standard');

test('datasets add --name mnist is refused; --replace keeps run 1 on MNIST; eval refuses other data; remove needs --force', async () => {
  const dir = tempDir();
  const trained = cli(dir, 'train', ...TINY_CNN_RUN, '--json');
  assert.equal(trained.code, 0, trained.stderr);
  const before = cli(dir, 'eval', '1', '--protocol', 'standard', '--json');
  assert.equal(before.code, 0, before.stderr);
  const top1 = standardTop1(before.json)!;
  assert.equal(top1.n, 50);

  const folder = await tinyFolder();
  const taken = cli(dir, 'datasets', 'add', folder, '--name', 'mnist');
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /dataset 'mnist' is already registered .*--replace/);

  const replaced = cli(dir, 'datasets', 'add', folder, '--name', 'mnist', '--replace', '--json');
  assert.equal(replaced.code, 0, replaced.stderr);
  const list = cli(dir, 'datasets', 'list', '--json');
  const names = (list.json?.datasets as { name: string; kind: string }[]).map((d) => `${d.name}:${d.kind}`);
  const kept = names.find((n) => /^mnist@[0-9a-f]{12}:mnist$/.test(n));
  assert.ok(kept, `the old MNIST is kept under a pinned name: ${names.join(', ')}`);
  assert.ok(names.includes('mnist:image-folder'));

  // Run 1 is evaluated on the MNIST it trained on, not on the 6-image folder now called 'mnist'.
  const after = cli(dir, 'eval', '1', '--protocol', 'standard', '--json');
  assert.equal(after.code, 0, after.stderr);
  assert.deepEqual(standardTop1(after.json), top1);

  // A run whose recorded content differs from the registered data is refused (an older store that replaced data in place).
  const s = openDatabase(dir);
  const store = new Store(s, dir);
  try {
    s.db.prepare(`UPDATE runs SET dataset_hash = ?, status = 'failed' WHERE id = 1`).run('f'.repeat(64));
  } finally {
    store.close();
  }
  for (const cmd of ['eval', 'resume']) {
    const refused = cli(dir, cmd, '1', '--json');
    assert.equal(refused.code, 1, `${cmd}: ${refused.stdout}`);
    assert.match(
      refused.stderr + refused.stdout,
      /run 1 trained on dataset 'mnist' with content hash ffffffffffff; the data registered now has [0-9a-f]{12}: refusing to (evaluate|resume|train) it on different data/,
      cmd,
    );
  }

  const pinned = kept!.split(':')[0];
  const inUse = cli(dir, 'datasets', 'remove', pinned);
  assert.equal(inUse.code, 1);
  assert.match(inUse.stderr, new RegExp(`dataset '${pinned}' is used by 1 run \\(1\\).*--force`));
  const forced = cli(dir, 'datasets', 'remove', pinned, '--force', '--json');
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(forced.json, { removed: pinned, runs: 1 });
  const gone = cli(dir, 'datasets', 'show', pinned);
  assert.equal(gone.code, 1);
});
