#!/usr/bin/env node
// `npm start`: the desktop app when Electron can run here, otherwise the same UI in the browser.
// The Electron binary is looked up without `require('electron')`: in electron 45 that call starts a
// download when the binary is missing, and this machine may be offline.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function electronBinary() {
  let pkgDir;
  try {
    pkgDir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return { path: null, why: 'Electron is not installed' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return { path: null, why: 'Electron binary not installed (offline install)' };
  const rel = readFileSync(pathFile, 'utf8').trim();
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkgDir, 'dist');
  const bin = join(dist, rel);
  return existsSync(bin) ? { path: bin, why: '' } : { path: null, why: `Electron binary missing at ${bin}` };
}

function hasDisplay() {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function run(cmd, cmdArgs) {
  // Its own process group (POSIX): Ctrl+C reaches only this script, which forwards it exactly once.
  // Otherwise the child would get SIGINT twice and the second would cut its orderly shutdown short.
  const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit', detached: process.platform !== 'win32' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    });
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electron = electronBinary();
const forceBrowser = process.env.NOISYNN_BROWSER === '1' || args.includes('--browser');
let reason = '';
if (forceBrowser) reason = 'browser mode requested';
else if (!electron.path) reason = electron.why;
else if (!hasDisplay()) reason = 'no display (DISPLAY / WAYLAND_DISPLAY unset)';

const rest = args.filter((a) => a !== '--browser');
if (!reason) {
  // electron-vite preview builds first, then runs the built app (the same files a release ships).
  run(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'preview', ...(rest.length ? ['--', ...rest] : [])]);
} else {
  console.log(`${reason}: starting browser mode`);
  // A clean clone has no built renderer yet; the loopback server serves out/renderer.
  if (!existsSync(join(root, 'out', 'renderer', 'index.html'))) {
    const built = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'error'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  run(process.execPath, [join(root, 'bin', 'noisynn.mjs'), 'serve', ...rest]);
}
