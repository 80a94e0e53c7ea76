import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'noisynn.mjs');

/** `train` flags of a small mnist-cnn run on one replica (`batch` absent: the preset's batch size). */
export function cnnRunFlags(o: { epochs: number; train: number; test: number; batch?: number }): string[] {
  const batch = o.batch === undefined ? [] : ['--batch-size', String(o.batch)];
  return [
    '--preset',
    'mnist-cnn',
    '--epochs',
    String(o.epochs),
    '--limit-train',
    String(o.train),
    '--limit-test',
    String(o.test),
    ...batch,
    '--replicas',
    '1',
  ];
}

/** `train` flags of a seconds-long CNN run (one epoch, 64 training and 50 test images): a real run in the store, not results. */
export const TINY_CNN_RUN = cnnRunFlags({ epochs: 1, train: 64, test: 50, batch: 32 });

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json?: Record<string, unknown>;
}

function parse(code: number | null, stdout: string, stderr: string): CliResult {
  const last = stdout.trim().split('\n').pop() ?? '';
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(last) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

/** Runs `noisynn ...args` to completion against a data directory. */
export function cli(dataDir: string, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { ...process.env, NOISYNN_HOME: '' },
  });
  return parse(r.status, r.stdout, r.stderr);
}

/** Same, without blocking the test's event loop (for tests that act while it runs). */
export function cliAsync(dataDir: string, ...args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [bin, ...args, '--data-dir', dataDir], { env: { ...process.env, NOISYNN_HOME: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve(parse(code, stdout, stderr))));
}

/** Same, as the leader of its own process group, as a terminal starts it: `signal` reaches it and its trainer (Ctrl-C). */
export function cliGroup(dataDir: string, ...args: string[]): { pid: number; signal(sig: NodeJS.Signals): void; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [bin, ...args, '--data-dir', dataDir], {
    env: { ...process.env, NOISYNN_HOME: '' },
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return {
    pid: child.pid!,
    signal: (sig) => process.kill(-child.pid!, sig),
    done: new Promise((resolve) => child.on('close', (code) => resolve(parse(code, stdout, stderr)))),
  };
}
