// One dataset image with its facts (datasets.image), cached: the noise labs' batch strips and mixing
// tables show the same digits on every recompute, and the Datasets view's detail panel reopens them.
import type { ImageDetail, SplitName } from '@api/contract';
import { host } from '../host';

const cache = new Map<string, Promise<ImageDetail>>();
// Oldest-first eviction is enough: the labs show at most 64 images at a time.
const CACHE_LIMIT = 1024;

export function fetchImage(dataset: string, split: SplitName, index: number): Promise<ImageDetail> {
  const key = `${dataset}\u0000${split}\u0000${index}`;
  let p = cache.get(key);
  if (!p) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    p = host.invoke('datasets.image', { dataset, split, index });
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

/** Forgets a dataset's images (its name now stands for other data: datasets.add --replace). */
export function forgetImages(dataset: string): void {
  for (const key of [...cache.keys()]) if (key.startsWith(`${dataset}\u0000`)) cache.delete(key);
}
