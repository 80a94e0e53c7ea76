// datasets.* services: registered datasets, pages of image references, single images with statistics.
import { invalid } from '../../errors';
import type { Dataset } from '../../data/types';
import { addDataset, ensureBuiltins, openDataset } from '../../runner/datasets';
import type { Store, StoredDataset } from '../../store';
import type { ApiMethods, DatasetSummary, ImageDetail, ImageRef, Pixels, SplitName } from '../contract';
import { pixels } from './encode';

type Req<M extends keyof ApiMethods> = ApiMethods[M]['req'];

export function summary(d: StoredDataset): DatasetSummary {
  const { name, kind, path, classNames, shape, counts, classCounts, contentHash, note } = d;
  return { name, kind, path, classNames, shape, counts, classCounts, contentHash, ...(note ? { note } : {}) };
}

export class DatasetServices {
  /** Filtered index lists, keyed by dataset/split/classes: paging through 70,000 images stays cheap. */
  private readonly pages = new Map<string, ImageRef[]>();

  constructor(private readonly store: Store) {}

  async list(): Promise<DatasetSummary[]> {
    await ensureBuiltins(this.store);
    return this.store.datasets().map(summary);
  }

  async add(r: Req<'datasets.add'>): Promise<ApiMethods['datasets.add']['res']> {
    if (!r.path?.trim()) throw invalid('a dataset path is required', 'path');
    const d = await addDataset(this.store, r.path.trim(), r);
    return d.alreadyAs ? { ...summary(d), alreadyRegistered: true } : summary(d);
  }

  async load(name: string): Promise<Dataset> {
    return (await openDataset(this.store, name)).data;
  }

  async images(r: Req<'datasets.images'>): Promise<{ total: number; items: ImageRef[] }> {
    const data = await this.load(r.dataset);
    const classes = r.classes?.length ? [...r.classes].sort((a, b) => a - b) : undefined;
    const key = `${r.dataset}|${data.info.contentHash}|${r.split}|${classes?.join(',') ?? '*'}`;
    let refs = this.pages.get(key);
    if (!refs) {
      refs = [];
      const wanted = classes ? new Set(classes) : undefined;
      const splits: SplitName[] = r.split === 'all' ? ['train', 'test'] : [r.split];
      for (const split of splits) {
        const { labels, count } = data.splits[split];
        for (let index = 0; index < count; index++)
          if (!wanted || wanted.has(labels[index])) refs.push({ split, index, label: labels[index] });
      }
      this.pages.set(key, refs);
    }
    const offset = Math.max(0, Math.floor(r.offset));
    const limit = Math.min(5000, Math.max(0, Math.floor(r.limit)));
    return { total: refs.length, items: refs.slice(offset, offset + limit) };
  }

  async thumbnails(r: Req<'datasets.thumbnails'>): Promise<Pixels[]> {
    const data = await this.load(r.dataset);
    if (!Array.isArray(r.refs) || r.refs.length > 1000) throw invalid('thumbnails: ask for at most 1000 images at once', 'refs');
    const [h, w, c] = data.info.shape;
    const size = h * w * c;
    return r.refs.map((ref) => {
      const split = data.splits[ref.split];
      if (!split || !Number.isInteger(ref.index) || ref.index < 0 || ref.index >= split.count)
        throw invalid(`image ${ref.split} ${ref.index} is out of range for ${r.dataset}`, 'refs');
      return pixels(split.images.subarray(ref.index * size, (ref.index + 1) * size), h, w, c);
    });
  }

  async image(r: Req<'datasets.image'>): Promise<ImageDetail> {
    const data = await this.load(r.dataset);
    const split = data.splits[r.split];
    if (!split) throw invalid(`unknown split '${r.split}'`, 'split');
    if (!Number.isInteger(r.index) || r.index < 0 || r.index >= split.count)
      throw invalid(`image ${r.index} is out of range: ${r.dataset} ${r.split} has ${split.count} images`, 'index');
    const [h, w, c] = data.info.shape;
    const size = h * w * c;
    const px = split.images.subarray(r.index * size, (r.index + 1) * size);
    let min = 255;
    let max = 0;
    let sum = 0;
    let sq = 0;
    for (const v of px) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      sq += v * v;
    }
    const mean = sum / size;
    const label = split.labels[r.index];
    return {
      dataset: r.dataset,
      split: r.split,
      index: r.index,
      label,
      className: data.info.classNames[label],
      pixels: pixels(px, h, w, c),
      stats: { min, max, mean, std: Math.sqrt(Math.max(0, sq / size - mean * mean)) },
    };
  }
}
