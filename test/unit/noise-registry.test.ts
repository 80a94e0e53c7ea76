// The noise-operator registry (engine/noise/operators.ts) is the one place that knows each operator: these
// tests hold its data to closed forms and show that a new entry reaches validation, the CLI's texts, the
// run-config field list and the renderer's form without another file changing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { applyNoise, mixingRow, NOISE_DEFAULTS, validateNoiseSpec, type NoiseSpec } from '../../src-main/engine/noise';
import {
  NOISE_OPERATORS,
  NOISE_TYPES,
  noiseConfigFields,
  noiseTypesHelp,
  sweptParamText,
  type NoiseOperatorInfo,
} from '../../src-main/engine/noise/operators';
import { cleanSpec, noiseTypeInfo, specProblem, stripFor } from '../../src-renderer/src/lib/noise-params';
import { rowChange, tokenLayout } from '../../src-main/engine/embed/token-layout';

const img = (s: Partial<NoiseSpec> & Pick<NoiseSpec, 'type'>): NoiseSpec => ({ level: 'image', at: 'both', ...s });

test('registry: the five operators of the method, the official defaults, strips on numeric in-range parameters', () => {
  assert.deepEqual([...NOISE_TYPES], ['none', 'linear-shift', 'linear-optimal', 'gaussian', 'salt-pepper']);
  assert.deepEqual({ ...NOISE_DEFAULTS }, { alpha: 0.3, detach: true, strength: 0.1, mean: 0, std: 1, prob: 0.1 });
  assert.deepEqual(
    NOISE_OPERATORS.filter((o) => o.batchMixing).map((o) => o.type),
    ['linear-shift', 'linear-optimal'],
  );
  assert.deepEqual(
    NOISE_OPERATORS.filter((o) => o.dependsOnBatch).map((o) => o.type),
    ['linear-shift', 'linear-optimal', 'salt-pepper'],
  );
  for (const o of NOISE_OPERATORS) {
    for (const p of o.params) {
      assert.equal(typeof p.default, p.kind, `${o.type}.${p.name}: default of its kind`);
      if (p.kind === 'number')
        assert.ok(
          (p.default as number) >= (p.min ?? -Infinity) && (p.default as number) <= (p.max ?? Infinity),
          `${o.type}.${p.name}: default in range`,
        );
    }
    if (!o.strip) continue;
    const p = o.params.find((q) => q.name === o.strip!.param);
    assert.equal(p?.kind, 'number', `${o.type}: the strip sweeps a numeric parameter`);
    for (const v of o.strip.values)
      assert.doesNotThrow(() => validateNoiseSpec(img({ type: o.type as NoiseSpec['type'], [p!.name]: v })), `${o.type} strip value ${v}`);
  }
  assert.equal(sweptParamText({ type: 'salt-pepper' }), 'p=0.1', 'the engine default, not another copy');
  assert.equal(sweptParamText({ type: 'linear-shift', alpha: 0.4 } as NoiseSpec), 'a=0.4');
  assert.equal(sweptParamText({ type: 'linear-optimal' }), '');
});

test('mixing rows: the closed forms, and the rows of the matrix applyNoise applies to the batch', () => {
  assert.deepEqual(mixingRow(img({ type: 'linear-shift', alpha: 0.25 }), 4, 3), [0.25, 0, 0, 0.75]);
  assert.deepEqual(mixingRow(img({ type: 'linear-optimal' }), 3, 1), [0.25, 0.5, 0.25]);
  assert.deepEqual(mixingRow(img({ type: 'linear-shift', alpha: 0.3 }), 1, 0), [1], 'k = 1: the identity');
  assert.equal(mixingRow(img({ type: 'gaussian' }), 4, 0), null);
  assert.throws(() => mixingRow(img({ type: 'linear-optimal' }), 4, 4), /selected 4 is not in the batch of 4/);
  // Noise on the identity batch P = I_k gives (I + Q) itself: row s is what flows into sample s.
  for (const spec of [
    img({ type: 'linear-shift', alpha: 0.3 }),
    img({ type: 'linear-shift', alpha: 0.3, detach: false }),
    img({ type: 'linear-optimal' }),
  ]) {
    for (const k of [1, 2, 5]) {
      const m = tf.tidy(() => applyNoise(tf.eye(k), spec, { seed: 0, training: true }).arraySync() as number[][]);
      for (let s = 0; s < k; s++)
        mixingRow(spec, k, s)!.forEach((w, j) =>
          assert.ok(Math.abs(w - m[s][j]) < 1e-6, `${spec.type} k=${k} row ${s} col ${j}: ${w} vs ${m[s][j]}`),
        );
    }
  }
});

