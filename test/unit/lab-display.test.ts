// The noise lab's difference colours and the site numbering the forms share (renderer libs, no DOM).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFloor, countAboveFloor, DEFAULT_NOISE_FLOOR, scaleTop } from '../../src-renderer/src/lib/difference-scale';
import { countedChoices, siteWords, vitBlockChoices } from '../../src-renderer/src/lib/model-arch';

test('difference scale: round-off under the floor is zero and cannot become the colour range', () => {
  const v = new Float32Array([3.6e-7, 0, 2e-6, 0.25]);
  assert.deepEqual([...applyFloor(v, DEFAULT_NOISE_FLOOR)], [0, 0, 0, 0.25]);
  assert.equal(countAboveFloor(v, DEFAULT_NOISE_FLOOR), 1);
  assert.equal(countAboveFloor(new Float32Array([3.6e-7]), DEFAULT_NOISE_FLOOR), 0);
  // Auto: the image's max, but never a max at or under the floor (that would stretch round-off to bright).
  assert.equal(scaleTop(0.25, { mode: 'auto', fixedMax: 1, floor: 1e-5 }), 0.25);
  assert.ok(scaleTop(3.6e-7, { mode: 'auto', fixedMax: 1, floor: 1e-5 }) > 1e-5);
  assert.ok(scaleTop(null, { mode: 'auto', fixedMax: 1, floor: 1e-5 }) > 0);
  // Fixed: the same top whatever the image.
  assert.equal(scaleTop(0.25, { mode: 'fixed', fixedMax: 2, floor: 1e-5 }), 2);
  assert.equal(scaleTop(7, { mode: 'fixed', fixedMax: 2, floor: 1e-5 }), 2);
  // A nonsense floor falls back to the default instead of hiding everything or nothing.
  assert.equal(countAboveFloor(new Float32Array([3.6e-7, 0.1]), Number.NaN), 1);
});

test('sites: ViT blocks and ResNet stages both counted from 1 in words; stored values unchanged; foreign sites kept and marked', () => {
  assert.deepEqual(
    vitBlockChoices(4).map((c) => [c.value, c.label]),
    [
      [-1, 'after patch embedding (extension, not official)'],
      [0, 'block 1 of 4'],
      [1, 'block 2 of 4'],
      [2, 'block 3 of 4'],
      [3, 'block 4 of 4'],
    ],
  );
  const foreign = vitBlockChoices(4, 11).at(-1)!;
  assert.deepEqual(foreign, { value: 11, label: 'block 12 (stored 11): not in this 4-block ViT', invalid: true });
  assert.deepEqual(
    countedChoices('stage', 3).map((c) => c.label),
    ['stage 1 of 3', 'stage 2 of 3', 'stage 3 of 3'],
  );
  assert.equal(countedChoices('block', 2, 5).at(-1)!.invalid, true);
  assert.equal(countedChoices('block', 2, 2).length, 2);
  assert.equal(siteWords({ block: 3 }), 'block 4');
  assert.equal(siteWords({ block: -1 }), 'after patch embedding (extension, not official)');
  assert.equal(siteWords({ stage: 2, block: 1 }), 'stage 2, block 1');
});
