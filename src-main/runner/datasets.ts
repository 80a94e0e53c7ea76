// Registered datasets: the store keeps what was added (name, kind, path, shape, hash); this loads them back.
import { resolve } from 'node:path';
import { conflict, notFound } from '../errors';
import { builtinDatasets, detectKind, loadDataset, type DatasetRef } from '../data/registry';
import type { Dataset, DatasetKind } from '../data/types';
import type { RunRow, Store, StoredDataset } from '../store';

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

/**
 * Reads a dataset from disk and registers it; a bad dataset throws before anything is written. A name
 * in use is refused unless `replace` (then the old data stays registered for the runs that used it).
 * The same folder with the same content, already registered (under the name asked for, or under any
 * name when none was asked for), is not registered again: `alreadyAs` names the registration.
 */
export async function addDataset(
  store: Store,
  path: string,
  o: { name?: string; kind?: DatasetKind; imageSize?: [number, number]; channels?: 1 | 3; replace?: boolean } = {},
): Promise<StoredDataset & { alreadyAs?: string }> {
  await ensureBuiltins(store); // a built-in name is taken too
  const kind = o.kind ?? detectKind(path);
  const data = await load({ kind, path, name: o.name, imageSize: o.imageSize, channels: o.channels });
  const same = store
    .datasets()
    .find(
      (d) =>
        d.contentHash === data.info.contentHash &&
        resolve(d.path) === resolve(data.info.path) &&
        (o.name === undefined || o.name === d.name),
    );
  if (same) return { ...same, alreadyAs: same.name };
  store.registerDataset(data.info, o.replace === true);
  return store.datasetByName(data.info.name)!;
}

async function loadRegistered(reg: StoredDataset): Promise<Dataset> {
  const [h, w, c] = reg.shape;
  const data = await load({ kind: reg.kind, path: reg.path, name: reg.name, imageSize: [h, w], channels: c === 1 ? 1 : 3 });
  if (data.info.contentHash !== reg.contentHash) {
    throw conflict(
      `dataset '${reg.name}' at ${reg.path} changed since it was registered (content hash ${data.info.contentHash.slice(0, 12)} != ${reg.contentHash.slice(0, 12)}); re-add it to train on the new data`,
    );
  }
  return data;
}

/**
 * The data a run trained on, for eval and resume: the dataset it was created with (by id, so a
 * re-registered name cannot swap it), refused when its content is not what the run recorded.
 */
export async function openRunDataset(store: Store, run: RunRow, purpose: 'train' | 'resume' | 'evaluate'): Promise<Dataset> {
  const name = (run.config as { dataset?: string }).dataset ?? '?';
  let data: Dataset;
  if (run.datasetId !== null) {
    const reg = store.datasetById(run.datasetId);
    if (!reg) throw notFound(`run ${run.id}: the dataset it trained on ('${name}', id ${run.datasetId}) is no longer registered`);
    data = await loadRegistered(reg);
  } else {
    data = (await openDataset(store, name)).data;
  }
  if (run.datasetHash && data.info.contentHash !== run.datasetHash) {
    throw conflict(
      `run ${run.id} trained on dataset '${name}' with content hash ${run.datasetHash.slice(0, 12)}; the data registered now has ${data.info.contentHash.slice(0, 12)}: refusing to ${purpose} it on different data`,
    );
  }
  return data;
}

/** Loads a registered dataset by name and checks it is the data the registration described. */
export async function openDataset(store: Store, name: string): Promise<{ data: Dataset; id: number }> {
  await ensureBuiltins(store);
  const reg = store.datasetByName(name);
  if (!reg) {
    const known = store.datasets().map((d) => d.name);
    throw notFound(
      `dataset '${name}' is not registered (known: ${known.join(', ')}); add it with: noisynn datasets add PATH --name ${name}`,
    );
  }
  return { data: await loadRegistered(reg), id: reg.id };
}
