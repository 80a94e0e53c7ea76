// study.* services. A study started from the app is `noisynn study reproduce` as a child process of the
// server: the same resumable command a terminal runs (its plan, its queue, its report), writing its report
// to <data dir>/study. Progress is read from the store, so it also shows a study started from a terminal.
// Study tables come from the store (a study's runs here) or from study CSVs: the committed ones in the
// app's docs/ folder (<app root>/docs, the folder holding package.json and bin/noisynn.mjs, in a checkout
// and in an installed app alike) and the ones studies started here wrote to <data dir>/study.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conflict, invalid } from '../../errors';
import type { Store } from '../../store';
import { parseStudyCsv } from '../../study/from-csv';
import { K_SWEEP_SUFFIX } from '../../study/report';
import { MODE_FLAGS, modeOfSweep, modePoints, studySweepName, type StudyMode } from '../../study/plan';
import { studyRuns } from '../../study/results';
import type { StudyProgress, StudyTableFile } from '../contract';

/** The modes the app may start ('smoke' and 'standard-smoke' check the pipeline in about a minute; no results). */
export const STARTABLE_MODES: readonly StudyMode[] = ['quick', 'standard', 'smoke', 'standard-smoke'];
const FAILED = new Set(['failed', 'diverged', 'crashed', 'cancelled']);
/** A study's tables (not its k sweep, which has other columns). */
const isStudyCsv = (f: string) => /^reproduction(-[a-z-]+)?\.csv$/.test(f) && !f.endsWith(`${K_SWEEP_SUFFIX}.csv`);

interface Launch {
  child: ChildProcess;
  startedAt: number;
  /** Completed runs when it started: the ETA counts only what this launch completed. */
  completedAtStart: number;
  exit: { code: number | null; signal: string | null; error?: string } | null;
  log: string;
}

export class StudyServices {
  private readonly launches = new Map<string, Launch>();

  constructor(
    private readonly store: Store,
    private readonly dataDir: string,
    private readonly appRoot: string,
  ) {}

  private outDir(): string {
    return join(this.dataDir, 'study');
  }

  start(r: { mode: string }): StudyProgress {
    const mode = STARTABLE_MODES.find((m) => m === r.mode);
    if (!mode) throw invalid(`study mode must be one of ${STARTABLE_MODES.join(', ')} (got '${r.mode}')`, 'mode');
    const name = studySweepName(mode);
    const running = this.launches.get(name);
    if (running && running.exit === null) throw conflict(`study '${name}' is already running (process ${running.child.pid})`);
    mkdirSync(this.outDir(), { recursive: true });
    const log = join(this.outDir(), `${name}.log`);
    const fd = openSync(log, 'a');
    const args = [
      join(this.appRoot, 'bin', 'noisynn.mjs'),
      'study',
      'reproduce',
      ...MODE_FLAGS[mode],
      '--data-dir',
      this.dataDir,
      '--out',
      this.outDir(),
    ];
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, args, { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const launch: Launch = { child, startedAt: Date.now(), completedAtStart: this.counts(name).completed, exit: null, log };
    child.on('exit', (code, signal) => (launch.exit = { code, signal }));
    child.on('error', (e) => (launch.exit = { code: null, signal: null, error: e.message }));
    this.launches.set(name, launch);
    return this.progress({ name });
  }

  private counts(name: string): { completed: number; failed: number; running: number; queued: number } {
    const runs = studyRuns(this.store, name);
    return {
      completed: runs.filter((x) => x.status === 'completed').length,
      failed: runs.filter((x) => FAILED.has(x.status)).length,
      running: runs.filter((x) => x.status === 'running').length,
      queued: runs.filter((x) => x.status === 'queued').length,
    };
  }

  progress(r: { name: string }): StudyProgress {
    const mode = modeOfSweep(r.name);
    if (!mode) throw invalid(`'${r.name}' is not a study (reproduce-quick, reproduce-standard, ...)`, 'name');
    const c = this.counts(r.name);
    const total = modePoints(mode).length;
    const l = this.launches.get(r.name);
    const state: StudyProgress['state'] = !l ? 'idle' : l.exit === null ? 'running' : l.exit.code === 0 ? 'finished' : 'failed';
    const doneHere = c.completed - (l?.completedAtStart ?? 0);
    const etaSeconds =
      state === 'running' && doneHere > 0
        ? Math.round(((Date.now() - l!.startedAt) / 1000 / doneHere) * Math.max(0, total - c.completed))
        : null;
    const error =
      state === 'failed'
        ? (l!.exit!.error ??
          `the study process ended ${l!.exit!.signal ? `by ${l!.exit!.signal}` : `with code ${l!.exit!.code}`}; its log: ${l!.log}`)
        : null;
    return { name: r.name, mode, state, total, ...c, etaSeconds, error, log: l?.log ?? null };
  }

  /** Every study CSV there is: the committed ones first, then this data dir's. */
  tables(): StudyTableFile[] {
    const read = (dir: string, source: StudyTableFile['source']): StudyTableFile[] => {
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter(isStudyCsv)
        .sort()
        .map((f) => {
          const path = join(dir, f);
          try {
            return { label: `${f} (${source})`, source, path, rows: parseStudyCsv(readFileSync(path, 'utf8'), path), error: null };
          } catch (e) {
            return { label: `${f} (${source})`, source, path, rows: null, error: (e as Error).message };
          }
        });
    };
    return [...read(join(this.appRoot, 'docs'), 'committed'), ...read(this.outDir(), 'data dir')];
  }

  /** Server shutdown: a running study stops as on Ctrl-C (its trainers requeue their runs); starting it again continues it. */
  dispose(): Promise<void> {
    const live = [...this.launches.values()].filter((l) => l.exit === null);
    for (const l of live) l.child.kill('SIGTERM');
    return Promise.all(live.map((l) => new Promise<void>((resolve) => (l.exit ? resolve() : l.child.once('exit', () => resolve()))))).then(
      () => undefined,
    );
  }
}
