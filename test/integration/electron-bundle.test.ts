// The built Electron shell (out/main, out/preload; `npm test` builds them first) must never load a native
// addon: better-sqlite3, sharp and tfjs-node are built for Node's ABI and would throw in Electron. So every
// module the bundles can reach, through their own chunks, is a Node built-in or 'electron'.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const entries = [join(root, 'out', 'main', 'index.js'), join(root, 'out', 'preload', 'index.cjs')];
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Every specifier a built file imports or requires (static, dynamic and CommonJS forms). */
function specifiers(code: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bimport\s+(?:[\w*{}\s,$]+\s+from\s+)?["']([^"']+)["']/g,
    /\bexport\s+[\w*{}\s,$]+\s+from\s+["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const p of patterns) for (const m of code.matchAll(p)) found.push(m[1]);
  return found;
}

/** The bare specifiers reachable from one entry, following its relative chunks. */
function reachable(entry: string): { bare: Map<string, string>; files: string[] } {
  const bare = new Map<string, string>();
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const s of specifiers(code)) {
      if (s.startsWith('.')) queue.push(resolve(dirname(file), s));
      else if (!bare.has(s)) bare.set(s, file);
    }
  }
  return { bare, files: [...seen] };
}

test('the Electron main and preload bundles reach only Node built-ins and electron (no native addon)', () => {
  for (const entry of entries) assert.ok(existsSync(entry), `${entry} is not built: run npm run build`);
  for (const entry of entries) {
    const { bare, files } = reachable(entry);
    const foreign = [...bare].filter(([s]) => s !== 'electron' && !builtins.has(s));
    assert.deepEqual(
      foreign.map(([s, f]) => `${s} (from ${f})`),
      [],
      `${entry} reaches modules other than built-ins and electron`,
    );
    for (const f of files) {
      const code = readFileSync(f, 'utf8');
      assert.doesNotMatch(code, /\.node["']/, `${f} names a .node file`);
      for (const addon of ['better-sqlite3', 'better_sqlite3', 'sharp', 'tfjs-node', 'tfjs_binding'])
        assert.ok(!code.includes(addon), `${f} mentions ${addon}`);
    }
  }
});

test('the bundle check sees a require of a native addon (it can fail)', () => {
  const code = 'const db = require("better-sqlite3"); import("./chunk.js"); import x from "sharp";';
  assert.deepEqual(specifiers(code).sort(), ['./chunk.js', 'better-sqlite3', 'sharp']);
});
