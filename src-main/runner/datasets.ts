// Registered datasets: the store keeps what was added (name, kind, path, shape, hash); this loads them back.
import { conflict, notFound } from '../errors';
import { builtinDatasets, detectKind, loadDataset, type DatasetRef } from '../data/registry';
import type { Dataset, DatasetKind } from '../data/types';
import type { Store, StoredDataset } from '../store';

const cache = new Map<string, Dataset>();

async function load(ref: DatasetRef): Promise<Dataset> {
  const key = JSON.stringify(ref);
  let d = cache.get(key);
  if (!d) {
    d = await loadDataset(ref);
    cache.set(key, d);
  }
  return d;
}

/** The embedded datasets are registered on first use of a store. */
export async function ensureBuiltins(store: Store): Promise<void> {
  for (const ref of builtinDatasets()) {
    if (!store.datasetByName(ref.name!)) store.upsertDataset((await load(ref)).info);
  }
}

/** Reads a dataset from disk and registers it; a bad dataset throws before anything is written. */
export async function addDataset(store: Store, path: string, o: { name?: string; kind?: DatasetKind; imageSize?: [number, number]; channels?: 1 | 3 } = {}): Promise<StoredDataset> {
  const kind = o.kind ?? detectKind(path);
  const data = await load({ kind, path, name: o.name, imageSize: o.imageSize, channels: o.channels });
  store.upsertDataset(data.info);
  return store.datasetByName(data.info.name)!;
}

/** Loads a registered dataset by name and checks it is the data the registration described. */
export async function openDataset(store: Store, name: string): Promise<{ data: Dataset; id: number }> {
  await ensureBuiltins(store);
  const reg = store.datasetByName(name);
  if (!reg) {
    const known = store.datasets().map((d) => d.name);
    throw notFound(`dataset '${name}' is not registered (known: ${known.join(', ')}); add it with: noisynn datasets add PATH --name ${name}`);
  }
  const [h, w, c] = reg.shape;
  const data = await load({ kind: reg.kind, path: reg.path, name: reg.name, imageSize: [h, w], channels: c === 1 ? 1 : 3 });
  if (data.info.contentHash !== reg.contentHash) {
    throw conflict(`dataset '${name}' at ${reg.path} changed since it was registered (content hash ${data.info.contentHash.slice(0, 12)} != ${reg.contentHash.slice(0, 12)}); re-add it to train on the new data`);
  }
  return { data, id: reg.id };
}
