// The native-addon probe behind `noisynn doctor`: real binaries from node_modules, and files that are
// not loadable addons (which must be reported, not crash the probe).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { binaryAbi, describeAbi, probeAddon, probeNativeAddons, runtimeAbi } from '../../src-main/runner/native-addons';
import { tempDir } from '../helpers/tmp';

test('better-sqlite3 is a V8-API addon built by npm ci for this Node; sharp is N-API; both load', () => {
  const all = probeNativeAddons();
  assert.deepEqual(
    all.map((a) => a.name),
    ['better-sqlite3', 'sharp', 'tfjs-node', 'tfjs-node-gpu', 'webgpu (Dawn)'],
  );
  const sqlite = all.find((a) => a.name === 'better-sqlite3')!;
  assert.deepEqual(sqlite.abi, { kind: 'v8', moduleVersion: Number(process.versions.modules) });
  assert.equal(describeAbi(sqlite.abi), `NODE_MODULE_VERSION ${process.versions.modules}`);
  assert.equal(sqlite.abiMatches, true);
  assert.equal(sqlite.loads, true, sqlite.error);
  const sharp = all.find((a) => a.name === 'sharp')!;
  assert.deepEqual(sharp.abi, { kind: 'napi' });
  assert.equal(sharp.loads, true, sharp.error);
  for (const a of all) {
    if (!a.installed) assert.equal(a.loads, undefined, `${a.name}: nothing to load`);
    else assert.match(a.version ?? '', /^\d+\.\d+\.\d+/, a.name);
  }
  assert.equal(runtimeAbi().modules, process.versions.modules);
  assert.match(runtimeAbi().runtime, /^Node \d+/);
});

test('the ABI is read from the exported register symbol', () => {
  assert.deepEqual(binaryAbi(Buffer.from('\0\0node_register_module_v140\0')), { kind: 'v8', moduleVersion: 140 });
  assert.deepEqual(binaryAbi(Buffer.from('\0napi_register_module_v1\0')), { kind: 'napi' });
  assert.deepEqual(binaryAbi(Buffer.from('ELF and nothing else')), { kind: 'unknown' });
});

test('an addon built for another ABI, or not an addon at all, is reported without crashing the probe', () => {
  const dir = tempDir();
  const fake = join(dir, 'electron-built.node');
  writeFileSync(fake, Buffer.from(`not a shared object\0node_register_module_v${Number(process.versions.modules) + 25}\0`));
  const r = probeAddon('fake', 'better-sqlite3', () => fake);
  assert.equal(r.installed, true);
  assert.equal(r.abiMatches, false, 'another NODE_MODULE_VERSION');
  assert.equal(r.loads, false);
  assert.ok(r.error && r.error.length > 0);
  const missing = probeAddon('gone', 'better-sqlite3', () => join(dir, 'nope.node'));
  assert.equal(missing.loads, false);
  assert.match(missing.error!, /binary not found/);
  assert.equal(probeAddon('absent', 'no-such-package-noisynn', () => '').installed, false);
});
