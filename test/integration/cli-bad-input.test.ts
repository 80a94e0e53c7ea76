// Bad input gets a clear error naming the file and the problem, and nothing is written to the store.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { mnistDir } from '../../src-main/data/mnist';
import { openStore } from '../../src-main/store';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

function registered(dir: string): string[] {
  const store = openStore(dir);
  try {
    return store.datasets().map((d) => d.name);
  } finally {
    store.close();
  }
}

function runCount(dir: string): number {
  const store = openStore(dir);
  try {
    return store.listRuns().length;
  } finally {
    store.close();
  }
}

function mnistCopy(): string {
  const d = tempDir('noisynn-idx-');
  for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'])
    copyFileSync(join(mnistDir(), f), join(d, f));
  return d;
}

const expectRefused = (dir: string, r: ReturnType<typeof cli>, pattern: RegExp) => {
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, pattern);
  assert.deepEqual(registered(dir), ['fashion-mnist', 'mnist'], 'nothing registered beyond the builtins');
};

test('a truncated IDX file is refused, naming it', () => {
  const dir = tempDir();
  const data = mnistCopy();
  truncateSync(join(data, 't10k-labels-idx1-ubyte'), 5000);
  expectRefused(dir, cli(dir, 'datasets', 'add', data, '--name', 'broken'), /t10k-labels-idx1-ubyte.*truncated/);
});

test('an IDX file with a wrong magic number is refused, naming it', () => {
  const dir = tempDir();
  const data = mnistCopy();
  const f = join(data, 'train-labels-idx1-ubyte');
  const b = readFileSync(f);
  b[0] = 0x42;
  writeFileSync(f, b);
  expectRefused(dir, cli(dir, 'datasets', 'add', data), /train-labels-idx1-ubyte.*magic/i);
});

test('a CIFAR batch whose length is not a multiple of the record size is refused', () => {
  const dir = tempDir();
  const data = tempDir('noisynn-cifar-');
  for (const f of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'])
    writeFileSync(join(data, f), Buffer.alloc(3073 * 2));
  writeFileSync(join(data, 'data_batch_3.bin'), Buffer.alloc(3073 * 2 + 100));
  expectRefused(dir, cli(dir, 'datasets', 'add', data), /data_batch_3\.bin.*3073/);
});

test('an undecodable image and an empty class folder are refused, naming them', () => {
  const dir = tempDir();
  const data = tempDir('noisynn-folder-');
  mkdirSync(join(data, 'cat'));
  mkdirSync(join(data, 'dog'));
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010800000000', 'hex');
  writeFileSync(join(data, 'cat', 'a.png'), png);
  writeFileSync(join(data, 'dog', 'b.png'), Buffer.from('not an image at all'));
  expectRefused(dir, cli(dir, 'datasets', 'add', data), /(cat[/\\]a\.png|dog[/\\]b\.png)/);
  const empty = tempDir('noisynn-folder-');
  mkdirSync(join(empty, 'cat'));
  mkdirSync(join(empty, 'dog'));
  expectRefused(dir, cli(dir, 'datasets', 'add', empty), /(cat|dog).*empty|empty.*(cat|dog)/i);
});

test('an impossible config is refused before any run is created', () => {
  const dir = tempDir();
  const vit = cli(
    dir,
    'train',
    '--preset',
    'mnist-vit',
    '--noise',
    'linear-optimal',
    '--noise-at',
    'eval',
    '--noise-block',
    '11',
    '--json',
  );
  assert.equal(vit.code, 1);
  assert.match(vit.stderr, /block 11 does not exist: this ViT has 4 blocks/);
  assert.match(String(vit.json?.error), /block 11/);
  const cnn = cli(
    dir,
    'train',
    '--preset',
    'mnist-cnn',
    '--layers',
    '2,2,2,2',
    '--widths',
    '8,8,8,8',
    '--noise',
    'linear-shift',
    '--noise-stage',
    '4',
    '--noise-block',
    '3',
  );
  assert.equal(cnn.code, 1);
  assert.match(cnn.stderr, /block 3 does not exist in stage 4: it has 2 blocks/);
  const flag = cli(dir, 'train', '--epochs', 'many');
  assert.equal(flag.code, 1);
  assert.match(flag.stderr, /--epochs expects an integer/);
  const unknown = cli(dir, 'train', '--dataset', 'imagenet');
  assert.match(unknown.stderr, /dataset 'imagenet' is not registered/);
  assert.equal(runCount(dir), 0);
});

test('a NaN loss ends the run as diverged, and a corrupt checkpoint is refused', () => {
  const dir = tempDir();
  // An lr of 1e30 is refused by validation now (at most 10); a Gaussian noise of strength 1e38 still overflows.
  const refused = cli(dir, 'train', '--preset', 'mnist-vit', '--lr', '1e30', '--json');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /optimizer\.lr must be in \(0, 10\] \(got 1e\+30\)/);
  const r = cli(
    dir,
    'train',
    '--preset',
    'mnist-vit',
    '--limit-train',
    '256',
    '--limit-test',
    '100',
    '--noise',
    'gaussian',
    '--strength',
    '1e38',
    '--noise-block',
    '1',
    '--noise-at',
    'train',
    '--replicas',
    '1',
    '--json',
  );
  assert.equal(r.code, 1);
  assert.equal(r.json?.status, 'diverged');
  const ok = cli(dir, 'train', '--preset', 'mnist-vit', '--limit-train', '64', '--limit-test', '100', '--json');
  assert.equal(ok.code, 0, ok.stderr);
  const store = openStore(dir);
  let ckpt: string;
  try {
    assert.equal(store.getRun(1)!.status, 'diverged');
    assert.match(store.getRun(1)!.error ?? '', /loss became/);
    ckpt = store.latestCheckpoint(2)!.path;
  } finally {
    store.close();
  }
  const b = readFileSync(ckpt);
  b[b.length - 1] ^= 0xff;
  writeFileSync(ckpt, b);
  const e = cli(dir, 'eval', '2', '--protocol', 'standard');
  assert.equal(e.code, 1);
  assert.ok(e.stderr.includes(ckpt) && /corrupt/.test(e.stderr), e.stderr);
});
