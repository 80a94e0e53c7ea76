import { conflict, notFound } from '../errors';
import { checkInt, checkText, fail, nowIso, writeTx, type StoreDb } from './sql';
import type { DatasetInput, StoredDataset } from './types';
import type { DatasetKind } from '../data/types';

const KINDS: readonly DatasetKind[] = ['mnist', 'fashion-mnist', 'idx', 'cifar10', 'cifar100', 'image-folder'];

function validate(s: StoreDb, d: DatasetInput): void {
  const name = checkText(s, 'dataset name', d?.name);
  const at = `dataset "${name}"`;
  if (!KINDS.includes(d.kind)) fail(s, `${at}: kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(d.kind)}`);
  checkText(s, `${at} path`, d.path);
  if (!Array.isArray(d.classNames) || d.classNames.some((c) => typeof c !== 'string'))
    fail(s, `${at}: classNames must be an array of strings`);
  if (!Array.isArray(d.shape) || d.shape.length !== 3) fail(s, `${at}: shape must be [height, width, channels]`);
  d.shape.forEach((v, i) => checkInt(s, `${at} shape[${i}]`, v, 1));
  for (const split of ['train', 'test'] as const) {
    checkInt(s, `${at} counts.${split}`, d.counts?.[split]);
    const cc = d.classCounts?.[split];
    if (!Array.isArray(cc)) fail(s, `${at}: classCounts.${split} must be an array`);
    cc.forEach((v, i) => checkInt(s, `${at} classCounts.${split}[${i}]`, v));
  }
  if (typeof d.contentHash !== 'string') fail(s, `${at}: contentHash must be a string`);
  if (d.note !== undefined && typeof d.note !== 'string') fail(s, `${at}: note must be a string`);
}

/** Insert or update by name; the id and added_at of an existing dataset are kept, and so is its note when none is given. */
export function upsertDataset(s: StoreDb, d: DatasetInput): number {
  validate(s, d);
  const row = s.db
    .prepare(
      `INSERT INTO datasets (name, kind, path, class_names, shape, train_count, test_count, class_counts, content_hash, note, added_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, path = excluded.path, class_names = excluded.class_names,
         shape = excluded.shape, train_count = excluded.train_count, test_count = excluded.test_count,
         class_counts = excluded.class_counts, content_hash = excluded.content_hash, note = COALESCE(excluded.note, note)
       RETURNING id`,
    )
    .get(
      d.name,
      d.kind,
      d.path,
      JSON.stringify(d.classNames),
      JSON.stringify(d.shape),
      d.counts.train,
      d.counts.test,
      JSON.stringify(d.classCounts),
      d.contentHash,
      d.note ?? null,
      nowIso(),
    ) as { id: number };
  return row.id;
}

interface DatasetRecord {
  id: number;
  name: string;
  kind: DatasetKind;
  path: string;
  class_names: string | null;
  shape: string | null;
  train_count: number | null;
  test_count: number | null;
  class_counts: string | null;
  content_hash: string | null;
  note: string | null;
  added_at: string;
}

// Columns are nullable so future kinds can be registered before inspection; absent values read as empty.
function toDataset(r: DatasetRecord): StoredDataset {
  const d: StoredDataset = {
    id: r.id,
    name: r.name,
    kind: r.kind,
    path: r.path,
    classNames: r.class_names === null ? [] : JSON.parse(r.class_names),
    shape: r.shape === null ? [0, 0, 0] : JSON.parse(r.shape),
    counts: { train: r.train_count ?? 0, test: r.test_count ?? 0 },
    classCounts: r.class_counts === null ? { train: [], test: [] } : JSON.parse(r.class_counts),
    contentHash: r.content_hash ?? '',
    addedAt: r.added_at,
  };
  if (r.note !== null) d.note = r.note;
  return d;
}

export function datasets(s: StoreDb): StoredDataset[] {
  return (s.db.prepare('SELECT * FROM datasets ORDER BY name').all() as DatasetRecord[]).map(toDataset);
}

export function datasetByName(s: StoreDb, name: string): StoredDataset | undefined {
  const r = s.db.prepare('SELECT * FROM datasets WHERE name = ?').get(name) as DatasetRecord | undefined;
  return r && toDataset(r);
}

export function datasetById(s: StoreDb, id: number): StoredDataset | undefined {
  const r = s.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRecord | undefined;
  return r && toDataset(r);
}

/**
 * Registers a dataset under a name no other dataset has. With `replace`, a different dataset already
 * under that name is kept under `<name>@<its hash>`, so the runs that trained on it stay pinned to it.
 */
export function registerDataset(s: StoreDb, d: DatasetInput, replace = false): number {
  validate(s, d);
  return writeTx(s, () => {
    const old = datasetByName(s, d.name);
    if (old && old.contentHash === d.contentHash && old.path === d.path) return upsertDataset(s, d); // the same data again
    if (old && !replace) {
      throw conflict(
        `dataset '${d.name}' is already registered (${old.path}, content hash ${old.contentHash.slice(0, 12)}); choose another --name, or pass --replace (runs trained on the old data keep it as '${d.name}@${old.contentHash.slice(0, 12)}')`,
      );
    }
    if (old) {
      let keep = `${d.name}@${old.contentHash.slice(0, 12)}`;
      if (datasetByName(s, keep)) keep = `${keep}-${old.id}`;
      s.db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(keep, old.id);
    }
    return upsertDataset(s, d);
  });
}

/** Removes a dataset; refused while runs use it unless `force` (those runs then record no dataset). Returns how many runs used it. */
export function removeDataset(s: StoreDb, name: string, force = false): number {
  return writeTx(s, () => {
    const d = datasetByName(s, name);
    if (!d) throw notFound(`${s.file}: dataset '${name}' is not registered`);
    const users = (s.db.prepare('SELECT id FROM runs WHERE dataset_id = ? ORDER BY id').all(d.id) as { id: number }[]).map((r) => r.id);
    if (users.length && !force) {
      throw conflict(
        `dataset '${name}' is used by ${users.length} run${users.length === 1 ? '' : 's'} (${users.slice(0, 10).join(', ')}${users.length > 10 ? ', ...' : ''}); they could no longer be evaluated or resumed. Pass --force to remove it anyway`,
      );
    }
    s.db.prepare('UPDATE runs SET dataset_id = NULL WHERE dataset_id = ?').run(d.id);
    s.db.prepare('DELETE FROM datasets WHERE id = ?').run(d.id);
    return users.length;
  });
}