/** A sixth operator that exists only in this test: uniform noise of half-width w. */
const UNIFORM: NoiseOperatorInfo = {
  type: 'uniform',
  label: 'uniform',
  help: "P' = P + U(-w, w), element-wise.",
  batchMixing: false,
  dependsOnBatch: false,
  params: [
    {
      name: 'width',
      kind: 'number',
      label: 'width',
      symbol: 'w',
      default: 0.2,
      min: 0,
      max: 5,
      slider: { max: 5, step: 0.1 },
      help: 'Half-width w of the uniform draw.',
    },
  ],
  strip: { param: 'width', values: [0.1, 0.5, 1] },
};
const SIX = [...NOISE_OPERATORS, UNIFORM];
const uniform = (width: unknown) => ({ type: 'uniform', level: 'image', at: 'both', width }) as unknown as NoiseSpec;

test('a sixth noise type is one registry entry: it reaches validation, the CLI texts, the config fields and the form', () => {
  // Validation: the type is known and its parameter is range-checked by name; the real registry refuses it.
  assert.throws(
    () => validateNoiseSpec(uniform(0.2)),
    /field "type" must be one of none, linear-shift, linear-optimal, gaussian, salt-pepper; got "uniform"/,
  );
  assert.doesNotThrow(() => validateNoiseSpec(uniform(0.2), SIX));
  assert.throws(() => validateNoiseSpec(uniform(7), SIX), /noise spec: field "width" must be in \[0, 5\], got 7/);
  assert.throws(() => validateNoiseSpec(uniform('x'), SIX), /field "width" must be a finite number/);
  // The CLI: the --noise help and the runs table's noise column.
  assert.equal(noiseTypesHelp(SIX), 'none | linear-shift | linear-optimal | gaussian | salt-pepper | uniform');
  assert.equal(sweptParamText({ type: 'uniform' }, SIX), 'w=0.2');
  // The run-config field table's noise rows (path, default, range, label, help).
  const width = noiseConfigFields(SIX).find((f) => f.path === 'noise.width');
  assert.deepEqual(width, {
    path: 'noise.width',
    kind: 'number',
    default: 0.2,
    min: 0,
    max: 5,
    label: 'width w',
    help: 'Half-width w of the uniform draw.',
    types: ['uniform'],
  });
  assert.deepEqual(
    noiseConfigFields().map((f) => f.path),
    ['noise.alpha', 'noise.detach', 'noise.strength', 'noise.mean', 'noise.std', 'noise.prob'],
  );
  // The renderer: the form lists the type's parameters, checks them, sends only them, and strips them.
  const type = 'uniform' as NoiseSpec['type'];
  assert.deepEqual(
    noiseTypeInfo(type, SIX).params.map((p) => p.name),
    ['width'],
  );
  assert.equal(specProblem(uniform(9), SIX), 'width w must be in [0, 5]');
  assert.equal(specProblem(uniform(1), SIX), null);
  assert.deepEqual(cleanSpec({ ...uniform(undefined), alpha: 0.3 } as NoiseSpec, SIX), {
    type: 'uniform',
    level: 'image',
    at: 'both',
    width: 0.2,
  });
  assert.deepEqual(stripFor(type, SIX), { param: 'width', symbol: 'w', values: [0.1, 0.5, 1] });
});

test('renderer helpers read the registry: same messages, same cleaned specs as before', () => {
  assert.equal(specProblem(img({ type: 'linear-shift', alpha: 2 })), 'alpha a must be in [0, 1]');
  assert.equal(specProblem(img({ type: 'gaussian', strength: -1, mean: 0, std: 1 })), 'strength s must be in [0, ∞]');
  assert.equal(specProblem(img({ type: 'gaussian', strength: 1, mean: NaN, std: 1 })), 'mean μ must be a number');
  assert.equal(specProblem(img({ type: 'linear-optimal' })), null);
  assert.deepEqual(cleanSpec(img({ type: 'gaussian', alpha: 0.2, strength: 0.5 })), {
    type: 'gaussian',
    level: 'image',
    at: 'both',
    strength: 0.5,
    mean: 0,
    std: 1,
  });
  assert.deepEqual(stripFor('gaussian'), { param: 'strength', symbol: 's', values: [0.05, 0.1, 0.25, 0.5, 1] });
  assert.equal(stripFor('linear-optimal'), null);
});

test('token layout: ViT tokens with and without the class token, ResNet positions; per-row change', () => {
  assert.deepEqual(tokenLayout('vit', [2, 3, 8], 0), { rows: 3, channels: 8, labels: ['cls', 'patch 0', 'patch 1'] });
  assert.deepEqual(
    tokenLayout('vit', [2, 2, 8], -1).labels,
    ['patch 0', 'patch 1'],
    'after the patch embedding there is no class token yet',
  );
  assert.deepEqual(tokenLayout('resnet', [1, 2, 3, 4], 1), {
    rows: 6,
    channels: 4,
    labels: ['(0,0)', '(0,1)', '(0,2)', '(1,0)', '(1,1)', '(1,2)'],
  });
  assert.throws(() => tokenLayout('vit', [2, 8], 0), /shape \[2, 8\]/);
  assert.deepEqual(rowChange(new Float32Array([0, 0, 1, 1]), new Float32Array([3, 4, 1, 1]), { rows: 2, channels: 2 }), [5, 0]);
});
