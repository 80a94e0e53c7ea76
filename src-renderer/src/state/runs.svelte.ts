// The Runs view's state: every run with its live status, the table's sort / filter / search, the
// runs ticked for comparison, their details (params, evaluations) and their curves.
import { RUN_STATUSES, type RunDetail, type RunStatus, type RunSummary, type Series } from '@api/contract';
import { noiseParam, siteLabel, sortBy, testTop1, type SortDir, type SortValue } from '../lib/compare';
import { errorMessage, host } from '../host';
import { matchesSearch } from '../lib/run-search';
import { persist, restore } from './persisted';

export type ColumnId =
  | 'id'
  | 'name'
  | 'status'
  | 'backend'
  | 'preset'
  | 'dataset'
  | 'model'
  | 'noise'
  | 'param'
  | 'site'
  | 'at'
  | 'seed'
  | 'lr'
  | 'batch'
  | 'epochs'
  | 'top1'
  | 'ips'
  | 'duration'
  | 'created'
  | 'tags';

/** The table's columns in order; `hidden` ones start unticked in the column chooser. */
export const COLUMNS: { id: ColumnId; label: string; num?: boolean; hidden?: boolean }[] = [
  { id: 'id', label: '#', num: true },
  { id: 'name', label: 'Name' },
  { id: 'status', label: 'Status' },
  // The number a researcher scans for first: kept near the left so it stays in view on a small screen.
  { id: 'top1', label: 'Test top-1', num: true },
  { id: 'backend', label: 'Backend', hidden: true },
  { id: 'preset', label: 'Preset', hidden: true },
  { id: 'dataset', label: 'Dataset' },
  { id: 'model', label: 'Model' },
  { id: 'noise', label: 'Noise' },
  { id: 'param', label: 'Param', num: true },
  { id: 'site', label: 'Site' },
  { id: 'at', label: 'At', hidden: true },
  { id: 'seed', label: 'Seed', num: true },
  { id: 'lr', label: 'lr', num: true },
  { id: 'batch', label: 'Batch', num: true },
  { id: 'epochs', label: 'Epochs', num: true },
  { id: 'ips', label: 'img/s', num: true, hidden: true },
  { id: 'duration', label: 'Duration', num: true },
  { id: 'created', label: 'Created', hidden: true },
  { id: 'tags', label: 'Tags / notes' },
];
const COLUMNS_KEY = 'noisynn.runs.hidden-columns';

/** How each sortable column reads its value from a run. */
export const COLUMN_VALUE: Record<ColumnId, (r: RunSummary) => SortValue> = {
  id: (r) => r.id,
  name: (r) => r.name,
  status: (r) => r.status,
  backend: (r) => r.backend,
  preset: (r) => r.preset,
  dataset: (r) => r.dataset,
  model: (r) => r.model,
  noise: (r) => r.noise?.type ?? 'none',
  param: (r) => noiseParam(r.noise)?.value ?? null,
  site: (r) => siteLabel(r.noise) || null,
  at: (r) => (r.noise?.type === 'none' ? null : r.noise?.at),
  seed: (r) => r.seed,
  lr: (r) => r.lr,
  batch: (r) => r.batchSize,
  duration: (r) => r.durationS,
  top1: (r) => testTop1(r),
  ips: (r) => r.imagesPerSecond,
  epochs: (r) => r.epochsDone,
  created: (r) => r.createdAt,
  tags: (r) => r.tags.join(' ') || null,
};

export const STATUSES: readonly RunStatus[] = RUN_STATUSES;

/** Curves keys offered for comparison, in this order when a run has them. */
export const CURVE_KEYS = ['train/loss', 'train/acc', 'test/top1', 'test/top5', 'test/loss', 'train/lr'];

export class RunsState {
  list = $state<RunSummary[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);

  statuses = $state<RunStatus[]>([]);
  search = $state('');
  sortColumn = $state<ColumnId>('id');
  sortDir = $state<SortDir>('desc');
  selected = $state<number[]>([]);
  /** Columns unticked in the chooser; kept across reloads. */
  hiddenColumns = $state<ColumnId[]>(
    restore(COLUMNS_KEY, { ids: COLUMNS.filter((c) => c.hidden).map((c) => c.id) as string[] }).ids.filter((id): id is ColumnId =>
      COLUMNS.some((c) => c.id === id),
    ),
  );
  /** Notes added in this session: the contract has runs.note but no way to read notes back yet. */
  notes = $state<Record<number, string[]>>({});
  actionError = $state<string | null>(null);

  /** The runs being compared (a snapshot of the selection when Compare was pressed). */
  comparing = $state<number[]>([]);
  details = $state<Record<number, RunDetail>>({});
  detailsError = $state<string | null>(null);

  visible = $derived.by(() => {
    const rows = this.list.filter((r) => {
      if (this.statuses.length && !this.statuses.includes(r.status)) return false;
      return matchesSearch(r, this.notes[r.id] ?? [], this.search);
    });
    return sortBy(rows, COLUMN_VALUE[this.sortColumn], this.sortDir);
  });

  #subscribed = false;
  #reloadTimer: ReturnType<typeof setTimeout> | null = null;

