// The store's module structure: sql.ts is the leaf the others build on, no two store modules import each
// other (type-only imports included, which the lint's cycle rule does not follow), shipped migrations
// import no live code, and the hot metric path prepares its statements once per connection.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src-main/store/db';
import { addMetrics } from '../../src-main/store/metrics';
import { createRun } from '../../src-main/store/runs';

const storeDir = path.join(import.meta.dirname, '..', '..', 'src-main', 'store');

/** Every .ts file under the store and the store files it imports (relative imports, `import type` too). */
function storeGraph(): Map<string, string[]> {
  const files = fs.readdirSync(storeDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const code = fs.readFileSync(path.join(storeDir, f), 'utf8');
    const deps = [...code.matchAll(/^(?:import|export)\b[^;]*?from\s+'(\.[^']+)'/gms)]
      .map((m) => path.relative(storeDir, path.resolve(storeDir, path.dirname(f), m[1])) + '.ts')
      .filter((d) => !d.startsWith('..'));
    graph.set(f, deps);
  }
  return graph;
}

/** The first import circle found, as a path of files, or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | null => {
    if (state.get(f) === 'done') return null;
    if (state.get(f) === 'open') return [...stack.slice(stack.indexOf(f)), f];
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(f, 'done');
    return null;
  };
  for (const f of graph.keys()) {
    const c = visit(f);
    if (c) return c;
  }
  return null;
}

test('the cycle finder sees a circle (it can fail)', () => {
  assert.deepEqual(
    findCycle(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', ['a.ts']],
      ]),
    ),
    ['a.ts', 'b.ts', 'a.ts'],
  );
  assert.equal(
    findCycle(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', []],
      ]),
    ),
    null,
  );
});

test('no two store modules import each other, type-only imports included; sql.ts imports no store module but guard.ts', () => {
  const graph = storeGraph();
  assert.ok(graph.get('db.ts')?.includes('runs.ts'), 'the import scan reads db.ts');
  assert.equal(findCycle(graph), null);
  assert.deepEqual(graph.get('sql.ts'), ['guard.ts']);
});

test('shipped migrations import only the Migration type (no live constants)', () => {
  for (const [f, deps] of storeGraph()) {
    if (!/^migrations\/\d{4}-/.test(f)) continue;
    assert.deepEqual(deps, ['migrate.ts'], f);
    assert.match(fs.readFileSync(path.join(storeDir, f), 'utf8'), /^import type \{ Migration \} from '\.\.\/migrate';$/m, f);
  }
});

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'noisynn-store-leaves-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('adding metrics prepares its statements once per connection, not on every call', () => {
  const s = openDatabase(root);
  try {
    const runId = createRun(s, { config: {}, seed: 1 });
    const row = (step: number) => ({ runId, key: 'train/loss', step, epoch: 0, value: 1 / (step + 1), time: 1700000000 + step });
    addMetrics(s, [row(0), row(1)]);
    addMetrics(s, [row(1)]); // a replaced step takes the rollup rebuild path: its statements are prepared here
    const prepare = s.db.prepare.bind(s.db);
    let prepared = 0;
    s.db.prepare = ((sql: string) => {
      prepared++;
      return prepare(sql);
    }) as typeof s.db.prepare;
    addMetrics(s, [row(2), row(3)]);
    addMetrics(s, [row(0)]);
    assert.equal(prepared, 0);
  } finally {
    s.db.close();
  }
});
