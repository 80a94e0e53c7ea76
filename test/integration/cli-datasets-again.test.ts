// `noisynn datasets add` of a folder that is registered already says so instead of registering it again.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli';
import { oddImageTree } from '../helpers/image-tree';
import { tempDir } from '../helpers/tmp';

test('datasets add twice: the second says "already registered as NAME" (also under another spelling of the path); the list holds it once', async () => {
  const dir = tempDir();
  const folder = join(tempDir('noisynn-again-'), 'shapes');
  await oddImageTree(folder);
  const first = cli(dir, 'datasets', 'add', folder, '--name', 'shapes', '--json');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.json?.alreadyAs, undefined);
  const again = cli(dir, 'datasets', 'add', `${folder}/`);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`${folder}/ is already registered as 'shapes': nothing was added`));
  const json = cli(dir, 'datasets', 'add', folder, '--json');
  assert.equal(json.json?.alreadyAs, 'shapes');
  const list = cli(dir, 'datasets', 'list', '--json');
  const names = (list.json?.datasets as { name: string }[]).map((d) => d.name);
  assert.deepEqual(
    names.filter((n) => n !== 'mnist' && n !== 'fashion-mnist'),
    ['shapes'],
  );
});
