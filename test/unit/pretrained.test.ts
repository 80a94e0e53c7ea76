// Imported timm / torchvision weights against PyTorch (fixtures from bench/reference/make_pretrained_fixtures.py):
// logits on a fixed batch, position-embedding interpolation, the export's names and layouts, and the round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../../src-main/engine/models/index';
import type { ModelConfig, VitConfig } from '../../src-main/engine/config/index';
import {
  describeTimmConfig,
  fitWeightsModel,
  fromTorch,
  initFromWeights,
  resampleBicubic,
  toTorch,
  torchLayout,
  frozenParams,
} from '../../src-main/engine/pretrained/index';
import { readSafetensorsFile, type NamedArray } from '../../src-main/engine/train/safetensors';
import { formulaState, RESNET_FIXTURE } from '../helpers/pretrained-fixtures';
import { makeBatch, resizeImage, withInput } from '../../src-main/engine/batches';
import { configProblems, runPreset } from '../../src-main/engine/config/index';
import type { Dataset } from '../../src-main/data/types';

await tf.setBackend('cpu');

const DIR = new URL('../fixtures/pretrained/', import.meta.url).pathname;
const expected = readSafetensorsFile(`${DIR}expected.safetensors`).tensors;

function folder(name: string) {
  const cfg = JSON.parse(readFileSync(`${DIR}${name}/config.json`, 'utf8'));
  const desc = describeTimmConfig(cfg, `${name}/config.json`);
  const file = `${DIR}${name}/model.safetensors`;
  return { desc, tensors: readSafetensorsFile(file).tensors, file };
}

/** NCHW float32 -> NHWC tensor. */
function nhwc(a: NamedArray): tf.Tensor4D {
  const [n, c, h, w] = a.shape;
  return tf.tidy(() => tf.transpose(tf.tensor4d(a.data as Float32Array, [n, c, h, w]), [0, 2, 3, 1]));
}

function logits(config: ModelConfig, arrays: Record<string, NamedArray>, input: NamedArray, weightsConfig = config): Float32Array {
  const model = createModel(config, 1);
  try {
    initFromWeights(model, weightsConfig, arrays, 'fixture');
    return tf.tidy(
      () =>
        model
          .forward(nhwc(input), { training: false, noise: { type: 'none', level: 'embedding', at: 'both' }, noiseSeed: 0 })
          .dataSync() as Float32Array,
    );
  } finally {
    model.dispose();
  }
}

function assertClose(actual: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, want.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - want[i]));
  assert.ok(worst <= tol, `${what}: max |difference| ${worst.toExponential(2)} > ${tol}`);
}

test('config.json of a timm folder: model_args, classes, pretrained_cfg', () => {
  const { desc } = folder('vit-token');
  assert.deepEqual(desc.model, {
    kind: 'vit',
    imageSize: 32,
    channels: 3,
    patchSize: 8,
    dim: 48,
    depth: 2,
    heads: 3,
    mlpRatio: 4,
    numClasses: 7,
    globalPool: 'token',
  });
  assert.deepEqual(desc.input, { size: 32, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], cropPct: 0.9 });
  const base = describeTimmConfig({ architecture: 'vit_base_patch16_384' }, 'x');
  assert.deepEqual([base.model.kind, base.model.imageSize, base.model.numClasses], ['vit', 384, 1000]);
  assert.throws(
    () => describeTimmConfig({ architecture: 'vit_base_patch16_224', model_args: { class_token: false } }, 'cfg.json'),
    /cfg\.json: model_args\.class_token = false is not supported/,
  );
  assert.throws(
    () => describeTimmConfig({ architecture: 'convnext_tiny' }, 'cfg.json'),
    /cfg\.json: architecture 'convnext_tiny' is not supported/,
  );
});

for (const [name, key] of [
  ['vit-token', 'vit_token'],
  ['vit-avg', 'vit_avg'],
] as const) {
  test(`${name}: logits equal PyTorch's timm restatement to 1e-4`, () => {
    const { desc, tensors, file } = folder(name);
    const arrays = fromTorch(desc.model, tensors, file);
    assertClose(logits(desc.model, arrays, expected[`${key}.input`]), expected[`${key}.logits`].data as Float64Array, 1e-4, name);
  });
}

