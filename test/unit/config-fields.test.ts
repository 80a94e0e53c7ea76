// The config field table: complete for every preset, one flag per field, and problems in the form's words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIG_FIELDS, inWords } from '../../src-main/api/contract';
import { MAX_IMAGE_SIDE } from '../../src-main/data/types';
import { MODEL_PRESETS, RUN_PRESETS } from '../../src-main/engine/config';
import { CONFIG_FLAGS } from '../../src-main/cli/config-flags';

function leaves(v: unknown, prefix: string, out: string[] = []): string[] {
  if (v !== null && typeof v === 'object' && !Array.isArray(v))
    for (const [k, x] of Object.entries(v)) leaves(x, prefix ? `${prefix}.${k}` : k, out);
  else out.push(prefix);
  return out;
}

test('every field a preset sets is in the table, once, and every flag names one field', () => {
  const paths = CONFIG_FIELDS.map((f) => f.path);
  assert.equal(new Set(paths).size, paths.length, 'no path twice');
  const preset = [
    ...Object.values(RUN_PRESETS).flatMap((p) => leaves(p, '')),
    ...Object.values(MODEL_PRESETS).flatMap((m) => leaves(m, 'model')),
  ];
  assert.deepEqual(
    [...new Set(preset)].filter((p) => !paths.includes(p)),
    [],
  );
  const flags = CONFIG_FIELDS.filter((f) => f.flag).map((f) => f.flag);
  assert.equal(new Set(flags).size, flags.length, 'no flag twice');
  assert.deepEqual(Object.keys(CONFIG_FLAGS), flags);
  assert.equal(CONFIG_FIELDS.find((f) => f.path === 'model.imageSize')?.range?.max, MAX_IMAGE_SIDE);
  for (const f of CONFIG_FIELDS) if (f.range) assert.ok(f.range.min < f.range.max, f.path);
});

test('known config paths read as the form labels; unknown text is left alone', () => {
  assert.equal(inWords('optimizer.lr must be in (0, 10] (got 0)'), 'learning rate must be in (0, 10] (got 0)');
  assert.equal(
    inWords('schedule.minLr must be in [0, optimizer.lr] (got 1)'),
    'minimum learning rate must be in [0, learning rate] (got 1)',
  );
  assert.equal(inWords('testBatchSize must be a positive integer'), 'test batch size must be a positive integer');
  assert.equal(inWords('batchSize must be a positive integer'), 'batch size must be a positive integer');
  assert.equal(inWords('optimizer.beta1 must be in [0, 1) (got 1)'), 'β1 must be in [0, 1) (got 1)');
  assert.equal(inWords('noise.site.block 11 does not exist'), 'noise site block 11 does not exist');
  assert.equal(inWords('a mybatchSize field'), 'a mybatchSize field', 'only whole paths');
});

test('every range and value set in the table is enforced by validation, naming the field', async () => {
  const { configProblems, runPreset, setPath } = await import('../../src-main/engine/config');
  for (const f of CONFIG_FIELDS.filter((x) => (x.range || x.values) && !x.path.startsWith('noise.') && x.path !== 'model.kind')) {
    const c = runPreset(f.model === 'resnet' ? 'mnist-cnn' : 'mnist-vit');
    if (f.path.startsWith('input.')) c.input = { size: 28, mean: [0.5], std: [0.5], cropPct: 1 };
    assert.deepEqual(configProblems(c), [], `${f.path}: the preset itself is valid`);
    const bad = f.values ? 'nonsense' : f.type === 'ints' ? [f.range!.max + 1] : f.range!.max + 1;
    setPath(c as unknown as Record<string, unknown>, f.path, bad);
    assert.ok(
      configProblems(c).some((p) => p.startsWith(f.path)),
      `${f.path} = ${JSON.stringify(bad)}: ${configProblems(c).join('; ')}`,
    );
  }
});
