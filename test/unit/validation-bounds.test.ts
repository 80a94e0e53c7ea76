// Bounds and shapes: every numeric config field has a sane range, odd JSON is refused with the field
// named (never a TypeError from deep inside), and every request is checked against the contract's shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REQUEST_SHAPES, API_METHODS } from '../../src-main/api/contract';
import { checkRequest } from '../../src-main/api/request-shape';
import { configProblems, runPreset, type RunConfig } from '../../src-main/engine/config';
import { checkConfigPath, setPath } from '../../src-main/engine/config';
import { expandSweep } from '../../src-main/runner/sweep';

const base = runPreset('mnist-vit');
const problems = (over: Record<string, unknown>) => configProblems({ ...base, ...over } as RunConfig).join('\n');

test('1e308 and other absurd numbers are refused with the field named', () => {
  for (const [field, value, text] of [
    ['epochs', 1e308, /epochs must be a positive integer no larger than 100000 \(got 1e\+308\)/],
    ['batchSize', 1e308, /batchSize must be a positive integer no larger than 65536/],
    ['testBatchSize', 1e308, /testBatchSize must be a positive integer no larger than 65536/],
    ['limitTrain', 1e308, /limitTrain must be an integer from 0 to 1000000000/],
    ['limitTest', -1, /limitTest must be an integer from 0/],
  ] as const) {
    assert.match(problems({ [field]: value }), text, field);
  }
  assert.match(problems({ optimizer: { ...base.optimizer, lr: 1e308 } }), /optimizer\.lr must be in \(0, 10\] \(got 1e\+308\)/);
  assert.match(problems({ optimizer: { ...base.optimizer, eps: 2 } }), /optimizer\.eps must be in \(0, 1\)/);
  assert.match(problems({ schedule: { ...base.schedule, warmupEpochs: Infinity } }), /schedule\.warmupEpochs/);
  assert.match(problems({ model: { ...base.model, dim: 1e9 } }), /model\.dim must be a positive integer no larger than 16384/);
  assert.equal(problems({}), '', 'the preset itself is fine');
});

test('wrong kinds are named, not leaked as TypeErrors', () => {
  assert.match(problems({ name: { a: 1 } }), /name must be a string of at most 200 characters \(got \{"a":1\}\)/);
  assert.match(problems({ noise: null }), /noise must be an object/);
  assert.doesNotMatch(problems({ noise: null }), /Cannot read|TypeError/);
  assert.match(problems({ model: 'vit' }), /model must be an object \(got "vit"\)/);
  assert.match(configProblems(null as unknown as RunConfig).join(), /config must be an object \(got null\)/);
});

test("config paths: only the config's own fields, never a prototype", () => {
  for (const bad of ['__proto__.limit', 'constructor.prototype.x', 'noise.__proto__.x', 'toString', 'nope', 'model.layers.x']) {
    assert.throws(
      () => checkConfigPath(bad),
      (e: Error & { code?: string; field?: string }) => e.code === 'invalid' && e.field === bad,
      bad,
    );
  }
  for (const good of ['seed', 'noise.type', 'noise.site.block', 'model.layers', 'model.layers.0', 'optimizer', 'noise.site'])
    checkConfigPath(good);
  const target: Record<string, unknown> = {};
  assert.throws(() => setPath(target, '__proto__.polluted', 1));
  assert.throws(
    () => expandSweep({ name: 's', base: {}, mode: 'grid', axes: [{ path: '__proto__.limit', values: [1] }] }),
    /unknown config field '__proto__\.limit'/,
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(({} as Record<string, unknown>).limit, undefined);
});

test('every API method has a request shape; odd requests are refused with the field named', () => {
  assert.deepEqual(Object.keys(REQUEST_SHAPES).sort(), [...API_METHODS].sort());
  const refused = (method: Parameters<typeof checkRequest>[0], req: unknown, field: string | undefined, text: RegExp) =>
    assert.throws(
      () => checkRequest(method, req),
      (e: Error & { code?: string; field?: string }) => e.code === 'invalid' && e.field === field && text.test(e.message),
      `${method} ${JSON.stringify(req)}`,
    );
  refused('runs.start', { config: null }, 'config', /field 'config' must be an object \(got null\)/);
  refused('runs.start', {}, 'config', /field 'config' is required/);
  refused('runs.get', { id: '1' }, 'id', /must be a positive integer \(got "1"\)/);
  refused('runs.get', { id: 1e308 }, 'id', /must be a positive integer/);
  refused('runs.tag', { id: 1, tag: { a: 1 } }, 'tag', /must be a string/);
  refused('runs.note', { id: 1, body: 'x', extra: 1 }, 'extra', /unknown field 'extra' \(fields: id, body, noteId\)/);
  refused('queue.state', { x: 1 }, 'x', /it takes none/);
  refused('runs.list', null, undefined, /the request must be an object/);
  checkRequest('runs.list', {});
  checkRequest('runs.tag', { id: 3, tag: 'a', remove: true });
  checkRequest('embeddings.start', {
    model: { preset: 'mnist-vit' },
    dataset: 'mnist',
    split: 'test',
    site: { block: 1 },
    noise: null,
    protocol: 'sorted',
    batchSize: 10,
    seed: 1,
    projection: 'pca',
    entropy: false,
  });
});
