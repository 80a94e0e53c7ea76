// `noisynn serve`: the workbench in a browser. Starts the services and the loopback HTTP transport,
// prints the token URL (Jupyter-style), and runs until SIGINT / SIGTERM.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServices, type Emit } from '../api/services';
import { startServer, type RunningServer } from '../server/http-server';
import { resolveDataDir } from '../store';
import { UsageError, parseArgs } from './args';
import { printJson } from './output';

export const SERVE_USAGE = 'noisynn serve [--port N] [--data-dir DIR] [--static DIR] [--json]';

/** The built renderer of this checkout: <repo>/out/renderer (this file is <repo>/src-main/cli/serve.ts). */
export function defaultStaticDir(): string {
  return fileURLToPath(new URL('../../out/renderer/', import.meta.url));
}

function parsePort(v: string | boolean | undefined): number {
  if (v === undefined) return 0;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port: expected an integer 0..65535 (0 = any free port), got '${String(v)}'`);
  return n;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function serveCommand(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { booleans: ['json'], values: ['port', 'data-dir', 'static'] });
  if (a.positionals.length > 0) throw new UsageError(`unexpected argument '${a.positionals[0]}'\nusage: ${SERVE_USAGE}`);
  const port = parsePort(a.flags.port);
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  const staticDir = path.resolve((a.flags.static as string | undefined) ?? defaultStaticDir());
  const json = a.flags.json === true;

  // The services need an emit before the server exists; events raised in between have no listener anyway.
  let server: RunningServer | null = null;
  const emit: Emit = (event, payload) => server?.emit(event, payload);
  const services = await createServices({ dataDir, transport: 'http', emit });
  try {
    server = await startServer({ handlers: services.handlers, staticDir, port });
  } catch (e) {
    await services.dispose();
    throw e;
  }

  if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
    console.error(`warning: the renderer is not built (no ${path.join(staticDir, 'index.html')}): only the API is served. Run 'npm run build'.`);
  }
  console.log(`NoisyNN Workbench: open ${server.url}`);
  console.log('Press Ctrl+C to stop.');
  if (json) printJson({ url: server.url, port: server.port, token: server.token, dataDir });

  const sig = await waitForSignal();
  console.error(`noisynn serve: ${sig}, shutting down`);
  // Stop taking requests (and end the event streams) first, so nothing reaches disposed services.
  try {
    await server.close();
  } finally {
    await services.dispose();
  }
  return 0;
}
