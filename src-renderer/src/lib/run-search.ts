// The runs table's search box: exact parameter matches ("strength 1") and free text, as pure functions.
import type { RunSummary } from '@api/contract';
import { noiseLabel, noiseParam, siteLabel } from './compare';

/** A run's searchable parameters by name: "strength 1", "lr 0.003", "batch 32", "dataset fashion-mnist". */
export function runParams(r: RunSummary): [string, string | number][] {
  const p = noiseParam(r.noise);
  const out: [string, string | number | null][] = [
    ['seed', r.seed],
    ['lr', r.lr],
    ['batch', r.batchSize],
    ['epochs', r.epochs],
    ['dataset', r.dataset],
    ['model', r.model],
    ['noise', r.noise?.type ?? 'none'],
  ];
  if (p) out.push([p.name, p.value]);
  return out.filter((x): x is [string, string | number] => x[1] !== null);
}

/**
 * Whether a run matches the search box: "name value" with a known parameter name compares the value
 * exactly ("strength 1" is not "strength 10"); anything else is a substring of the run's text (id, name,
 * status, backend, preset, noise, site, every parameter, tags, notes).
 */
export function matchesSearch(r: RunSummary, notes: readonly string[], query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const params = runParams(r);
  const m = /^([a-z][\w-]*)[\s=:]+(\S+)$/.exec(q);
  if (m && params.some(([k]) => k === m[1])) {
    return params.some(([k, v]) => k === m[1] && (typeof v === 'number' ? Number(m[2]) === v : v.toLowerCase() === m[2]));
  }
  const text = [
    `#${r.id}`,
    r.name,
    r.status,
    r.backend,
    r.preset,
    noiseLabel(r.noise),
    siteLabel(r.noise),
    ...params.map(([k, v]) => `${k} ${v}`),
    ...r.tags,
    ...notes,
  ];
  return text.filter(Boolean).join(' | ').toLowerCase().includes(q);
}
