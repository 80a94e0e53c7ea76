// One default per noise setting: the engine's, which the CLI, the services and the renderer's forms share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOISE_DEFAULTS } from '../../src-main/engine/noise';
import { MODEL_PRESETS, SKIP_CLASS_TOKEN_DEFAULT, type VitConfig } from '../../src-main/engine/config';
import { buildConfig, fitToDataset } from '../../src-main/cli/config-flags';
import { DEFAULTS, defaultSpec, SKIP_CLASS_TOKEN } from '../../src-renderer/src/lib/noise-params';
import { labInput } from '../../src-main/api/services/lab-input';

const MNIST = { shape: [28, 28, 1] as [number, number, number], classNames: Array.from({ length: 10 }, (_, i) => String(i)) };

test("the renderer forms start from the engine defaults (salt-and-pepper p = 0.1, the official parsers' default)", () => {
  assert.deepEqual({ ...DEFAULTS }, { ...NOISE_DEFAULTS });
  assert.equal(NOISE_DEFAULTS.prob, 0.1);
  assert.equal(defaultSpec('salt-pepper', 'embedding').prob, 0.1);
  assert.equal(SKIP_CLASS_TOKEN, SKIP_CLASS_TOKEN_DEFAULT);
  assert.equal(SKIP_CLASS_TOKEN_DEFAULT, true, 'the official NoisyViT never noises the class token');
});

test('CLI: a ViT run stores skipFirstToken explicitly (default: skipped); an explicit false is kept; a ResNet has none', () => {
  const cli = (flags: Record<string, string>, preset = 'mnist-vit') => fitToDataset(buildConfig({ preset, flags }), MNIST);
  assert.equal(cli({ noise: 'gaussian' }).noise.skipFirstToken, true);
  assert.equal(cli({ noise: 'gaussian', 'skip-first-token': 'false' }).noise.skipFirstToken, false);
  assert.equal(cli({ noise: 'gaussian', 'noise-level': 'image' }).noise.skipFirstToken, undefined, 'an image batch has no class token');
  assert.equal(cli({ noise: 'gaussian' }, 'mnist-cnn').noise.skipFirstToken, undefined);
});

test('noise lab input: every ViT preset gets the MNIST images at its own input size when its patch does not divide 28', () => {
  const vits = Object.entries(MODEL_PRESETS).filter(([, m]) => m.kind === 'vit') as [string, VitConfig][];
  assert.ok(vits.length >= 5);
  for (const [name, m] of vits) {
    const r = labInput(m, MNIST.shape);
    if (28 % m.patchSize === 0) {
      assert.equal(r, null, `${name}: fits as it is`);
    } else {
      assert.deepEqual([r!.size, r!.channels], [m.imageSize, m.channels], name);
      assert.equal(r!.size % m.patchSize, 0, `${name}: the resized input is whole patches`);
      assert.match(r!.note, /resized 28x28x1 -> 224x224x3/);
    }
  }
  assert.equal(labInput(MODEL_PRESETS['vit-base'], [32, 32, 3]), null, 'CIFAR-size images fit patch 16');
  assert.equal(labInput(MODEL_PRESETS.resnet18, MNIST.shape), null, 'a ResNet takes any size');
});
