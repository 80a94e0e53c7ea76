// What produced a run: package versions and the workbench's git commit, recorded with every run.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Not named `require`: the Electron build's bundler declares its own in shared chunks.
const nodeRequire = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function version(pkg: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(nodeRequire.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

export function packageVersions(): Record<string, string> {
  const out: Record<string, string> = { node: process.versions.node };
  const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  out['noisynn-workbench'] = own.version;
  for (const p of [
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-backend-webgpu',
    'webgpu',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    'better-sqlite3',
  ]) {
    const v = version(p);
    if (v) out[p] = v;
  }
  return out;
}

let commit: string | null | undefined;
/** HEAD of the workbench's own checkout, with '+dirty' when it has uncommitted changes; null outside git. */
export function gitCommit(): string | null {
  if (commit !== undefined) return commit;
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    commit = dirty ? `${head}+dirty` : head;
  } catch {
    commit = null;
  }
  return commit;
}
