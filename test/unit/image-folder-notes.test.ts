// What an ImageFolder dataset says about itself: images of another size are stretched (said, with an
// example), and a class too small for the held-out split has no test image (said, with the reason).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadImageFolder } from '../../src-main/data/image-folder';
import { oddImageTree, greyPng } from '../helpers/image-tree';
import { tempDir } from '../helpers/tmp';

test('image folder: a 20x48 image in a 32x32 dataset is said to be stretched; a one-image class is said to have no test image', async () => {
  const root = tempDir('noisynn-odd-tree-');
  await oddImageTree(root);
  const d = await loadImageFolder(root, { channels: 1 });
  assert.deepEqual(d.info.shape, [32, 32, 1]);
  assert.deepEqual(d.info.classCounts.test, [1, 1, 0]);
  const note = d.info.note ?? '';
  assert.match(note, /80\/20 split per class/);
  assert.match(note, /no test image for 'c': a class needs at least 2 images for the split to hold one out/);
  assert.match(note, /1 of 11 images are not 32x32 \(e\.g\. b\/4\.png is 20x48\): stretched to 32x32 \(H x W\), aspect ratio not kept/);
});

test('image folder: same-size images and a test folder for every class add no such note', async () => {
  const root = tempDir('noisynn-plain-tree-');
  for (const split of ['train', 'test'])
    for (const c of ['x', 'y']) await greyPng(join(root, split, c, '0.png'), 8, 8, c.length + split.length);
  const d = await loadImageFolder(root, { channels: 1 });
  assert.equal(d.info.note, undefined);
});

test('image folder with train/test folders: a class missing from test/ is named with that reason', async () => {
  const root = tempDir('noisynn-split-tree-');
  for (const c of ['x', 'y']) await greyPng(join(root, 'train', c, '0.png'), 8, 8, c.charCodeAt(0));
  await greyPng(join(root, 'test', 'x', '0.png'), 8, 8, 3);
  const d = await loadImageFolder(root, { channels: 1 });
  assert.equal(d.info.note, "no test image for 'y': the test folder has no images of that class");
});