test('vit-token at 40x40: pos_embed resampled as timm and logits equal PyTorch to 1e-4', () => {
  const { desc, tensors, file } = folder('vit-token');
  const arrays = fromTorch(desc.model, tensors, file);
  const { model, adapted } = fitWeightsModel(desc.model, { numClasses: 7, channels: 3, imageSize: 40 }, 'vit-token');
  assert.match(adapted.join('\n'), /pos_embed interpolated from a 4x4 to a 5x5 patch grid/);
  const pos = resampleBicubic((arrays.pos_embed.data as Float32Array).subarray(48), 4, 4, 48, 5, 5);
  assertClose(pos, (expected['vit_token_at40.pos_embed'].data as Float32Array).subarray(48), 1e-6, 'pos_embed');
  assertClose(
    logits(model, arrays, expected['vit_token_at40.input'], desc.model),
    expected['vit_token_at40.logits'].data as Float64Array,
    1e-4,
    'vit at 40',
  );
});

test('resnet18 (torchvision names) at 34x34: logits equal PyTorch to 1e-4', () => {
  const desc = describeTimmConfig({ architecture: 'resnet18', num_classes: 6 }, 'resnet18');
  const arrays = fromTorch(desc.model, formulaState(desc.model), 'resnet18');
  assertClose(
    logits({ ...desc.model, imageSize: RESNET_FIXTURE.size }, arrays, expected['resnet18.input'], desc.model),
    expected['resnet18.logits'].data as Float64Array,
    1e-4,
    'resnet18',
  );
});

test('export: timm / torchvision names and layouts, bit-identical round trip', () => {
  for (const name of ['vit-token', 'vit-avg']) {
    const { desc, tensors, file } = folder(name);
    const back = toTorch(desc.model, fromTorch(desc.model, tensors, file));
    assert.deepEqual(Object.keys(back).sort(), Object.keys(tensors).sort(), name);
    for (const [k, t] of Object.entries(tensors)) {
      assert.deepEqual(back[k].shape, t.shape, k);
      assert.ok(
        Buffer.from((back[k].data as Float32Array).buffer).equals(Buffer.from((t.data as Float32Array).buffer)),
        `${name} ${k} differs after the round trip`,
      );
    }
  }
  const r = describeTimmConfig({ architecture: 'resnet50', num_classes: 3 }, 'r50').model;
  const state = formulaState(r);
  const back = toTorch(r, fromTorch(r, state, 'r50'));
  assert.deepEqual(Object.keys(back).sort(), Object.keys(state).sort());
  assert.ok(back['layer4.2.conv3.weight'].data.every((v, i) => v === state['layer4.2.conv3.weight'].data[i]));
});

test('the layout lists exactly the model parameters, with the shapes the model has', () => {
  const configs: ModelConfig[] = [
    { kind: 'vit', imageSize: 16, channels: 2, patchSize: 4, dim: 8, depth: 2, heads: 2, mlpRatio: 1.5, numClasses: 3, globalPool: 'avg' },
    {
      kind: 'resnet',
      imageSize: 16,
      channels: 1,
      block: 'bottleneck',
      layers: [1, 2],
      widths: [4, 8],
      stem: 'small',
      stemStride: 1,
      stemWidth: 4,
      numClasses: 3,
    },
  ];
  for (const c of configs) {
    const m = createModel(c, 3);
    try {
      const ours = m.params.toArrays();
      const layout = torchLayout(c).entries;
      assert.deepEqual(layout.map((e) => e.ours).sort(), Object.keys(ours).sort(), c.kind);
      const back = fromTorch(c, toTorch(c, ours), 'x');
      for (const e of layout) assert.deepEqual(back[e.ours].shape, ours[e.ours].shape, e.ours);
      assert.ok(frozenParams(c, Object.keys(ours), 1).size > 0);
    } finally {
      m.dispose();
    }
  }
});

