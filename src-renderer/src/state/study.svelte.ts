// The Study view's state: which table is shown (a study's runs in this data dir, or a study CSV), and the
// progress of a study started from the app (polled while it runs; the server reads it from the store).
import type { StudyProgress, StudyRow, StudyTableFile } from '@api/contract';
import { errorMessage, host } from '../host';

/** Studies whose runs can be in the store (their sweep names), for the table source list. */
export const STORE_STUDIES = ['reproduce-quick', 'reproduce-standard', 'reproduce-full'];
/** What the app can start: the study and its label. */
export const START_MODES = [
  { mode: 'standard', label: 'standard: full training sets, 1 epoch, 3 seeds (estimated 1.5 h on 2 idle cores)' },
  { mode: 'quick', label: 'quick: 2,000 training images, 3 seeds (about 10 min on 2 idle cores)' },
  { mode: 'standard-smoke', label: 'smoke check of the standard design (about a minute; checks the pipeline, not results)' },
];
const POLL_MS = 1000;

/** 'store:NAME' (a study's runs) or 'csv:PATH' (a study CSV). */
export type TableSource = `store:${string}` | `csv:${string}`;

class StudyState {
  source = $state<TableSource>('store:reproduce-quick');
  rows = $state<StudyRow[] | null>(null);
  error = $state<string | null>(null);
  files = $state<StudyTableFile[]>([]);
  progress = $state<StudyProgress | null>(null);
  startError = $state<string | null>(null);
  private timer: ReturnType<typeof setInterval> | undefined;

  /** Loads the shown table from its source. */
  async load(): Promise<void> {
    const source = this.source;
    this.rows = null;
    this.error = null;
    try {
      let rows: StudyRow[];
      if (source.startsWith('csv:')) {
        const file = this.files.find((f) => `csv:${f.path}` === source);
        if (!file) throw new Error(`no study CSV ${source.slice(4)}`);
        if (!file.rows) throw new Error(file.error ?? 'not a study table');
        rows = file.rows;
      } else {
        rows = await host.invoke('study.results', { name: source.slice('store:'.length) });
      }
      if (this.source === source) this.rows = rows;
    } catch (e) {
      if (this.source === source) this.error = errorMessage(e);
    }
  }

  async loadFiles(): Promise<void> {
    try {
      this.files = await host.invoke('study.tables', {});
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  async start(mode: string): Promise<void> {
    this.startError = null;
    try {
      this.progress = await host.invoke('study.start', { mode });
      this.follow(this.progress.name);
    } catch (e) {
      this.startError = errorMessage(e);
    }
  }

  /** Polls the study's progress until its process ends; then shows its table and the CSV it wrote. */
  private follow(name: string): void {
    clearInterval(this.timer);
    this.timer = setInterval(async () => {
      try {
        const p = await host.invoke('study.progress', { name });
        this.progress = p;
        if (p.state === 'running') return;
        clearInterval(this.timer);
        await this.loadFiles();
        this.source = `store:${name}`;
        await this.load();
      } catch (e) {
        clearInterval(this.timer);
        this.startError = errorMessage(e);
      }
    }, POLL_MS);
  }
}

export const study = new StudyState();
