import os from 'node:os';
import path from 'node:path';

const APP_NAME = 'NoisyNN Workbench';
const APP_SLUG = 'noisynn-workbench';

/**
 * Where the workbench keeps its database and run artefacts:
 * `--data-dir` flag, then NOISYNN_HOME, then the OS app-data folder.
 * `env`, `platform` and `home` are parameters so tests can exercise every OS.
 */
export function resolveDataDir(
  flag?: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (flag !== undefined) {
    if (flag.trim() === '') throw new Error('--data-dir: expected a directory, got an empty string');
    return path.resolve(flag);
  }
  if (env.NOISYNN_HOME) return path.resolve(env.NOISYNN_HOME);
  if (platform === 'win32') {
    const appData = env.APPDATA || path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, APP_NAME);
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', APP_NAME);
  // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.local', 'share');
  return path.posix.join(base, APP_SLUG);
}

export function dbPath(dataDir: string): string {
  return path.join(dataDir, 'noisynn.db');
}

export function runDir(dataDir: string, runId: number): string {
  if (!Number.isSafeInteger(runId) || runId <= 0) throw new Error(`runDir: run id must be a positive integer, got ${runId}`);
  return path.join(dataDir, 'runs', String(runId));
}
