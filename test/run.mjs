#!/usr/bin/env node
// Runs every test file under test/unit, test/integration and test/e2e with node's test runner (tsx for TypeScript).
// Usage: node test/run.mjs [substring filter ...]
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
const env = useSoftwareVulkan({ ...process.env, NOISYNN_TEST: '1' });
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...chosen],
  // The webgpu tests need a Vulkan device; on a machine without a GPU that is SwiftShader (helpers/vulkan.mjs).
  { stdio: 'inherit', env },
);
if (env.XDG_RUNTIME_DIR !== process.env.XDG_RUNTIME_DIR) rmSync(env.XDG_RUNTIME_DIR, { recursive: true, force: true });
process.exit(r.status ?? 1);