test('bad weights: missing, extra, mis-shaped and wrong-dtype tensors are named with both shapes', () => {
  const { desc, tensors } = folder('vit-token');
  const without = { ...tensors };
  delete without['blocks.1.attn.qkv.weight'];
  assert.throws(
    () => fromTorch(desc.model, without, 'm.safetensors'),
    /m\.safetensors: .*\n- tensor blocks\.1\.attn\.qkv\.weight is missing \(expected \[144, 48\]\)/s,
  );
  const extra = { ...tensors, 'blocks.0.ls1.gamma': { dtype: 'F32' as const, shape: [48], data: new Float32Array(48) } };
  assert.throws(() => fromTorch(desc.model, extra, 'm.safetensors'), /tensor blocks\.0\.ls1\.gamma \[48\] is not part of the model/);
  const bad = { ...tensors, 'head.weight': { dtype: 'F32' as const, shape: [8, 48], data: new Float32Array(8 * 48) } };
  assert.throws(() => fromTorch(desc.model, bad, 'm.safetensors'), /tensor head\.weight has shape \[8, 48\] but the model needs \[7, 48\]/);
  const ints = { ...tensors, 'norm.bias': { dtype: 'I32' as const, shape: [48], data: new Int32Array(48) } };
  assert.throws(() => fromTorch(desc.model, ints, 'm.safetensors'), /tensor norm\.bias is I32; float32/);
  const r18 = describeTimmConfig({ architecture: 'resnet18' }, 'r').model;
  assert.throws(
    () => fromTorch(r18, tensors, 'vit.safetensors'),
    /vit\.safetensors: holds another architecture: none of the ResNet .*'s 102 tensors is there \(the file has 32: blocks\.0\.attn\.proj\.bias/,
  );
});

test("timm's eval transform: bicubic resize to size / crop_pct and centre crop within one level of PIL", () => {
  const src = Uint8Array.from(expected['resize.input'].data as Float32Array);
  const out = resizeImage(src, 20, 20, 3, { size: 24, cropPct: 0.9 });
  const want = expected['resize.output'].data as Float32Array;
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(out[i] - want[i]));
  assert.ok(worst <= 1, `max difference from PIL ${worst} levels`);
  // Every consumer's batches: the weights' mean/std and size replace the dataset's.
  const data = { info: { shape: [20, 20, 3] }, mean: [0, 0, 0], std: [1, 1, 1], splits: {} } as unknown as Dataset;
  const seen = withInput(data, { size: 24, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], cropPct: 0.9 });
  const { x } = makeBatch({ images: src, labels: new Uint8Array(1), count: 1 }, [0], [20, 20, 3], seen);
  assert.deepEqual(x.shape, [1, 24, 24, 3]);
  const v = x.dataSync();
  assert.ok(Math.abs(v[5] - (out[5] / 255 - 0.5) / 0.25) < 1e-5);
  x.dispose();
});

test('run config: init and input are validated; 0 epochs only with init', () => {
  const base = runPreset('mnist-vit');
  assert.match(configProblems({ ...base, epochs: 0 }).join('\n'), /epochs must be a positive integer no larger than \d+ \(got 0\)/);
  assert.deepEqual(configProblems({ ...base, epochs: 0, init: { weights: 'w' } }), []);
  assert.match(
    configProblems({ ...base, init: { weights: 'w', freeze: 9 } }).join('\n'),
    /init\.freeze must be an integer in \[0, 4\] \(blocks; got 9\)/,
  );
  assert.match(
    configProblems({ ...base, input: { size: 32, mean: [0.5], std: [0.5], cropPct: 1 } }).join('\n'),
    /input\.size must equal model\.imageSize 28/,
  );
  const vit = { ...(base.model as VitConfig), globalPool: 'max' as 'avg' };
  assert.match(configProblems({ ...base, model: vit }).join('\n'), /model\.globalPool must be 'token' or 'avg'/);
});
