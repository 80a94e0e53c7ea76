// `noisynn serve`: the workbench in a browser. Starts the services and the loopback HTTP transport,
// prints the token URL (Jupyter-style), and runs until SIGINT / SIGTERM. The desktop shell runs this same
// command as its backend host (src-main/desktop/backend-host.ts) with --exit-with-stdin.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createServices, type Emit } from '../api/services';
import { startServer, type RunningServer } from '../server/http-server';
import { resolveDataDir } from '../store';
import { UsageError, type ParsedArgs } from './args';
import { printJson } from './output';

export const SERVE_USAGE = 'noisynn serve [--port N] [--data-dir DIR] [--static DIR] [--json] [--exit-with-stdin]';

/** Where serve keeps its cookie secret and last port, so a restart keeps open tabs signed in. */
const SECRET_FILE = 'server-secret';
const STATE_FILE = 'serve.json';

/** The built renderer of this checkout: <repo>/out/renderer (this file is <repo>/src-main/cli/serve.ts). */
export function defaultStaticDir(): string {
  return fileURLToPath(new URL('../../out/renderer/', import.meta.url));
}

function parsePort(v: string | boolean | undefined): number {
  if (v === undefined) return 0;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--port: expected an integer 0..65535 (0 = any free port), got '${String(v)}'`);
  return n;
}

/** Resolves with what ended the server: a signal, or (for a backend host) its parent closing our stdin. */
function waitForStop(watchStdin: boolean): Promise<string> {
  return new Promise((resolve) => {
    const on = (why: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      // A paused-for-good stdin lets the process exit once the shutdown below is done.
      if (watchStdin) process.stdin.destroy();
      resolve(why);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
    // A shell that dies without a word (SIGKILL, a crash) still closes the pipe: the backend follows it.
    if (watchStdin) {
      process.stdin.on('end', () => on('stdin closed'));
      process.stdin.on('error', () => on('stdin closed'));
      process.stdin.resume();
    }
  });
}

/** The cookie secret of this data dir (made once, owner-only); an in-memory one where it cannot be written. */
export function serverSecret(dataDir: string): string {
  const file = path.join(dataDir, SECRET_FILE);
  try {
    const s = fs.readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(s)) return s;
  } catch {
    /* first start */
  }
  const secret = randomBytes(32).toString('hex');
  try {
    fs.writeFileSync(file, secret, { mode: 0o600 });
  } catch (e) {
    console.error(
      `warning: cannot keep the session secret in ${file} (${(e as Error).message}): open tabs will need the new URL after a restart`,
    );
  }
  return secret;
}

/** The port the last server of this data dir listened on (tried first, so a restart keeps open tabs working). */
function lastPort(dataDir: string): number {
  try {
    const p = (JSON.parse(fs.readFileSync(path.join(dataDir, STATE_FILE), 'utf8')) as { port?: unknown }).port;
    return typeof p === 'number' && Number.isInteger(p) && p > 1024 && p <= 65535 ? p : 0;
  } catch {
    return 0;
  }
}

export async function serveCommand(a: ParsedArgs): Promise<number> {
  if (a.positionals.length > 0) throw new UsageError(`unexpected argument '${a.positionals[0]}'\nusage: ${SERVE_USAGE}`);
  const explicitPort = a.flags.port !== undefined;
  const port = parsePort(a.flags.port);
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  const staticDir = path.resolve((a.flags.static as string | undefined) ?? defaultStaticDir());
  const json = a.flags.json === true;

  // The services need an emit before the server exists; events raised in between have no listener anyway.
  let server: RunningServer | null = null;
  const emit: Emit = (event, payload) => server?.emit(event, payload);
  const services = await createServices({ dataDir, transport: 'http', emit });
  try {
    const secret = serverSecret(dataDir);
    const reuse = explicitPort ? 0 : lastPort(dataDir);
    server = reuse ? await startServer({ handlers: services.handlers, staticDir, dataDir, port: reuse, secret }).catch(() => null) : null;
    server ??= await startServer({ handlers: services.handlers, staticDir, dataDir, port, secret });
    try {
      fs.writeFileSync(path.join(dataDir, STATE_FILE), JSON.stringify({ port: server.port }));
    } catch {
      /* a read-only data dir only loses the port preference */
    }
  } catch (e) {
    await services.dispose();
    throw e;
  }

  if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
    console.error(
      `warning: the renderer is not built (no ${path.join(staticDir, 'index.html')}): only the API is served. Run 'npm run build'.`,
    );
  }
  console.log(`NoisyNN Workbench: open ${server.url}`);
  console.log('Press Ctrl+C to stop.');
  if (json) printJson({ url: server.url, port: server.port, token: server.token, dataDir });

  const why = await waitForStop(a.flags['exit-with-stdin'] === true);
  console.error(`noisynn serve: ${why}, shutting down`);
  // Stop taking requests (and end the event streams) first, so nothing reaches disposed services.
  try {
    await server.close();
  } finally {
    await services.dispose();
  }
  return 0;
}
