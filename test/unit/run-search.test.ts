// The runs table's search: "name value" compares a parameter exactly, anything else is free text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary } from '../../src-main/api/contract';
import { matchesSearch, runParams } from '../../src-renderer/src/lib/run-search';

const run = (o: Partial<RunSummary>): RunSummary => ({
  id: 1,
  name: 'sweep · strength=1 · seed=2',
  status: 'completed',
  preset: 'mnist-vit',
  noise: { type: 'gaussian', strength: 1, level: 'embedding', at: 'both', site: { block: 3 } },
  seed: 2,
  backend: 'wasm',
  epochsDone: 1,
  epochs: 1,
  imagesPerSecond: 100,
  summary: null,
  tags: ['baseline'],
  createdAt: '2026-01-01T00:00:00Z',
  error: null,
  dataset: 'fashion-mnist',
  model: 'mnist-vit',
  lr: 0.003,
  batchSize: 32,
  durationS: 10,
  ...o,
});

test('a parameter and a value match exactly: strength 1 is not strength 10', () => {
  const one = run({});
  const ten = run({ id: 2, name: 'x', noise: { type: 'gaussian', strength: 10, level: 'embedding', at: 'both' } });
  assert.equal(matchesSearch(one, [], 'strength 1'), true);
  assert.equal(matchesSearch(ten, [], 'strength 1'), false);
  assert.equal(matchesSearch(ten, [], 'strength=10'), true);
  assert.equal(matchesSearch(one, [], 'lr 0.003'), true);
  assert.equal(matchesSearch(one, [], 'lr 3e-3'), true, 'numbers compare as numbers');
  assert.equal(matchesSearch(one, [], 'batch 64'), false);
  assert.equal(matchesSearch(one, [], 'dataset fashion-mnist'), true);
  assert.equal(matchesSearch(one, [], 'dataset mnist'), false);
});

test('anything else is a case-insensitive substring of the run: name, tags, notes, noise', () => {
  const r = run({});
  assert.equal(matchesSearch(r, [], ''), true);
  assert.equal(matchesSearch(r, [], 'BASELINE'), true);
  assert.equal(matchesSearch(r, ['lr looks high'], 'looks high'), true);
  assert.equal(matchesSearch(r, [], 'gaussian'), true);
  assert.equal(matchesSearch(r, [], 'salt'), false);
  assert.equal(matchesSearch(r, [], 'fashion'), true);
  assert.deepEqual(
    runParams(r).find(([k]) => k === 'strength'),
    ['strength', 1],
  );
});
