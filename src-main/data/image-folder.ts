// ImageFolder trees: root/{train,test}/<class>/<image>, or root/<class>/<image> with a seeded split.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { assembleDataset, labelArray } from './stats';
import { DataError, MAX_IMAGE_SIDE, MAX_SPLIT_BYTES, type Dataset, type Split } from './types';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];

export interface ImageFolderOptions {
  name?: string;
  /** Target [height, width]; default: the size of the first training image. */
  imageSize?: [number, number];
  channels?: 1 | 3;
  /** Seed of the 80/20 split used when the tree has no train/test folders. */
  seed?: number;
  /** Images decoded at once. */
  concurrency?: number;
}

interface FileList {
  classNames: string[];
  files: string[][];
  dirs: string[];
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

function visible(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.'))
    .sort();
}

/** Sorted class folders and their sorted image files; every class must hold at least one image. */
function listClasses(dir: string): FileList {
  const classNames = visible(dir).filter((n) => isDir(join(dir, n)));
  if (classNames.length === 0) throw new DataError(dir, 'no class folders found');
  const dirs = classNames.map((c) => join(dir, c));
  const files = dirs.map((d) => {
    const imgs = visible(d).filter((n) => IMAGE_EXTENSIONS.includes(extname(n).toLowerCase()));
    if (imgs.length === 0) {
      throw new DataError(d, `empty class folder: no ${IMAGE_EXTENSIONS.join('/')} images`);
    }
    return imgs.map((n) => join(d, n));
  });
  return { classNames, files, dirs };
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Holds out round(20%) of each class (at least one when the class has two or more images), chosen by a
 * generator seeded from the seed and the class name so adding a class does not reshuffle the others.
 */
export function splitClassFiles(files: string[], className: string, seed: number): { train: string[]; test: string[] } {
  const n = files.length;
  const nTest = n >= 2 ? Math.max(1, Math.round(n * 0.2)) : 0;
  const order = files.map((_, i) => i);
  const rand = mulberry32(fnv1a(`${seed}:${className}`));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const testIdx = new Set(order.slice(0, nTest));
  return {
    train: files.filter((_, i) => !testIdx.has(i)),
    test: files.filter((_, i) => testIdx.has(i)),
  };
}

async function imageSizeOf(file: string): Promise<[number, number]> {
  try {
    const m = await sharp(file).metadata();
    if (!m.width || !m.height) throw new Error('no dimensions');
    return [m.height, m.width];
  } catch (e) {
    throw new DataError(file, `cannot decode image (${(e as Error).message})`);
  }
}

/** Decodes one image into `out`, stretched to h x w; returns its own [height, width]. */
async function decodeInto(file: string, h: number, w: number, c: 1 | 3, out: Uint8Array, offset: number): Promise<[number, number]> {
  let data: Buffer;
  let info: sharp.OutputInfo;
  let own: [number, number];
  try {
    const src = sharp(file);
    const meta = await src.metadata();
    own = [meta.height ?? h, meta.width ?? w];
    let img = src.resize(w, h, { fit: 'fill' }).removeAlpha();
    // Without an explicit colourspace sharp hands greyscale back as 3 channels.
    img = c === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb');
    ({ data, info } = await img.raw().toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw new DataError(file, `cannot decode image (${(e as Error).message})`);
  }
  if (info.channels !== c || info.width !== w || info.height !== h) {
    throw new DataError(file, `decoded to ${info.height}x${info.width}x${info.channels}, expected ${h}x${w}x${c}`);
  }
  out.set(data, offset);
  return own;
}

/** Images whose own size is not the dataset's: how many, and the first one (file and size). */
interface Resized {
  count: number;
  first?: { file: string; size: [number, number] };
}

async function decodeSplit(
  perClass: string[][],
  numClasses: number,
  h: number,
  w: number,
  c: 1 | 3,
  concurrency: number,
  resized: Resized,
): Promise<Split> {
  const jobs: { file: string; label: number }[] = [];
  perClass.forEach((files, label) => files.forEach((file) => jobs.push({ file, label })));
  const count = jobs.length;
  const size = h * w * c;
  const images = new Uint8Array(count * size);
  const labels = labelArray(count, numClasses);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < count && !failed) {
      const i = next++;
      labels[i] = jobs[i].label;
      try {
        const own = await decodeInto(jobs[i].file, h, w, c, images, i * size);
        if (own[0] !== h || own[1] !== w) {
          resized.count++;
          if (!resized.first || jobs[i].file < resized.first.file) resized.first = { file: jobs[i].file, size: own };
        }
      } catch (e) {
        failed = true; // stop the other workers instead of decoding the rest for nothing
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, count)) }, worker));
  return { images, labels, count };
}

