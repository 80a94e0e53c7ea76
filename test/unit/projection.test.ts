// The embedding inspector's pure helpers: centroids and their shift, displacement
// segments, box / lasso selection and the reading of a dS estimate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EntropyEstimate } from '../../src-main/api/contract';
import {
  centroidShifts,
  centroids,
  displacementSegments,
  firstOfClass,
  formatEntropy,
  formatSpread,
  inPolygon,
  readDs,
  readPoint,
  regionOfEvent,
  rowsInRegion,
  spread,
} from '../../src-renderer/src/lib/projection';

const xy = (...pts: [number, number][]) => Float32Array.from(pts.flat());

test('centroids: mean per class, empty classes left out', () => {
  const c = centroids(xy([0, 0], [2, 2], [10, 10]), Int32Array.from([0, 0, 2]), 3);
  assert.deepEqual(c, [
    { cls: 0, x: 1, y: 1, count: 2 },
    { cls: 2, x: 10, y: 10, count: 1 },
  ]);
});

test('centroidShifts: clean centroid -> noisy centroid with its length', () => {
  const labels = Int32Array.from([0, 0, 1]);
  const s = centroidShifts(xy([0, 0], [2, 0], [5, 5]), xy([3, 4], [5, 4], [5, 5]), labels, 2);
  assert.equal(s.length, 2);
  assert.deepEqual(s[0].from, { x: 1, y: 0 });
  assert.deepEqual(s[0].to, { x: 4, y: 4 });
  assert.equal(s[0].length, 5);
  assert.equal(s[1].length, 0);
});

test('displacementSegments: one clean -> noisy segment per row, null-separated, heads at the noisy points', () => {
  const s = displacementSegments(xy([0, 0], [1, 1], [2, 2]), xy([0, 1], [1, 2], [2, 3]), [2, 0]);
  assert.deepEqual(s.x, [2, 2, null, 0, 0, null]);
  assert.deepEqual(s.y, [2, 3, null, 0, 1, null]);
  assert.deepEqual(s.headY, [3, 1]);
});

test('firstOfClass and spread bound what is drawn', () => {
  assert.deepEqual(firstOfClass(Int32Array.from([1, 0, 1, 1, 1]), 1, 3), [0, 2, 3]);
  assert.deepEqual(spread([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5), [0, 2, 4, 6, 8]);
  assert.deepEqual(spread([1, 2], 5), [1, 2]);
});

test('selection: box (either corner order) and lasso; a row counts once across clean and noisy', () => {
  const clean = xy([0, 0], [5, 5], [9, 9]);
  const noisy = xy([1, 1], [5, 6], [2, 2]);
  const box = regionOfEvent({ range: { x: [3, 0], y: [0, 3] } });
  assert.ok(box);
  assert.deepEqual(rowsInRegion([clean], 3, box), [0]);
  assert.deepEqual(rowsInRegion([clean, noisy], 3, box), [0, 2]);
  const lasso = regionOfEvent({ lassoPoints: { x: [4, 6, 6, 4], y: [4, 4, 7, 7] } });
  assert.ok(lasso);
  assert.deepEqual(rowsInRegion([clean, noisy], 3, lasso), [1]);
  assert.equal(regionOfEvent({ points: [] }), null);
  assert.equal(regionOfEvent(undefined), null);
  assert.ok(inPolygon(0.2, 0.3, [0, 1, 0], [0, 0, 1]));
  assert.ok(!inPolygon(0.9, 0.9, [0, 1, 0], [0, 0, 1]));
});

test("readDs: the engine's reading, one name each; out-of-range values are shown as flags", () => {
  const est = (verdict: 'positive' | 'harmful' | 'not significant' | 'out of range'): EntropyEstimate => ({
    name: 'g',
    measures: 'm',
    clean: { value: 1, mean: 1, std: 0 },
    dS: { value: 0.5, mean: 0.5, std: 0.1 },
    verdict: { verdict, significant: verdict === 'positive', text: '' },
  });
  assert.equal(readDs(est('positive')), 'positive');
  assert.equal(readDs(est('harmful')), 'harmful');
  assert.equal(readDs(est('not significant')), 'not-significant');
  assert.equal(readDs(est('out of range')), 'out-of-range');
  assert.equal(readDs({ name: 'g', measures: 'm', clean: { value: 1, mean: 1, std: 0 } }), 'none');
  assert.equal(formatSpread({ value: 1.23456, mean: 1, std: 0.01 }), '1.235 ± 0.010');
  assert.equal(formatSpread(undefined), '—');
  assert.equal(formatEntropy({ value: -14.3, mean: -14, std: 0.5, outOfRange: 'below 0' }), 'out of range (below 0: -14.300)');
  assert.equal(formatEntropy({ value: 1.23456, mean: 1, std: 0.01 }), '1.235 ± 0.010');
  assert.match(
    readPoint({ block: 3, pool: 'cls', at: 'noise-site' }),
    /attention input of block 4 after LN1/,
    'blocks count from 1 in words',
  );
  assert.match(readPoint({ block: 3, pool: 'cls' }), /residual stream after block 4/);
  assert.match(readPoint({ block: -1, pool: 'mean-patch' }), /our extension/);
  assert.match(readPoint({ stage: 2, block: 1, at: 'noise-site' }), /input of stage 2 block 1/);
});
