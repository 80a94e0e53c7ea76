// Browser-mode end-to-end harness: the real `noisynn serve` on a temporary data directory, driven by
// Debian's Chromium through playwright-core. Tests wait on the app's readiness attributes, never on sleeps.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { tempDir } from '../helpers/tmp';

const root = join(import.meta.dirname, '..', '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(root, 'test-results', 'screenshots');

export interface App {
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  server: ChildProcess;
  close(): Promise<void>;
}

/**
 * Why browser tests cannot run here, or undefined when they can. Under CI=true a missing prerequisite
 * is a failure, not a skip: CI must never go green without having run the browser tests.
 */
export function missingPrerequisite(): string | undefined {
  let missing: string | undefined;
  if (!existsSync(CHROMIUM)) missing = `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
  else if (!existsSync(join(root, 'out', 'renderer', 'index.html'))) missing = 'renderer not built (npm run build)';
  if (missing && process.env.CI) throw new Error(`CI: the browser tests cannot run: ${missing}`);
  return missing;
}

/** `o.ownGroup`: the server leads its own process group, as from a terminal (a test can Ctrl-C the group). */
export async function startApp(dataDir = tempDir('noisynn-e2e-'), o: { ownGroup?: boolean } = {}): Promise<App> {
  const server = spawn(process.execPath, [join(root, 'bin', 'noisynn.mjs'), 'serve', '--port', '0', '--json', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: o.ownGroup === true,
  });
  const info = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    let buf = '';
    server.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        if (line.startsWith('{')) {
          try {
            resolve(JSON.parse(line));
          } catch {
            /* partial line */
          }
        }
      }
    });
    server.on('exit', (code) => reject(new Error(`noisynn serve exited with code ${code} before listening`)));
  });
  const origin = new URL(info.url).origin;
  return {
    url: info.url,
    origin,
    token: info.token,
    dataDir,
    server,
    close: () =>
      new Promise((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      }),
  };
}

/**
 * WebGL through SwiftShader (software, in every Chromium build): the app's WebGL charts (scattergl,
 * parcoords) are the tested path, as on a workstation with a GPU. Newer Chromium no longer falls back to
 * SwiftShader by itself, hence the explicit flags; GPU compositing stays off.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface Session {
  app: App;
  browser: Browser;
  page: Page;
  /** Throws (failing the test that just ran, from an afterEach hook) when the page raised or logged an error since the last call. */
  assertNoPageErrors(): void;
  close(): Promise<void>;
}

/** The app served from `dataDir`, open in a fresh Chromium page; page errors and console errors are collected. */
export async function openApp(dataDir: string | undefined, page: BrowserContextOptions): Promise<Session> {
  const app = await startApp(dataDir);
  const browser = await launchBrowser();
  const p = await browser.newPage(page);
  let errors: string[] = [];
  p.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  p.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium logs every non-2xx response. A 4xx from the API is an answer the app handles and shows
    // (not found, invalid, conflict: e.g. "still running" while it polls an analysis); a 5xx is a fault.
    if (/status of 4\d\d/.test(m.text()) && m.location().url.includes('/api/')) return;
    errors.push(`console error: ${m.text()} (${m.location().url})`);
  });
  await p.goto(app.url);
  return {
    app,
    browser,
    page: p,
    assertNoPageErrors: () => {
      const seen = errors;
      errors = [];
      if (seen.length) throw new Error(`the page reported ${seen.length} error${seen.length === 1 ? '' : 's'}:\n${seen.join('\n')}`);
    },
    close: async () => {
      await browser.close();
      await app.close();
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
