// The desktop app's backend host: `noisynn serve` under a real Node, started and stopped by the Electron
// shell. Native addons (better-sqlite3, sharp, tfjs-node) are built for Node's ABI and must never load in an
// Electron process, so everything that touches them runs here; the window loads the same loopback app as
// browser mode. This module imports no Electron, so a plain Node test starts the backend exactly as the shell does.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface BackendHostOptions {
  /** The Node binary to run (see findNode). */
  node: string;
  /** The checkout / app root holding bin/noisynn.mjs and out/renderer. */
  root: string;
  /** --data-dir; default: the CLI's own default (NOISYNN_HOME, else the OS app-data folder). */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  /** How long the backend may take to say where it listens. Default 60 s. */
  startTimeoutMs?: number;
}

export interface BackendExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines it wrote to stderr: what the shell shows when the backend dies. */
  stderrTail: string[];
  /** True when the shell asked it to stop. */
  requested: boolean;
}

export interface BackendHost {
  /** The token URL to load (the server trades it for a session cookie). */
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  pid: number;
  /** Resolves when the process ends, for whatever reason. */
  exited: Promise<BackendExit>;
  /** Asks for an orderly shutdown (trainers stopped and requeued, store closed); SIGKILL after the grace time. */
  stop(graceMs?: number): Promise<BackendExit>;
}

export class BackendStartError extends Error {
  constructor(
    message: string,
    readonly stderrTail: string[],
  ) {
    super(stderrTail.length ? `${message}\n${stderrTail.join('\n')}` : message);
    this.name = 'BackendStartError';
  }
}

const TAIL_LINES = 20;

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Node that runs the backend: NOISYNN_NODE (`npm start` passes the node that ran it), else `node` on PATH.
 * Never the Electron binary itself (even with ELECTRON_RUN_AS_NODE its ABI differs from the addons').
 */
export function findNode(env: NodeJS.ProcessEnv = process.env): { node: string } | { error: string } {
  const given = env.NOISYNN_NODE;
  if (given) return executable(given) ? { node: given } : { error: `NOISYNN_NODE=${given} is not an executable Node.js binary` };
  const names = process.platform === 'win32' ? ['node.exe'] : ['node'];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const n of names) {
      const p = join(dir, n);
      if (existsSync(p) && executable(p)) return { node: p };
    }
  }
  return { error: 'no Node.js found: the desktop app runs its backend under Node >= 20 (install it, or set NOISYNN_NODE to its path)' };
}

/** Keeps the last lines of a stream. */
function tail(stream: NodeJS.ReadableStream, lines: string[], also?: (chunk: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    also?.(chunk);
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) if (l.trim()) lines.push(l);
    if (lines.length > TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES);
  });
  stream.on('end', () => {
    if (partial.trim()) lines.push(partial);
    if (lines.length > TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES);
  });
}

/** Starts `noisynn serve --json --exit-with-stdin` and resolves once it is listening. */
export function startBackendHost(o: BackendHostOptions): Promise<BackendHost> {
  const args = [join(o.root, 'bin', 'noisynn.mjs'), 'serve', '--json', '--port', '0', '--exit-with-stdin'];
  if (o.dataDir) args.push('--data-dir', o.dataDir);
  // stdin is the lifeline: when the shell dies, the pipe closes and the backend shuts down in order.
  const child: ChildProcess = spawn(o.node, args, { cwd: o.root, env: o.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderrTail: string[] = [];
  tail(child.stderr!, stderrTail, (c) => process.stderr.write(c));
  let requested = false;
  const exited = new Promise<BackendExit>((resolve) => {
    child.on('exit', (code, signal) => {
      // Let the last stderr chunk land before reporting.
      setImmediate(() => resolve({ code, signal, stderrTail: [...stderrTail], requested }));
    });
    child.on('error', (e) => {
      stderrTail.push(`cannot run ${o.node}: ${e.message}`);
      resolve({ code: null, signal: null, stderrTail: [...stderrTail], requested });
    });
  });

  const stop = async (graceMs = 30_000): Promise<BackendExit> => {
    requested = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const r = await exited;
      clearTimeout(timer);
      return r;
    }
    return exited;
  };

  return new Promise<BackendHost>((resolve, reject) => {
    let out = '';
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop(2000);
      reject(new BackendStartError(why, [...stderrTail]));
    };
    const timer = setTimeout(
      () => fail(`the backend did not start within ${(o.startTimeoutMs ?? 60_000) / 1000} s`),
      o.startTimeoutMs ?? 60_000,
    );
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (settled) return;
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"token"'));
      if (!line) return;
      let info: { url: string; port: number; token: string; dataDir: string };
      try {
        info = JSON.parse(line) as typeof info;
      } catch {
        return; // the line is still arriving
      }
      settled = true;
      clearTimeout(timer);
      resolve({ ...info, origin: new URL(info.url).origin, pid: child.pid!, exited, stop });
    });
    void exited.then((e) => fail(`the backend exited before it was ready (${e.signal ?? `code ${e.code}`})`));
  });
}
