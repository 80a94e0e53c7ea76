import os from 'node:os';
import { conflict, notFound } from '../errors';
import { processAlive, processStart } from './process-identity';
import { checkInt, checkNumber, checkText, fail, nowIso, prepare, writeTx, type StoreDb } from './sql';
import {
  FINAL_STATUSES,
  RUN_STATUSES,
  type FinalStatus,
  type NewRun,
  type NoteRow,
  type RunFilter,
  type RunFinish,
  type RunProgress,
  type RunRow,
  type RunStart,
  type RunStatus,
} from './types';

function toJson(s: StoreDb, what: string, v: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch (err) {
    fail(s, `${what} is not JSON-serialisable: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (text === undefined) fail(s, `${what} is not JSON-serialisable (got ${typeof v})`);
  return text;
}

/** Throws "<file>: run 42 not found" unless the run exists. */
export function requireRun(s: StoreDb, id: number): void {
  checkInt(s, 'run id', id, 1);
  if (!prepare(s, 'SELECT 1 FROM runs WHERE id = ?').get(id)) throw notFound(`${s.file}: run ${id} not found`);
}

function requireRow(s: StoreDb, table: 'datasets' | 'sweeps', label: string, id: number): void {
  checkInt(s, `${label} id`, id, 1);
  if (!prepare(s, `SELECT 1 FROM ${table} WHERE id = ?`).get(id)) throw notFound(`${s.file}: ${label} ${id} not found`);
}

type ParamValue = { text: string; num: number | null };

/** Dotted keys ('noise.type', 'layers.0'); numbers and booleans also get a numeric value so runs can be range-queried. */
export function flattenParams(value: unknown, prefix = '', out = new Map<string, ParamValue>()): Map<string, ParamValue> {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [k, v] of entries) flattenParams(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  if (prefix === '') return out; // a scalar config has no keys
  if (typeof value === 'number') out.set(prefix, { text: String(value), num: value });
  else if (typeof value === 'boolean') out.set(prefix, { text: String(value), num: value ? 1 : 0 });
  else out.set(prefix, { text: value === null ? 'null' : String(value), num: null });
  return out;
}

interface RunRecord {
  id: number;
  name: string | null;
  status: RunStatus;
  config: string;
  seed: number;
  dataset_id: number | null;
  dataset_hash: string | null;
  sweep_id: number | null;
  backend: string | null;
  versions: string | null;
  git_commit: string | null;
  host: string | null;
  pid: number | null;
  pid_start: string | null;
  cancel_requested: number;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  error: string | null;
  epochs_done: number;
  steps_done: number;
  images_per_second: number | null;
  summary: string | null;
  tags_json: string;
}

const RUN_SELECT = `SELECT r.*, (SELECT json_group_array(t.tag ORDER BY t.tag) FROM tags t WHERE t.run_id = r.id) AS tags_json FROM runs r`;

function toRunRow(r: RunRecord): RunRow {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    config: JSON.parse(r.config),
    seed: r.seed,
    datasetId: r.dataset_id,
    datasetHash: r.dataset_hash,
    sweepId: r.sweep_id,
    backend: r.backend,
    versions: r.versions === null ? null : JSON.parse(r.versions),
    gitCommit: r.git_commit,
    host: r.host,
    pid: r.pid,
    cancelRequested: r.cancel_requested === 1,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: r.error,
    epochsDone: r.epochs_done,
    stepsDone: r.steps_done,
    imagesPerSecond: r.images_per_second,
    summary: r.summary === null ? null : JSON.parse(r.summary),
    tags: JSON.parse(r.tags_json),
  };
}

export function createRun(s: StoreDb, r: NewRun): number {
  const config = toJson(s, 'run config', r.config);
  checkInt(s, 'run seed', r.seed, Number.MIN_SAFE_INTEGER);
  const status = r.status ?? 'queued';
  if (status !== 'queued' && status !== 'running') fail(s, `new run status must be 'queued' or 'running', got ${JSON.stringify(status)}`);
  // A run created 'running' is claimed at birth by its owner (the CLI), so no queue ever sees it queued.
  const owner = status === 'running' ? checkInt(s, 'run owner pid', r.ownerPid ?? process.pid, 1) : null;
  const datasetId = r.datasetId ?? null;
  const sweepId = r.sweepId ?? null;
  const versions = r.versions === undefined ? null : toJson(s, 'run versions', r.versions);
  const params = flattenParams(JSON.parse(config));
  return writeTx(s, () => {
    if (datasetId !== null) requireRow(s, 'datasets', 'dataset', datasetId);
    if (sweepId !== null) requireRow(s, 'sweeps', 'sweep', sweepId);
    const now = nowIso();
    const info = s.db
      .prepare(
        `INSERT INTO runs (name, status, config, seed, dataset_id, dataset_hash, sweep_id, versions, git_commit, host, pid, pid_start, created_at, started_at)
         VALUES (?, ?, ?, ?, ?, (SELECT content_hash FROM datasets WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.name ?? null,
        status,
        config,
        r.seed,
        datasetId,
        datasetId,
        sweepId,
        versions,
        r.gitCommit ?? null,
        owner === null ? null : os.hostname(),
        owner,
        owner === null ? null : processStart(owner),
        now,
        owner === null ? null : now,
      );
    const id = Number(info.lastInsertRowid);
    const insert = s.db.prepare('INSERT INTO run_params (run_id, key, value_text, value_num) VALUES (?, ?, ?, ?)');
    for (const [key, v] of params) insert.run(id, key, v.text, v.num);
    return id;
  });
}

export function startRun(s: StoreDb, id: number, r: RunStart): void {
  checkInt(s, 'trainer pid', r.pid, 1);
  checkText(s, 'backend', r.backend);
  requireRun(s, id);
  // With claimedBy, the trainer takes over only a run its parent claimed: no path trains an unclaimed run.
  const claim = r.claimedBy === undefined ? '' : ` AND status = 'running' AND pid = ${checkInt(s, 'claiming pid', r.claimedBy, 1)}`;
  // COALESCE keeps the first start time across resumes; a cancel asked for since the claim stays asked.
  const info = s.db
    .prepare(
      `UPDATE runs SET status = 'running', pid = ?, pid_start = ?, backend = ?, host = ?, started_at = COALESCE(started_at, ?),
       ended_at = NULL, error = NULL WHERE id = ?${claim}`,
    )
    .run(r.pid, processStart(r.pid), r.backend, r.host ?? os.hostname(), nowIso(), id);
  if (info.changes === 0) {
    const row = s.db.prepare('SELECT status, pid FROM runs WHERE id = ?').get(id) as { status: string; pid: number | null };
    throw conflict(
      `${s.file}: run ${id} is ${row.status}${row.pid ? ` (pid ${row.pid})` : ''}, not claimed by process ${r.claimedBy}: refusing to train it`,
    );
  }
}

function readSummary(s: StoreDb, id: number): Record<string, unknown> {
  const row = s.db.prepare('SELECT summary FROM runs WHERE id = ?').get(id) as { summary: string | null } | undefined;
  if (!row) throw notFound(`${s.file}: run ${id} not found`);
  return row.summary === null ? {} : JSON.parse(row.summary);
}

function checkSummary(s: StoreDb, summary: unknown): Record<string, unknown> {
  if (summary === null || typeof summary !== 'object' || Array.isArray(summary)) fail(s, 'run summary must be a plain object');
  return summary as Record<string, unknown>;
}

/** Back to the queue (an interrupted queue run, or a sweep run after an app restart): no pid, no end. */
export function requeueRun(s: StoreDb, id: number, reason?: string): void {
  requireRun(s, id);
  s.db
    .prepare(
      `UPDATE runs SET status = 'queued', pid = NULL, pid_start = NULL, cancel_requested = 0, ended_at = NULL, error = ? WHERE id = ?`,
    )
    .run(reason ?? null, id);
}

/** Puts a run back in the queue only if it is in one of `from`; false when it was not (atomic). */
export function requeueFrom(s: StoreDb, id: number, from: readonly RunStatus[], reason?: string): boolean {
  requireRun(s, id);
  const r = s.db
    .prepare(
      `UPDATE runs SET status = 'queued', pid = NULL, pid_start = NULL, cancel_requested = 0, ended_at = NULL, error = ? WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`,
    )
    .run(reason ?? null, id, ...from);
  return r.changes === 1;
}

/**
 * Atomically takes a run in one of `from` (normally 'queued') for a trainer that process `pid` is about
 * to start; false if it is in no such status (someone else took it).
 */
export function claimRun(s: StoreDb, id: number, pid: number, from: readonly RunStatus[] = ['queued']): boolean {
  checkInt(s, 'claiming pid', pid, 1);
  const r = s.db
    .prepare(
      `UPDATE runs SET status = 'running', pid = ?, pid_start = ?, host = ?, cancel_requested = 0, ended_at = NULL, error = NULL
       WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`,
    )
    .run(pid, processStart(pid), os.hostname(), id, ...from);
  return r.changes === 1;
}

export type CancelOutcome = 'cancelled' | 'requested';

/**
 * Cancels from any process: a queued run (or a running one whose owner is gone) ends 'cancelled' now;
 * a running one gets a request its owner reads at its next step. Anything else throws.
 */
export function requestCancel(s: StoreDb, id: number): CancelOutcome {
  requireRun(s, id);
  return writeTx(s, () => {
    const r = s.db.prepare('SELECT status, pid, pid_start, host FROM runs WHERE id = ?').get(id) as {
      status: RunStatus;
      pid: number | null;
      pid_start: string | null;
      host: string | null;
    };
    const end = (error: string): CancelOutcome => {
      s.db
        .prepare(`UPDATE runs SET status = 'cancelled', ended_at = ?, error = ?, cancel_requested = 0 WHERE id = ?`)
        .run(nowIso(), error, id);
      return 'cancelled';
    };
    if (r.status === 'queued') return end('cancelled before it started');
    if (r.status !== 'running') throw conflict(`${s.file}: run ${id} is ${r.status}; only queued or running runs can be cancelled`);
    const ownerGone = r.host === os.hostname() && (r.pid === null || !processAlive(r.pid, r.pid_start));
    if (ownerGone) return end(`cancelled; its trainer process ${r.pid ?? '?'} was already gone`);
    s.db.prepare('UPDATE runs SET cancel_requested = 1 WHERE id = ?').run(id);
    return 'requested';
  });
}

/** Whether someone asked (through the store) for this run to stop. */
export function cancelRequested(s: StoreDb, id: number): boolean {
  const r = s.db.prepare('SELECT cancel_requested FROM runs WHERE id = ?').get(id) as { cancel_requested: number } | undefined;
  return r?.cancel_requested === 1;
}

export function finishRun(s: StoreDb, id: number, status: FinalStatus, r: RunFinish = {}): void {
  if (!FINAL_STATUSES.includes(status))
    fail(s, `finishRun: status must be one of ${FINAL_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
  if (r.imagesPerSecond !== undefined) checkNumber(s, 'imagesPerSecond', r.imagesPerSecond);
  const extra = r.summary === undefined ? undefined : checkSummary(s, r.summary);
  writeTx(s, () => {
    const summary = { ...readSummary(s, id), ...extra };
    s.db
      .prepare(
        `UPDATE runs SET status = ?, ended_at = ?, error = ?, summary = ?, cancel_requested = 0,
         images_per_second = COALESCE(?, images_per_second) WHERE id = ?`,
      )
      .run(
        status,
        nowIso(),
        r.error ?? null,
        Object.keys(summary).length ? toJson(s, 'run summary', summary) : null,
        r.imagesPerSecond ?? null,
        id,
      );
  });
}

export function updateProgress(s: StoreDb, id: number, p: RunProgress): void {
  if (p.epochsDone !== undefined) checkInt(s, 'epochsDone', p.epochsDone);
  if (p.stepsDone !== undefined) checkInt(s, 'stepsDone', p.stepsDone);
  if (p.imagesPerSecond !== undefined) checkNumber(s, 'imagesPerSecond', p.imagesPerSecond);
  const info = s.db
    .prepare(
      `UPDATE runs SET epochs_done = COALESCE(?, epochs_done), steps_done = COALESCE(?, steps_done),
       images_per_second = COALESCE(?, images_per_second) WHERE id = ?`,
    )
    .run(p.epochsDone ?? null, p.stepsDone ?? null, p.imagesPerSecond ?? null, id);
  if (info.changes === 0) requireRun(s, id);
}

export function mergeSummary(s: StoreDb, id: number, extra: Record<string, unknown>): void {
  checkSummary(s, extra);
  writeTx(s, () => {
    const summary = { ...readSummary(s, id), ...extra };
    s.db.prepare('UPDATE runs SET summary = ? WHERE id = ?').run(toJson(s, 'run summary', summary), id);
  });
}

export function getRun(s: StoreDb, id: number): RunRow | undefined {
  const row = s.db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(id) as RunRecord | undefined;
  return row && toRunRow(row);
}

const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function listRuns(s: StoreDb, f: RunFilter = {}): RunRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.status !== undefined) {
    for (const st of f.status) if (!RUN_STATUSES.includes(st)) fail(s, `listRuns: unknown status ${JSON.stringify(st)}`);
    if (f.status.length === 0) return [];
    where.push(`r.status IN (${f.status.map(() => '?').join(', ')})`);
    args.push(...f.status);
  }
  if (f.sweepId !== undefined) {
    where.push('r.sweep_id = ?');
    args.push(f.sweepId);
  }
  if (f.tag !== undefined) {
    where.push('EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.tag = ?)');
    args.push(f.tag);
  }
  if (f.search !== undefined && f.search !== '') {
    const pat = likePattern(f.search);
    where.push(`(r.name LIKE ? ESCAPE '\\' OR r.config LIKE ? ESCAPE '\\'
      OR EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.tag LIKE ? ESCAPE '\\'))`);
    args.push(pat, pat, pat);
  }
  let sql = `${RUN_SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id DESC`;
  if (f.limit !== undefined) {
    checkInt(s, 'listRuns limit', f.limit, 1);
    sql += ' LIMIT ?';
    args.push(f.limit);
  }
  return (s.db.prepare(sql).all(...args) as RunRecord[]).map(toRunRow);
}

export function deleteRun(s: StoreDb, id: number): void {
  requireRun(s, id);
  s.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
}

export function addTag(s: StoreDb, runId: number, tag: string): void {
  checkText(s, 'tag', tag);
  requireRun(s, runId);
  s.db.prepare('INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)').run(runId, tag.trim());
}

export function removeTag(s: StoreDb, runId: number, tag: string): void {
  requireRun(s, runId);
  s.db.prepare('DELETE FROM tags WHERE run_id = ? AND tag = ?').run(runId, tag.trim());
}

export function addNote(s: StoreDb, runId: number, body: string): number {
  checkText(s, 'note body', body);
  requireRun(s, runId);
  return Number(s.db.prepare('INSERT INTO notes (run_id, body, created_at) VALUES (?, ?, ?)').run(runId, body, nowIso()).lastInsertRowid);
}

/** Replaces the text of one note of a run (the run page saves a note as it is typed). */
export function updateNote(s: StoreDb, runId: number, noteId: number, body: string): void {
  checkText(s, 'note body', body);
  requireRun(s, runId);
  const r = s.db.prepare('UPDATE notes SET body = ? WHERE id = ? AND run_id = ?').run(body, noteId, runId);
  if (r.changes === 0) throw notFound(`run ${runId} has no note ${noteId}`);
}

export function notes(s: StoreDb, runId: number): NoteRow[] {
  requireRun(s, runId);
  return s.db.prepare('SELECT id, body, created_at AS createdAt FROM notes WHERE run_id = ? ORDER BY id').all(runId) as NoteRow[];
}

/** Numbers and booleans come back as numbers (booleans as 0/1), everything else as text. */
export function params(s: StoreDb, runId: number): Record<string, string | number> {
  requireRun(s, runId);
  const rows = s.db.prepare('SELECT key, value_text, value_num FROM run_params WHERE run_id = ? ORDER BY key').all(runId) as {
    key: string;
    value_text: string | null;
    value_num: number | null;
  }[];
  const out: Record<string, string | number> = {};
  for (const r of rows) out[r.key] = r.value_num ?? r.value_text ?? '';
  return out;
}

/** Run ids (ascending) whose flattened config has `key` equal to `value`; numbers compare numerically. */
export function runsWhereParam(s: StoreDb, key: string, value: string | number): number[] {
  const column = typeof value === 'number' ? 'value_num' : 'value_text';
  const rows = s.db.prepare(`SELECT run_id FROM run_params WHERE key = ? AND ${column} = ? ORDER BY run_id`).all(key, value) as {
    run_id: number;
  }[];
  return rows.map((r) => r.run_id);
}

export function createSweep(s: StoreDb, name: string, spec: unknown): number {
  const json = toJson(s, 'sweep spec', spec);
  return Number(s.db.prepare('INSERT INTO sweeps (name, spec, created_at) VALUES (?, ?, ?)').run(name, json, nowIso()).lastInsertRowid);
}

/**
 * Marks 'running' runs of this host whose owner process is gone as crashed (a pid now used by another
 * process counts as gone: its start time differs). Returns their ids.
 */
export function recoverCrashedRuns(s: StoreDb, host: string): number[] {
  const rows = s.db.prepare(`SELECT id, pid, pid_start FROM runs WHERE status = 'running' AND host = ? AND pid IS NOT NULL`).all(host) as {
    id: number;
    pid: number;
    pid_start: string | null;
  }[];
  const dead = rows.filter((r) => !processAlive(r.pid, r.pid_start));
  if (dead.length === 0) return [];
  // The pid guard skips a run another process restarted between our read and this write.
  const mark = s.db.prepare(`UPDATE runs SET status = 'crashed', ended_at = ?, error = ? WHERE id = ? AND status = 'running' AND pid = ?`);
  return writeTx(s, () =>
    dead.filter((r) => mark.run(nowIso(), `trainer process ${r.pid} is gone`, r.id, r.pid).changes > 0).map((r) => r.id),
  );
}
