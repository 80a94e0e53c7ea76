#!/usr/bin/env node
// Runs every test file under test/unit, test/integration and test/e2e with node's test runner (tsx for TypeScript).
// Usage: node test/run.mjs [substring filter ...]
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { useSoftwareVulkan } from './helpers/vulkan.mjs';

const roots = ['test/unit', 'test/integration', 'test/e2e'];
const filters = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
};
for (const r of roots) walk(r);
const chosen = filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files;
if (chosen.length === 0) {
  console.error('no test files matched', filters);
  process.exit(1);
}
// Skips are counted and shown with their reasons; the only one allowed is the Electron window test
// where no Electron binary or display exists. Under CI=true any other skip fails the run.
const ALLOWED_SKIPS = [join('test', 'e2e', 'app-electron.test.ts')];
const skipLog = join(mkdtempSync(join(tmpdir(), 'noisynn-skips-')), 'skips.jsonl');
// The webgpu tests need a Vulkan device; on a machine without a GPU that is SwiftShader (helpers/vulkan.mjs).
const env = useSoftwareVulkan({ ...process.env, NOISYNN_TEST: '1', NOISYNN_SKIP_LOG: skipLog });
const r = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(import.meta.dirname, 'skip-reporter.mjs')}`,
    '--test-reporter-destination=stderr',
    ...chosen,
  ],
  { stdio: 'inherit', env },
);
if (env.XDG_RUNTIME_DIR !== process.env.XDG_RUNTIME_DIR) rmSync(env.XDG_RUNTIME_DIR, { recursive: true, force: true });
const skips = existsSync(skipLog)
  ? readFileSync(skipLog, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];
rmSync(dirname(skipLog), { recursive: true, force: true });
console.log(`\n${skips.length} test${skips.length === 1 ? '' : 's'} skipped${skips.length ? ':' : ''}`);
for (const s of skips) console.log(`  - ${s.name} (${s.file}): ${s.reason}`);
const unexpected = skips.filter((s) => !ALLOWED_SKIPS.some((a) => s.file.endsWith(a)));
if (process.env.CI && unexpected.length) {
  console.error(
    `CI: ${unexpected.length} skip${unexpected.length === 1 ? '' : 's'} not allowed (only ${ALLOWED_SKIPS.join(', ')} may skip)`,
  );
  process.exit(1);
}
process.exit(r.status ?? 1);