  async load(): Promise<void> {
    this.#subscribe();
    try {
      this.list = await host.invoke('runs.list', {});
      this.error = null;
      // A run that vanished cannot stay selected.
      const ids = new Set(this.list.map((r) => r.id));
      this.selected = this.selected.filter((id) => ids.has(id));
    } catch (e) {
      this.error = errorMessage(e);
    } finally {
      this.loaded = true;
    }
  }

  /** Live updates: the status changes in place at once; the full row (summary, speed) follows in one reload. */
  #subscribe(): void {
    if (this.#subscribed) return;
    this.#subscribed = true;
    host.on('run.status', (e) => {
      const r = this.list.find((x) => x.id === e.runId);
      if (r) {
        r.status = e.status;
        if (e.error) r.error = e.error;
      }
      this.#reloadSoon();
      if (this.comparing.includes(e.runId) && e.status !== 'running') void this.#fetchDetail(e.runId);
    });
    host.on('run.epoch', (e) => {
      const r = this.list.find((x) => x.id === e.runId);
      if (r) r.epochsDone = Math.max(r.epochsDone, e.epoch);
    });
    host.on('queue.changed', () => this.#reloadSoon());
  }

  #reloadSoon(): void {
    // Coalesces bursts (a sweep queues many runs at once) into one runs.list.
    if (this.#reloadTimer) return;
    this.#reloadTimer = setTimeout(() => {
      this.#reloadTimer = null;
      void this.load();
    }, 300);
  }

  sortOn(column: ColumnId): void {
    if (this.sortColumn === column) this.sortDir = this.sortDir === 'asc' ? 'desc' : 'asc';
    else {
      this.sortColumn = column;
      this.sortDir = column === 'top1' || column === 'ips' || column === 'created' || column === 'id' ? 'desc' : 'asc';
    }
  }

  toggleColumn(id: ColumnId): void {
    this.hiddenColumns = this.hiddenColumns.includes(id) ? this.hiddenColumns.filter((x) => x !== id) : [...this.hiddenColumns, id];
    persist(COLUMNS_KEY, { ids: this.hiddenColumns });
  }

  toggleStatus(s: RunStatus): void {
    this.statuses = this.statuses.includes(s) ? this.statuses.filter((x) => x !== s) : [...this.statuses, s];
  }

  toggleSelect(id: number): void {
    this.selected = this.selected.includes(id) ? this.selected.filter((x) => x !== id) : [...this.selected, id];
  }

  /** Header checkbox: all visible rows, or none when they are all selected already. */
  toggleAllVisible(): void {
    const ids = this.visible.map((r) => r.id);
    const all = ids.length > 0 && ids.every((id) => this.selected.includes(id));
    this.selected = all ? this.selected.filter((id) => !ids.includes(id)) : [...new Set([...this.selected, ...ids])];
  }

  async tag(id: number, tag: string, remove = false): Promise<void> {
    const t = tag.trim();
    if (!t) return;
    try {
      await host.invoke('runs.tag', { id, tag: t, remove });
      const r = this.list.find((x) => x.id === id);
      if (r) r.tags = remove ? r.tags.filter((x) => x !== t) : [...new Set([...r.tags, t])].sort();
      this.actionError = null;
    } catch (e) {
      this.actionError = `tag on run ${id}: ${errorMessage(e)}`;
    }
  }

  async note(id: number, body: string): Promise<void> {
    const b = body.trim();
    if (!b) return;
    try {
      await host.invoke('runs.note', { id, body: b });
      this.notes[id] = [...(this.notes[id] ?? []), b];
      this.actionError = null;
    } catch (e) {
      this.actionError = `note on run ${id}: ${errorMessage(e)}`;
    }
  }

  async compare(ids = this.selected): Promise<void> {
    this.comparing = [...ids].sort((a, b) => a - b);
    await Promise.all(this.comparing.map((id) => this.#fetchDetail(id)));
  }

  closeCompare(): void {
    this.comparing = [];
  }

  async #fetchDetail(id: number): Promise<void> {
    try {
      this.details[id] = await host.invoke('runs.get', { id });
      this.detailsError = null;
    } catch (e) {
      this.detailsError = `run ${id}: ${errorMessage(e)}`;
    }
  }

  /** Details of the compared runs that have arrived, in comparison order. */
  comparedDetails = $derived(this.comparing.map((id) => this.details[id]).filter((d): d is RunDetail => d !== undefined));
  detailsReady = $derived(this.comparing.length > 0 && this.comparedDetails.length === this.comparing.length);

  /** Curves of the compared runs for `keys`, downsampled to `width` pixels by the main side. */
  async curves(keys: string[], width: number): Promise<{ runId: number; series: Series[] }[]> {
    return Promise.all(
      this.comparing.map(async (runId) => {
        const have = this.details[runId]?.metricKeys ?? keys;
        const wanted = keys.filter((k) => have.includes(k));
        return {
          runId,
          series: wanted.length
            ? await host.invoke('runs.metrics', { id: runId, keys: wanted, width: Math.max(50, Math.round(width)) })
            : [],
        };
      }),
    );
  }
}

export const runs = new RunsState();