export async function loadImageFolder(root: string, opts: ImageFolderOptions = {}): Promise<Dataset> {
  if (!isDir(root)) throw new DataError(root, 'not a directory');
  const channels = opts.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new DataError(root, `channels must be 1 or 3, got ${String(channels)}`);
  const seed = opts.seed ?? 0;
  const hasTrain = isDir(join(root, 'train'));
  const hasTest = isDir(join(root, 'test'));
  if (hasTrain !== hasTest) {
    throw new DataError(root, `has a ${hasTrain ? 'train' : 'test'} folder but no ${hasTrain ? 'test' : 'train'} folder`);
  }

  let classNames: string[];
  let trainFiles: string[][];
  let testFiles: string[][];
  let note: string | undefined;
  if (hasTrain) {
    const train = listClasses(join(root, 'train'));
    const test = listClasses(join(root, 'test'));
    classNames = train.classNames;
    testFiles = classNames.map(() => []);
    test.classNames.forEach((name, i) => {
      const k = classNames.indexOf(name);
      if (k < 0) throw new DataError(test.dirs[i], `test class "${name}" has no folder in ${join(root, 'train')}`);
      testFiles[k] = test.files[i];
    });
    trainFiles = train.files;
  } else {
    const all = listClasses(root);
    classNames = all.classNames;
    const parts = all.files.map((f, i) => splitClassFiles(f, classNames[i], seed));
    trainFiles = parts.map((p) => p.train);
    testFiles = parts.map((p) => p.test);
    note = `no train/test folders: deterministic 80/20 split per class (seed ${seed})`;
  }

  const [h, w] = opts.imageSize ?? (await imageSizeOf(trainFiles[0][0]));
  if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0 && h <= MAX_IMAGE_SIDE && w <= MAX_IMAGE_SIDE)) {
    throw new DataError(
      root,
      `image size must be two integers from 1 to ${MAX_IMAGE_SIDE}, got [${h}, ${w}] (pass an image size to resize)`,
    );
  }
  // Checked before decoding anything: a folder of large photos would otherwise exhaust memory midway.
  for (const [split, files] of [
    ['train', trainFiles],
    ['test', testFiles],
  ] as const) {
    const bytes = files.reduce((n, f) => n + f.length, 0) * h * w * channels;
    if (bytes > MAX_SPLIT_BYTES) {
      throw new DataError(
        root,
        `the ${split} split would take ${(bytes / 1024 ** 3).toFixed(1)} GiB as ${h}x${w}x${channels} images (at most ${MAX_SPLIT_BYTES / 1024 ** 3} GiB): pass a smaller image size`,
      );
    }
  }
  const conc = Math.max(1, opts.concurrency ?? 4);
  const k = classNames.length;
  const resized: Resized = { count: 0 };
  const train = await decodeSplit(trainFiles, k, h, w, channels, conc, resized);
  const test = await decodeSplit(testFiles, k, h, w, channels, conc, resized);
  const notes = [
    note,
    untestedClasses(classNames, trainFiles, testFiles, hasTrain),
    resizeNote(root, resized, trainFiles, testFiles, h, w),
  ].filter((n) => n);
  if (notes.length) note = notes.join('\n'); // one fact per line
  return assembleDataset({
    name: opts.name ?? basename(root),
    kind: 'image-folder',
    path: root,
    classNames,
    shape: [h, w, channels],
    train,
    test,
    ...(note !== undefined ? { note } : {}),
  });
}

/** Says which classes hold no test image, and why (a held-out split needs two images of a class). */
function untestedClasses(classNames: string[], train: string[][], test: string[][], hasTestFolder: boolean): string | undefined {
  const none = classNames.map((name, i) => ({ name, n: train[i].length })).filter((_, i) => test[i].length === 0);
  if (none.length === 0) return undefined;
  const list =
    none
      .slice(0, 5)
      .map((c) => `'${c.name}'`)
      .join(', ') + (none.length > 5 ? ` and ${none.length - 5} more` : '');
  return hasTestFolder
    ? `no test image for ${list}: the test folder has no images of ${none.length === 1 ? 'that class' : 'those classes'}`
    : `no test image for ${list}: a class needs at least 2 images for the split to hold one out`;
}

/** Says that images of other sizes were stretched (aspect ratio not kept), with one example. */
function resizeNote(root: string, r: Resized, train: string[][], test: string[][], h: number, w: number): string | undefined {
  if (r.count === 0 || !r.first) return undefined;
  const total = [...train, ...test].reduce((n, f) => n + f.length, 0);
  const file = r.first.file.startsWith(root) ? r.first.file.slice(root.length).replace(/^[/\\]+/, '') : r.first.file;
  return `${r.count} of ${total} images are not ${h}x${w} (e.g. ${file} is ${r.first.size[0]}x${r.first.size[1]}): stretched to ${h}x${w} (H x W), aspect ratio not kept`;
}
