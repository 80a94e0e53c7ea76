// The renderer reaches main-side code only through the contract, and what the contract loads at run time
// (the noise registry) is pure: no tfjs, no Node built-ins, no Electron, no npm packages at all.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '..', '..');
const CONTRACT = join(root, 'src-main', 'api', 'contract.ts');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|svelte)$/.test(n) ? [p] : [];
  });
}

/** Module specifiers a file loads at run time (type-only imports and exports are erased). */
function runtimeImports(path: string): string[] {
  const src = readFileSync(path, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)'/gms)) if (!m[2]) out.push(m[4]);
  for (const m of src.matchAll(/^\s*import\s+'([^']+)'/gm)) out.push(m[1]);
  return out;
}

/** Every specifier, type-only or not. */
function allImports(path: string): string[] {
  return [...readFileSync(path, 'utf8').matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]);
}

const resolveTs = (from: string, spec: string) => {
  const p = spec.startsWith('@api/') ? join(root, 'src-main', 'api', spec.slice(5)) : resolve(dirname(from), spec);
  return p.endsWith('.ts') || p.endsWith('.svelte') ? p : `${p}.ts`;
};

test('the renderer imports main-side code only through the contract', () => {
  const outside: string[] = [];
  for (const f of files(join(root, 'src-renderer', 'src'))) {
    for (const spec of allImports(f)) {
      if (!spec.startsWith('.') && !spec.startsWith('@api/')) continue;
      const target = resolveTs(f, spec);
      if (target.startsWith(join(root, 'src-main')) && target !== CONTRACT) outside.push(`${relative(root, f)} -> ${spec}`);
    }
  }
  assert.deepEqual(outside, []);
});

test('what the contract loads at run time imports no package, Node built-in, tfjs or Electron', () => {
  const seen = new Set<string>();
  const bad: string[] = [];
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const spec of runtimeImports(f)) {
      if (spec.startsWith('.')) visit(resolveTs(f, spec));
      else bad.push(`${relative(root, f)} -> ${spec}`);
    }
  };
  visit(CONTRACT);
  assert.deepEqual(bad, []);
  assert.ok(
    [...seen].some((f) => f.endsWith(join('engine', 'noise', 'operators.ts'))),
    'the noise registry is reached through the contract',
  );
});
