// The run bundle: one run as self-contained files, written by a cluster task on a shared filesystem (no
// SQLite over NFS) and imported by `noisynn sync`. The only module that knows the layout:
//   run.json            config + provenance + the run's UUID (+ the Slurm job once submitted); written once
//   status.json         state, attempt, heartbeat, progress, and at the end the summary and the line counts
//   metrics.jsonl       append-only, one JSON line per metric row; {"truncate":S} when a resume drops steps > S
//   evaluations.jsonl   append-only evaluation rows; {"truncate":E} drops epochs > E
//   checkpoints.jsonl   one line per saved checkpoint (file under checkpoints/, sha256, bytes)
// Lines are appended whole; a reader takes only complete lines, so a growing bundle can be read at any time.
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { DatasetKind } from '../data/types';
import type { EvalPoint, MetricPoint } from '../runner/recorder';

export const BUNDLE_FORMAT = 'noisynn-bundle/1';
export const BUNDLE_FILES = {
  run: 'run.json',
  status: 'status.json',
  metrics: 'metrics.jsonl',
  evaluations: 'evaluations.jsonl',
  checkpoints: 'checkpoints.jsonl',
} as const;
export const CHECKPOINT_DIR = 'checkpoints';

/** A bundle that cannot be imported: missing, unparseable or cut short. Nothing of its run is imported. */
export class BundleError extends Error {
  constructor(
    readonly dir: string,
    problem: string,
  ) {
    super(`bundle ${dir}: ${problem}`);
    this.name = 'BundleError';
  }
}

export interface BundleDataset {
  name: string;
  kind: DatasetKind;
  path: string;
  shape: [number, number, number];
  contentHash: string;
}

export interface BundleSlurm {
  jobId: string;
  arrayIndex: number;
  cluster?: string;
}

export interface BundleRun {
  format: typeof BUNDLE_FORMAT;
  uuid: string;
  name: string | null;
  config: Record<string, unknown>;
  seed: number;
  dataset: BundleDataset;
  versions: Record<string, string>;
  gitCommit: string | null;
  createdAt: string;
  sweep?: { name: string; index: number };
  /** Given to the run when it is first imported (e.g. a study's tag). */
  tags?: string[];
  slurm?: BundleSlurm;
}

export type BundleState = 'pending' | 'running' | 'completed' | 'failed' | 'diverged' | 'cancelled';
export const FINISHED_STATES: readonly BundleState[] = ['completed', 'failed', 'diverged', 'cancelled'];

export interface BundleStatus {
  state: BundleState;
  /** 0 before the first start; +1 per start (a Slurm requeue starts it again). */
  attempt: number;
  heartbeat: string | null;
  host: string | null;
  /** The trainer's pid on `host` (for an operator; nothing judges it from another machine). */
  pid: number | null;
  backend: string | null;
  startedAt: string | null;
  endedAt: string | null;
  error: string | null;
  epochsDone: number;
  stepsDone: number;
  /** Known once training started (the trainer's plan), for progress bars. */
  totalSteps?: number;
  imagesPerSecond: number | null;
  summary: Record<string, unknown> | null;
  /** Written with a finished state: how many lines each file has, so a truncated copy is detected. */
  lines?: { metrics: number; evaluations: number; checkpoints: number };
}

export interface BundleCheckpoint {
  epoch: number;
  step: number;
  file: string;
  sha256: string;
  bytes: number;
}

export type MetricLine = MetricPoint | { truncate: number };
export type EvalLine = (EvalPoint & { time: number }) | { truncate: number };

// JSON has no NaN or Infinity (a diverged loss), and JSON.stringify writes -0 as 0: those travel as strings.
const encodeNumber = (v: number): number | string => (Object.is(v, -0) ? '-0' : Number.isFinite(v) ? v : String(v));
function decodeNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return Number.NaN;
  if (v === '-0') return -0;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  throw new Error(`not a number: ${JSON.stringify(v)}`);
}

