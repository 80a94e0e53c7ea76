import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { dbPath, resolveDataDir, runDir } from '../../src-main/store/paths';

test('--data-dir flag beats NOISYNN_HOME and is made absolute', () => {
  assert.equal(resolveDataDir('rel/dir', { NOISYNN_HOME: '/env/home' }, 'linux', '/home/u'), path.resolve('rel/dir'));
  assert.throws(() => resolveDataDir('  ', {}, 'linux', '/home/u'), /--data-dir/);
});

test('NOISYNN_HOME beats the OS folder', () => {
  assert.equal(resolveDataDir(undefined, { NOISYNN_HOME: '/env/home' }, 'linux', '/home/u'), '/env/home');
});

test('OS app-data folders', () => {
  assert.equal(resolveDataDir(undefined, {}, 'linux', '/home/u'), '/home/u/.local/share/noisynn-workbench');
  assert.equal(resolveDataDir(undefined, { XDG_DATA_HOME: '/xdg' }, 'linux', '/home/u'), '/xdg/noisynn-workbench');
  assert.equal(resolveDataDir(undefined, { XDG_DATA_HOME: 'relative' }, 'linux', '/home/u'), '/home/u/.local/share/noisynn-workbench');
  assert.equal(resolveDataDir(undefined, {}, 'darwin', '/Users/u'), '/Users/u/Library/Application Support/NoisyNN Workbench');
  assert.equal(
    resolveDataDir(undefined, { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u'),
    'C:\\Users\\u\\AppData\\Roaming\\NoisyNN Workbench',
  );
});

test('database and run folders', () => {
  assert.equal(dbPath('/d'), path.join('/d', 'noisynn.db'));
  assert.equal(runDir('/d', 42), path.join('/d', 'runs', '42'));
  assert.throws(() => runDir('/d', 0), /positive integer/);
  assert.throws(() => runDir('/d', 1.5), /positive integer/);
});
