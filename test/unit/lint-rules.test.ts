// The layering rules in eslint.config.js can fail: each probe below breaks one rule and must be reported by
// it, and the allowed import beside it must not be. The probes are linted as text at the path they name, so
// no file of the tree is changed; the cycle is two real files in test/fixtures/lint (ignored by `npm run lint`).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const root = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root, ignore: false });

/** The rule ids reported for `code` linted as if it were the file at `file` (relative to the repository). */
async function rulesFor(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

test('the renderer may import the API contract and nothing else from src-main', async () => {
  const file = 'src-renderer/src/lib/lint-probe.ts';
  assert.deepEqual(await rulesFor(file, "import type { SplitName } from '@api/contract';\nexport type S = SplitName;\n"), []);
  assert.deepEqual(
    await rulesFor(file, "import type { SplitName } from '../../../src-main/api/contract';\nexport type S = SplitName;\n"),
    [],
  );
  assert.deepEqual(
    await rulesFor(file, "import { isGpuBackend } from '../../../src-main/engine/backend';\nexport const g = isGpuBackend;\n"),
    ['import-x/no-restricted-paths'],
  );
  assert.deepEqual(await rulesFor(file, "import * as s from '@api/services';\nexport const x = s;\n"), ['import-x/no-restricted-paths']);
});

test('a Svelte component is held to the renderer rule too', async () => {
  const code =
    '<script lang="ts">\n  import * as store from \'../../../src-main/store/index\';\n  const s = store;\n</script>\n<p>{String(s)}</p>\n';
  assert.deepEqual(await rulesFor('src-renderer/src/views/LintProbe.svelte', code), ['import-x/no-restricted-paths']);
});

test('the Electron shell may not load a native addon, the store or the engine', async () => {
  const file = 'src-main/electron/lint-probe.ts';
  assert.deepEqual(await rulesFor(file, "import { app } from 'electron';\nexport const a = app;\n"), []);
  assert.deepEqual(await rulesFor(file, "import Database from 'better-sqlite3';\nexport const d = Database;\n"), ['no-restricted-imports']);
  assert.deepEqual(await rulesFor(file, "import sharp from 'sharp';\nexport const s = sharp;\n"), ['no-restricted-imports']);
  assert.deepEqual(await rulesFor(file, "import * as store from '../store/index';\nexport const s = store;\n"), [
    'import-x/no-restricted-paths',
  ]);
  assert.deepEqual(await rulesFor(file, "import { isGpuBackend } from '../engine/backend';\nexport const g = isGpuBackend;\n"), [
    'import-x/no-restricted-paths',
  ]);
});

test('the engine may not import the store, the server or Electron', async () => {
  const file = 'src-main/engine/lint-probe.ts';
  assert.deepEqual(await rulesFor(file, "import { isGpuBackend } from './backend';\nexport const g = isGpuBackend;\n"), []);
  for (const target of ['../store/index', '../server/http-server', '../electron/main']) {
    assert.deepEqual(
      await rulesFor(file, `import * as m from '${target}';\nexport const x = m;\n`),
      ['import-x/no-restricted-paths'],
      target,
    );
  }
});

test('an import cycle is reported in both of its files', async () => {
  const results = await eslint.lintFiles(['test/fixtures/lint/cycle/a.ts', 'test/fixtures/lint/cycle/b.ts']);
  assert.equal(results.length, 2);
  for (const r of results)
    assert.deepEqual(
      r.messages.map((m) => m.ruleId),
      ['import-x/no-cycle'],
      r.filePath,
    );
});