function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, `${JSON.stringify(value, null, 1)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export const newStatus = (): BundleStatus => ({
  state: 'pending',
  attempt: 0,
  heartbeat: null,
  host: null,
  pid: null,
  backend: null,
  startedAt: null,
  endedAt: null,
  error: null,
  epochsDone: 0,
  stepsDone: 0,
  imagesPerSecond: null,
  summary: null,
});

/**
 * Creates a bundle for a run that has not started (the submitter does this; the task fills it). An export of a
 * stored run passes its identity (`uuid`, `createdAt`) so that importing it twice is importing it once.
 */
export function createBundle(
  dir: string,
  run: Omit<BundleRun, 'format' | 'uuid' | 'createdAt'>,
  identity?: { uuid: string; createdAt: string },
): BundleRun {
  if (existsSync(join(dir, BUNDLE_FILES.run))) throw new BundleError(dir, 'already holds a run (run.json exists)');
  mkdirSync(join(dir, CHECKPOINT_DIR), { recursive: true });
  const full: BundleRun = { format: BUNDLE_FORMAT, uuid: randomUUID(), createdAt: new Date().toISOString(), ...identity, ...run };
  for (const f of [BUNDLE_FILES.metrics, BUNDLE_FILES.evaluations, BUNDLE_FILES.checkpoints]) writeFileSync(join(dir, f), '');
  writeJsonAtomic(join(dir, BUNDLE_FILES.status), newStatus());
  writeJsonAtomic(join(dir, BUNDLE_FILES.run), full);
  return full;
}

export function setBundleSlurm(dir: string, slurm: BundleSlurm): void {
  writeJsonAtomic(join(dir, BUNDLE_FILES.run), { ...readRun(dir), slurm });
}

export function writeStatus(dir: string, status: BundleStatus): void {
  writeJsonAtomic(join(dir, BUNDLE_FILES.status), status);
}

function readJson(dir: string, file: string): unknown {
  const path = join(dir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BundleError(dir, `${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BundleError(dir, `${file} is not valid JSON (${(e as Error).message})`);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function readRun(dir: string): BundleRun {
  const r = readJson(dir, BUNDLE_FILES.run);
  if (!isObj(r) || r.format !== BUNDLE_FORMAT) throw new BundleError(dir, `run.json is not a ${BUNDLE_FORMAT} run`);
  for (const k of ['uuid', 'createdAt'] as const)
    if (typeof r[k] !== 'string') throw new BundleError(dir, `run.json field '${k}' must be a string`);
  if (!isObj(r.config)) throw new BundleError(dir, "run.json field 'config' must be an object");
  if (typeof r.seed !== 'number') throw new BundleError(dir, "run.json field 'seed' must be a number");
  if (!isObj(r.dataset) || typeof r.dataset.name !== 'string' || typeof r.dataset.contentHash !== 'string')
    throw new BundleError(dir, "run.json field 'dataset' must name the dataset and its content hash");
  return r as unknown as BundleRun;
}

export function readStatus(dir: string): BundleStatus {
  const s = readJson(dir, BUNDLE_FILES.status);
  if (!isObj(s) || typeof s.state !== 'string' || !['pending', 'running', ...FINISHED_STATES].includes(s.state))
    throw new BundleError(dir, "status.json has no valid 'state'");
  if (typeof s.attempt !== 'number') throw new BundleError(dir, "status.json field 'attempt' must be a number");
  return s as unknown as BundleStatus;
}

/** Appends whole lines to one of the bundle's logs; `sync` makes them durable (epoch ends, the end of the run). */
export class LineLog {
  readonly #fd: number;
  constructor(readonly path: string) {
    this.#fd = openSync(path, 'a');
  }
  append(values: unknown[]): void {
    if (values.length) writeSync(this.#fd, values.map((v) => `${JSON.stringify(v)}\n`).join(''));
  }
  sync(): void {
    fsyncSync(this.#fd);
  }
  close(): void {
    closeSync(this.#fd);
  }
}

export const metricLine = (m: MetricPoint): unknown => ({ k: m.key, s: m.step, e: m.epoch, v: encodeNumber(m.value), t: m.time });
export const evalLine = (e: EvalPoint, time: number): unknown => ({
  ...e,
  top1: encodeNumber(e.top1),
  top5: encodeNumber(e.top5),
  loss: encodeNumber(e.loss),
  time,
});

function parseMetric(v: unknown): MetricLine {
  if (!isObj(v)) throw new Error('not an object');
  if ('truncate' in v) return { truncate: Number(v.truncate) };
  if (typeof v.k !== 'string' || !Number.isInteger(v.s) || typeof v.e !== 'number' || typeof v.t !== 'number')
    throw new Error('needs k, s, e, v, t');
  return { key: v.k, step: v.s as number, epoch: v.e, value: decodeNumber(v.v), time: v.t };
}

function parseEval(v: unknown): EvalLine {
  if (!isObj(v)) throw new Error('not an object');
  if ('truncate' in v) return { truncate: Number(v.truncate) };
  if (!Number.isInteger(v.epoch) || typeof v.protocol !== 'string' || typeof v.noiseActive !== 'boolean' || typeof v.time !== 'number')
    throw new Error('needs epoch, protocol, noiseActive, time');
  return {
    ...(v as unknown as EvalPoint),
    top1: decodeNumber(v.top1),
    top5: decodeNumber(v.top5),
    loss: decodeNumber(v.loss),
    time: v.time,
  };
}

function parseCheckpoint(v: unknown): BundleCheckpoint {
  if (
    !isObj(v) ||
    !Number.isInteger(v.epoch) ||
    !Number.isInteger(v.step) ||
    typeof v.file !== 'string' ||
    typeof v.sha256 !== 'string' ||
    !Number.isInteger(v.bytes)
  ) {
    throw new Error('needs epoch, step, file, sha256, bytes');
  }
  if (v.file.includes('/') || v.file.includes('\\')) throw new Error(`file must be a name inside ${CHECKPOINT_DIR}/`);
  return v as unknown as BundleCheckpoint;
}

export interface LinesRead<T> {
  items: T[];
  /** Byte offset after the last complete line read. */
  offset: number;
  /** Complete lines from the start of the file up to `offset`. */
  lines: number;
  /** Bytes after the last newline (a line being written, or a cut-off copy). */
  partial: number;
}

/** Reads the complete lines after `offset`; a bad line is a BundleError naming the file and line. */
export function readLines<T>(dir: string, file: string, parse: (v: unknown) => T, from = { offset: 0, lines: 0 }): LinesRead<T> {
  const path = join(dir, file);
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new BundleError(dir, `${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (buf.length < from.offset)
    throw new BundleError(
      dir,
      `${file} is shorter (${buf.length} bytes) than what was already imported (${from.offset} bytes): it was truncated or replaced`,
    );
  const end = buf.lastIndexOf(0x0a) + 1;
  const items: T[] = [];
  let lines = from.lines;
  if (end > from.offset) {
    const text = buf.subarray(from.offset, end).toString('utf8');
    for (const line of text.split('\n').slice(0, -1)) {
      lines++;
      try {
        items.push(parse(JSON.parse(line)));
      } catch (e) {
        throw new BundleError(dir, `${file} line ${lines} is corrupt: ${(e as Error).message}`);
      }
    }
  }
  return { items, offset: Math.max(end, from.offset), lines, partial: buf.length - Math.max(end, from.offset) };
}

export const readMetricLines = (dir: string, from?: { offset: number; lines: number }) =>
  readLines(dir, BUNDLE_FILES.metrics, parseMetric, from);
export const readEvalLines = (dir: string, from?: { offset: number; lines: number }) =>
  readLines(dir, BUNDLE_FILES.evaluations, parseEval, from);
export const readCheckpointLines = (dir: string, from?: { offset: number; lines: number }) =>
  readLines(dir, BUNDLE_FILES.checkpoints, parseCheckpoint, from);

export const checkpointFile = (dir: string, c: BundleCheckpoint): string => join(dir, CHECKPOINT_DIR, c.file);

export function isBundle(dir: string): boolean {
  return existsSync(join(dir, BUNDLE_FILES.run)) && statSync(dir).isDirectory();
}
