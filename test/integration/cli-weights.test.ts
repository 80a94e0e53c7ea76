// Pretrained weights end to end through the CLI, on real Fashion-MNIST and MNIST: bad files are refused with
// named errors and nothing stored; a run pretrained on Fashion-MNIST is exported (timm names), loaded by
// PyTorch, imported back as a timm folder, evaluated as imported, and fine-tuned on MNIST against the same
// run from scratch.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../../src-main/engine/models';
import { fromTorch, initFromWeights, toTorch } from '../../src-main/engine/pretrained';
import { readSafetensorsFile, writeSafetensorsFile, type NamedArray } from '../../src-main/engine/train/safetensors';
import { openStore } from '../../src-main/store';
import { inspectWeights } from '../../src-main/weights/library';
import type { RunConfig } from '../../src-main/engine/config';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

await tf.setBackend('cpu');

const FIXTURES = new URL('../fixtures/pretrained/', import.meta.url).pathname;
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } }).status === 0;

function listed(dir: string): unknown[] {
  const r = cli(dir, 'weights', 'list', '--json');
  assert.equal(r.code, 0, r.stderr);
  return r.json!.weights as unknown[];
}

test('bad weights are refused with a named error and nothing is stored', () => {
  const dir = tempDir();
  const work = tempDir();
  const good = join(FIXTURES, 'vit-token', 'model.safetensors');
  const bytes = readFileSync(good);
  // Truncated: the header promises more than the file holds.
  writeFileSync(join(work, 'truncated.safetensors'), bytes.subarray(0, 1000));
  // A header that lies about its size (longer than the file).
  const lying = Buffer.from(bytes);
  lying.writeBigUInt64LE(BigInt(bytes.length * 2), 0);
  writeFileSync(join(work, 'lying.safetensors'), lying);
  // Half precision, which the workbench does not read.
  const header = Buffer.from(JSON.stringify({ 'head.weight': { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }).padEnd(64, ' '));
  const f16 = Buffer.concat([Buffer.alloc(8), header, Buffer.alloc(4)]);
  f16.writeBigUInt64LE(BigInt(header.length), 0);
  writeFileSync(join(work, 'f16.safetensors'), f16);
  // A timm folder missing one tensor.
  const missing = join(work, 'missing');
  cpSync(join(FIXTURES, 'vit-token'), missing, { recursive: true });
  const { tensors } = readSafetensorsFile(good);
  delete tensors['blocks.1.mlp.fc2.weight'];
  writeSafetensorsFile(join(missing, 'model.safetensors'), tensors);

  const cases: [string[], RegExp][] = [
    [
      [join(work, 'truncated.safetensors'), '--model', 'vit-tiny'],
      /truncated\.safetensors: not a valid safetensors file: header length \d+ is beyond the end of the file \(1000 bytes\)/,
    ],
    [[join(work, 'lying.safetensors'), '--model', 'vit-tiny'], /lying\.safetensors: not a valid safetensors file: header length/],
    [[join(work, 'f16.safetensors'), '--model', 'vit-tiny'], /f16\.safetensors: .*tensor "head\.weight" has unsupported dtype "F16"/],
    [
      [missing],
      /missing\/model\.safetensors: does not fit the ViT .*\n- tensor blocks\.1\.mlp\.fc2\.weight is missing \(expected \[48, 192\]\)/,
    ],
    [[good, '--model', 'resnet18'], /model\.safetensors: holds another architecture: none of the ResNet/],
    [[join(FIXTURES, 'vit-token'), '--name', '../escape'], /weights name '\.\.\/escape' is invalid/],
    [[join(work, 'nothing-here')], /nothing-here: no such file or folder/],
  ];
  for (const [args, want] of cases) {
    const r = cli(dir, 'weights', 'import', ...args);
    assert.equal(r.code, 1, `${args.join(' ')} should fail: ${r.stdout}`);
    assert.match(r.stderr, want);
    assert.ok(
      !existsSync(join(dir, 'weights')) || readdirSync(join(dir, 'weights')).length === 0,
      `${args[0]}: nothing stored, no partial entry`,
    );
  }
  assert.deepEqual(listed(dir), []);

  const ok = cli(dir, 'weights', 'import', join(FIXTURES, 'vit-token'), '--json');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.json!.name, 'vit-token');
  const again = cli(dir, 'weights', 'import', join(FIXTURES, 'vit-token'));
  assert.match(again.stderr, /weights 'vit-token' already exist/);
  // The imported 3-channel weights do not fit 1-channel MNIST: said before any run is created.
  const t = cli(dir, 'train', '--init', 'vit-token', '--dataset', 'mnist');
  assert.equal(t.code, 1);
  assert.match(t.stderr, /weights 'vit-token' take 3-channel images but the dataset's have 1 channels/);
  const del = cli(dir, 'weights', 'delete', 'vit-token');
  assert.equal(del.code, 0, del.stderr);
  assert.deepEqual(listed(dir), []);
});

/** Our logits for an exported folder, and PyTorch's for the same input when /usr/bin/python3 has torch. */
function compareWithPyTorch(folder: string, work: string): { ours: Float32Array; theirs?: number[] } {
  const { desc, arrays } = inspectWeights(folder);
  const c = desc.model;
  const n = 3;
  const input = new Float32Array(n * c.channels * c.imageSize * c.imageSize).map((_, i) => Math.sin(i * 0.37) * 1.5);
  const model = createModel(c, 0);
  let ours: Float32Array;
  try {
    initFromWeights(model, c, arrays, 'export');
    ours = tf.tidy(() => {
      const x = tf.transpose(tf.tensor4d(input, [n, c.channels, c.imageSize, c.imageSize]), [0, 2, 3, 1]) as tf.Tensor4D;
      return model
        .forward(x, { training: false, noise: { type: 'none', level: 'embedding', at: 'both' }, noiseSeed: 0 })
        .dataSync() as Float32Array;
    });
  } finally {
    model.dispose();
  }
  if (!hasTorch) return { ours };
  const inFile = join(work, 'input.safetensors');
  writeSafetensorsFile(inFile, { input: { dtype: 'F32', shape: [n, c.channels, c.imageSize, c.imageSize], data: input } });
  const script = new URL('../../bench/reference/check_export.py', import.meta.url).pathname;
  const r = spawnSync(PYTHON, [script, folder, inFile], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  assert.equal(r.status, 0, r.stderr);
  return { ours, theirs: (JSON.parse(r.stdout) as { logits: number[] }).logits };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test('a ViT run exported: PyTorch loads it strictly and reproduces its logits; re-imported it evaluates as the run; freezing holds', (t) => {
  const dir = tempDir();
  const work = tempDir();
  const test = ['--limit-test', '1000'];
  const pre = cli(
    dir,
    'train',
    '--preset',
    'mnist-vit',
    '--dataset',
    'fashion-mnist',
    '--limit-train',
    '4096',
    '--epochs',
    '1',
    ...test,
    '--json',
  );
  assert.equal(pre.code, 0, pre.stderr);
  const preRun = pre.json!.runId as number;

  const out = join(work, 'fashion-vit');
  const ex = cli(dir, 'export', String(preRun), '--format', 'safetensors', '--out', out, '--json');
  assert.equal(ex.code, 0, ex.stderr);
  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.equal(cfg.model_args.embed_dim, 64);
  assert.deepEqual(cfg.pretrained_cfg.input_size, [1, 28, 28]);
  const state = readSafetensorsFile(join(out, 'model.safetensors')).tensors;
  assert.deepEqual(state['patch_embed.proj.weight'].shape, [64, 1, 7, 7]);
  assert.deepEqual(state['blocks.0.attn.qkv.weight'].shape, [192, 64]);

  // Round trip: the export, read back, is the run's checkpoint bit for bit.
  const store = openStore(dir);
  const [ckpt] = store.checkpoints(preRun);
  const config = store.getRun(preRun)!.config as RunConfig;
  store.close();
  const saved = readSafetensorsFile(ckpt.path).tensors;
  const back = fromTorch(config.model, state, 'export');
  for (const [k, a] of Object.entries(back)) {
    assert.ok(
      Buffer.from((a.data as Float32Array).buffer).equals(Buffer.from((saved[`model.${k}`].data as Float32Array).buffer)),
      `${k} differs from the checkpoint`,
    );
  }

  const { ours, theirs } = compareWithPyTorch(out, work);
  if (theirs) {
    const d = maxDiff(ours, theirs);
    t.diagnostic(`PyTorch (strict load_state_dict of the export) vs workbench logits: max |diff| ${d.toExponential(2)}`);
    assert.ok(d <= 1e-4, `PyTorch logits differ by ${d}`);
  } else {
    // No torch here: the committed PyTorch fixture, pushed through the same export path, gives PyTorch's logits.
    const fx = readSafetensorsFile(join(FIXTURES, 'vit-token', 'model.safetensors')).tensors;
    const exp = readSafetensorsFile(join(FIXTURES, 'expected.safetensors')).tensors;
    const m = inspectWeights(join(FIXTURES, 'vit-token')).desc.model;
    const file = join(work, 'fixture-export.safetensors');
    writeSafetensorsFile(file, toTorch(m, fromTorch(m, fx, 'fixture')));
    const model = createModel(m, 0);
    initFromWeights(model, m, fromTorch(m, readSafetensorsFile(file).tensors, file), 'fixture');
    const x = exp['vit_token.input'] as NamedArray;
    const got = tf.tidy(() =>
      model
        .forward(
          tf.transpose(tf.tensor4d(x.data as Float32Array, x.shape as [number, number, number, number]), [0, 2, 3, 1]) as tf.Tensor4D,
          { training: false, noise: { type: 'none', level: 'embedding', at: 'both' }, noiseSeed: 0 },
        )
        .dataSync(),
    );
    model.dispose();
    assert.ok(maxDiff(got, exp['vit_token.logits'].data as Float64Array) <= 1e-4);
    t.diagnostic('no torch in /usr/bin/python3: checked the committed PyTorch fixture through the export path');
  }

  const imp = cli(dir, 'weights', 'import', out, '--name', 'fashion-vit', '--json');
  assert.equal(imp.code, 0, imp.stderr);
  assert.equal(imp.json!.sha256, ex.json!.sha256);
  // Evaluating the imported weights reproduces the run's own test accuracy.
  const ev = cli(dir, 'eval', '--weights', 'fashion-vit', '--dataset', 'fashion-mnist', ...test, '--json');
  assert.equal(ev.code, 0, ev.stderr);
  const evRows = ev.json!.evaluations as { protocol: string; top1: number }[];
  assert.equal(evRows[0].protocol, 'standard');
  assert.equal(evRows[0].top1, pre.json!.testTop1);
  assert.equal(ev.json!.epoch, 0);

  const st = openStore(dir);
  try {
    const run = st.getRun(ev.json!.runId as number)!;
    const c = run.config as RunConfig;
    assert.equal(c.init?.weights, 'fashion-vit');
    assert.equal(c.init?.sha256, imp.json!.sha256);
    assert.deepEqual(c.input?.mean, cfg.pretrained_cfg.mean);
    assert.equal(c.epochs, 0);
  } finally {
    st.close();
  }

  // Another image size: MNIST resized to 35 px (bicubic) in the trainer and its replica, pos_embed interpolated 4x4 -> 5x5.
  const big = cli(
    dir,
    'train',
    '--preset',
    'mnist-vit',
    '--init',
    'fashion-vit',
    '--image-size',
    '35',
    '--dataset',
    'mnist',
    '--limit-train',
    '64',
    '--epochs',
    '1',
    '--limit-test',
    '50',
    '--json',
  );
  assert.equal(big.code, 0, big.stderr);
  const st3 = openStore(dir);
  try {
    const c = st3.getRun(big.json!.runId as number)!.config as RunConfig;
    assert.equal(c.model.imageSize, 35);
    assert.equal(c.input?.size, 35);
    assert.match((c.init?.adapted ?? []).join('\n'), /pos_embed interpolated from a 4x4 to a 5x5 patch grid/);
    const [bc] = st3.checkpoints(big.json!.runId as number);
    assert.deepEqual(readSafetensorsFile(bc.path).tensors['model.pos_embed'].shape, [1, 26, 64]);
  } finally {
    st3.close();
  }

  // Freezing every block: the backbone ends the run exactly as imported; the head still learns.
  const frozen = cli(
    dir,
    'train',
    '--preset',
    'mnist-vit',
    '--init',
    'fashion-vit',
    '--freeze',
    '4',
    '--dataset',
    'mnist',
    '--limit-train',
    '128',
    '--epochs',
    '1',
    '--limit-test',
    '100',
    '--json',
  );
  assert.equal(frozen.code, 0, frozen.stderr);
  const st2 = openStore(dir);
  const [fc] = st2.checkpoints(frozen.json!.runId as number);
  st2.close();
  const after = readSafetensorsFile(fc.path).tensors;
  for (const k of ['model.patch_embed.weight', 'model.pos_embed', 'model.blocks.3.mlp.fc2.weight']) {
    assert.ok(
      Buffer.from((after[k].data as Float32Array).buffer).equals(Buffer.from((back[k.slice(6)].data as Float32Array).buffer)),
      `${k} moved while frozen`,
    );
  }
  assert.ok(
    !Buffer.from((after['model.head.weight'].data as Float32Array).buffer).equals(
      Buffer.from((back['head.weight'].data as Float32Array).buffer),
    ),
    'the head trains',
  );
});

test('mnist-cnn pretrained on Fashion-MNIST, exported, imported as a timm folder, fine-tuned on MNIST beats scratch', (t) => {
  const dir = tempDir();
  const work = tempDir();
  const pre = cli(
    dir,
    'train',
    '--preset',
    'mnist-cnn',
    '--dataset',
    'fashion-mnist',
    '--limit-train',
    '4096',
    '--limit-test',
    '1000',
    '--epochs',
    '1',
    '--json',
  );
  assert.equal(pre.code, 0, pre.stderr);
  const out = join(work, 'fashion-cnn');
  assert.equal(cli(dir, 'export', String(pre.json!.runId), '--format', 'safetensors', '--out', out).code, 0);
  const state = readSafetensorsFile(join(out, 'model.safetensors')).tensors;
  assert.deepEqual(state['layer2.0.downsample.0.weight'].shape, [32, 16, 1, 1]);
  assert.equal(state['layer2.0.downsample.1.num_batches_tracked'].dtype, 'I64');
  const imp = cli(dir, 'weights', 'import', out, '--name', 'fashion-cnn');
  assert.equal(imp.code, 0, imp.stderr);
  const budget = [
    '--preset',
    'mnist-cnn',
    '--dataset',
    'mnist',
    '--limit-train',
    '1024',
    '--epochs',
    '3',
    '--limit-test',
    '1000',
    '--json',
  ];
  const scratch = cli(dir, 'train', ...budget);
  const tuned = cli(dir, 'train', ...budget, '--init', 'fashion-cnn');
  assert.equal(scratch.code, 0, scratch.stderr);
  assert.equal(tuned.code, 0, tuned.stderr);
  const s = scratch.json!.testTop1 as number;
  const f = tuned.json!.testTop1 as number;
  t.diagnostic(
    `mnist-cnn: Fashion-MNIST pretraining (4096 images, 1 epoch) ${(Number(pre.json!.testTop1) * 100).toFixed(1)}%; MNIST (1024 images x 3 epochs) from scratch ${(s * 100).toFixed(1)}%, from the Fashion-MNIST weights ${(f * 100).toFixed(1)}%`,
  );
  assert.ok(f > s + 0.03, `fine-tuning (${f}) should beat scratch (${s}) after the same budget`);
});
