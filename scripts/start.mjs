#!/usr/bin/env node
// `npm start`: the desktop app when Electron can run here, otherwise the same UI in the browser.
// electron 45 has no install script: its binary comes from its own installer (node_modules/electron/install.js),
// which this script runs, with a time limit, when the binary is missing. When the desktop cannot start
// (no display, no download, a failed start) it says why in one line and serves browser mode instead.
// The Electron binary is looked up without `require('electron')`, which would start an unbounded download.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const INSTALL_TIMEOUT_S = Number(process.env.NOISYNN_ELECTRON_INSTALL_TIMEOUT_S ?? 180);
/** A desktop app that fails this soon after its start is treated as unable to start here. */
const EARLY_EXIT_MS = 60_000;

function electronPackage() {
  try {
    return dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

function electronBinary(pkgDir) {
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkgDir, 'dist'), readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

/** "22.12.0" <= this Node? (electron's `engines`, e.g. ">= 22.12.0") */
function nodeSatisfies(range) {
  const want = /(\d+)\.(\d+)\.(\d+)/.exec(range ?? '');
  if (!want) return true;
  const have = process.versions.node.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (have[i] !== Number(want[i + 1])) return have[i] > Number(want[i + 1]);
  }
  return true;
}

/** Runs Electron's own installer (it honours ELECTRON_MIRROR and electron_config_cache); the reason on failure. */
function installElectron(pkgDir) {
  console.log(
    `Electron is not installed yet: downloading it (up to ${INSTALL_TIMEOUT_S} s; NOISYNN_ELECTRON_INSTALL_TIMEOUT_S changes that)...`,
  );
  const r = spawnSync(process.execPath, [join(pkgDir, 'install.js')], {
    cwd: pkgDir,
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_S * 1000,
    killSignal: 'SIGKILL',
  });
  if (electronBinary(pkgDir)) return null;
  const engines = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).engines?.node;
  const oldNode = nodeSatisfies(engines) ? '' : `; electron's installer wants Node ${engines}, this is ${process.versions.node}`;
  const help = 'offline: set ELECTRON_MIRROR or put the zip in electron_config_cache (README, "The app")';
  if (r.error?.code === 'ETIMEDOUT') return `the Electron download did not finish within ${INSTALL_TIMEOUT_S} s (${help}${oldNode})`;
  const first =
    `${r.stderr ?? ''}\n${r.stdout ?? ''}`
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l && !l.startsWith('at ')) ?? `exit code ${r.status}`;
  return `Electron could not be installed: ${first} (${help}${oldNode})`;
}

function hasDisplay() {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** Runs a child in its own process group and forwards Ctrl+C once (a second SIGINT would cut its shutdown short). */
function run(cmd, cmdArgs, env, onExit) {
  const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env, detached: process.platform !== 'win32' });
  let forwarded = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      forwarded = true;
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    });
  }
  child.on('exit', (code, signal) => onExit(code, signal, forwarded));
}

function browserMode(reason) {
  console.log(`${reason}: starting browser mode`);
  // A clean clone has no built renderer yet; the loopback server serves out/renderer.
  if (!existsSync(join(root, 'out', 'renderer', 'index.html'))) {
    const built = spawnSync(
      process.execPath,
      [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'error'],
      { cwd: root, stdio: 'inherit' },
    );
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  run(process.execPath, [join(root, 'bin', 'noisynn.mjs'), 'serve', ...rest], process.env, (code, signal) =>
    process.exit(code ?? (signal ? 1 : 0)),
  );
}

function desktop() {
  const started = Date.now();
  // The shell runs its backend (store, engine, trainers) under this very Node: native addons are built for it.
  const env = { ...process.env, NOISYNN_NODE: process.execPath };
  // electron-vite preview builds first, then runs the built app (the same files a release ships).
  run(
    process.execPath,
    [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'preview', ...(rest.length ? ['--', ...rest] : [])],
    env,
    (code, signal, forwarded) => {
      if (!forwarded && code !== 0 && Date.now() - started < EARLY_EXIT_MS)
        return browserMode(`the desktop app failed to start (${signal ?? `exit code ${code}`})`);
      process.exit(code ?? (signal ? 1 : 0));
    },
  );
}

const rest = args.filter((a) => a !== '--browser');
const pkgDir = electronPackage();
let reason = '';
if (process.env.NOISYNN_BROWSER === '1' || args.includes('--browser')) reason = 'browser mode requested';
else if (!hasDisplay()) reason = 'no display to open a window on (DISPLAY / WAYLAND_DISPLAY unset)';
else if (!pkgDir) reason = 'the electron package is not installed (npm ci)';
else if (!electronBinary(pkgDir)) reason = installElectron(pkgDir) ?? '';

if (reason) browserMode(reason);
else desktop();
