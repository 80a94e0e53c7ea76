// One run's page (#/runs/<id>): its detail and curves, live while it runs, its actions (resume, cancel,
// duplicate, export, delete) and its notes, saved as they are typed.
import type { RunDetail, Series } from '@api/contract';
import { errorMessage, host } from '../host';

/** The curves the page draws when the run has them. */
export const PAGE_CURVES = ['train/loss', 'test/loss', 'train/acc', 'test/top1', 'test/top5'];
const NOTE_SAVE_MS = 500;

export const RESUMABLE = ['crashed', 'cancelled', 'failed', 'diverged'];

/** Why a run ended where it did, in one line (the error as recorded, or its progress). */
export function statusReason(d: RunDetail): string {
  if (d.status === 'completed') return `completed ${d.epochsDone} of ${d.epochs} epoch${d.epochs === 1 ? '' : 's'}`;
  if (d.status === 'queued') return d.error ? `queued: ${d.error}` : 'waiting in the queue';
  if (d.status === 'running') return `running: epoch ${d.epochsDone} of ${d.epochs} done`;
  return `${d.status}${d.error ? `: ${d.error}` : ''}`;
}

/** What Resume will do, said before it does it: from the last checkpoint, or from scratch. */
export function resumePlan(d: RunDetail): string {
  const last = d.checkpoints[d.checkpoints.length - 1];
  if (!last) return 'no checkpoint was written: resuming restarts the run from step 0';
  return `resuming from epoch ${last.epoch} (step ${last.step}); steps after ${last.step} are re-run and replace the recorded ones`;
}

export interface NoteDraft {
  /** null until the first save creates it. */
  noteId: number | null;
  body: string;
  state: 'saved' | 'saving' | 'editing' | 'error';
}

export class RunPageState {
  id = $state<number | null>(null);
  detail = $state<RunDetail | null>(null);
  curves = $state.raw<Series[]>([]);
  error = $state<string | null>(null);
  actionError = $state<string | null>(null);
  message = $state<string | null>(null);
  notes = $state<NoteDraft[]>([]);
  #timers = new Map<NoteDraft, ReturnType<typeof setTimeout>>();
  #subscribed = false;

  async open(id: number): Promise<void> {
    if (this.id !== id) {
      this.id = id;
      this.detail = null;
      this.curves = [];
      this.message = null;
      this.actionError = null;
      this.notes = [];
    }
    // One subscription for the page's whole life: it follows whichever run is open.
    if (!this.#subscribed) {
      this.#subscribed = true;
      host.on('run.status', (e) => {
        if (e.runId === this.id) void this.refresh();
      });
    }
    await this.refresh();
    if (this.detail)
      this.notes = [
        ...this.detail.notes.map((n) => ({ noteId: n.id, body: n.body, state: 'saved' as const })),
        { noteId: null, body: '', state: 'saved' },
      ];
  }

  async refresh(): Promise<void> {
    const id = this.id;
    if (id === null) return;
    try {
      const d = await host.invoke('runs.get', { id });
      const keys = PAGE_CURVES.filter((k) => d.metricKeys.includes(k));
      const curves = keys.length ? await host.invoke('runs.metrics', { id, keys, width: 800 }) : [];
      if (this.id !== id) return;
      this.detail = d;
      this.curves = curves;
      this.error = null;
    } catch (e) {
      if (this.id !== id) return;
      // A deleted run (or one from another data folder) must not keep showing its old page.
      this.detail = null;
      this.error = errorMessage(e);
    }
  }

  async #act(what: string, f: () => Promise<unknown>): Promise<boolean> {
    try {
      await f();
      this.actionError = null;
      return true;
    } catch (e) {
      this.actionError = `${what}: ${errorMessage(e)}`;
      return false;
    }
  }

  async resume(): Promise<void> {
    const d = this.detail;
    if (!d) return;
    const plan = resumePlan(d);
    if (await this.#act('resume', () => host.invoke('runs.resume', { id: d.id }))) this.message = plan;
    await this.refresh();
  }

  async cancel(): Promise<void> {
    const d = this.detail;
    if (d && (await this.#act('cancel', () => host.invoke('runs.cancel', { id: d.id }))))
      this.message = 'cancel requested: the run stops after its current step';
    await this.refresh();
  }

  async remove(): Promise<boolean> {
    const d = this.detail;
    return d !== null && this.#act('delete', () => host.invoke('runs.delete', { id: d.id }));
  }

  /** Every recorded metric of the run, downsampled to at most 100,000 points per key, for the export. */
  async allMetrics(): Promise<Series[]> {
    const d = this.detail;
    return d ? host.invoke('runs.metrics', { id: d.id, keys: d.metricKeys, width: 100_000 }) : [];
  }

  /** Saves a note shortly after the typing stops; the empty draft at the end becomes a note on its first save. */
  edit(note: NoteDraft, body: string): void {
    note.body = body;
    note.state = 'editing';
    clearTimeout(this.#timers.get(note));
    this.#timers.set(
      note,
      setTimeout(() => void this.#save(note), NOTE_SAVE_MS),
    );
  }

  async #save(note: NoteDraft): Promise<void> {
    const id = this.id;
    if (id === null || (note.noteId === null && !note.body.trim())) return;
    note.state = 'saving';
    try {
      const wasNew = note.noteId === null;
      const r = await host.invoke(
        'runs.note',
        note.noteId === null ? { id, body: note.body } : { id, body: note.body, noteId: note.noteId },
      );
      note.noteId = r.noteId;
      note.state = note.state === 'saving' ? 'saved' : note.state;
      if (wasNew) this.notes.push({ noteId: null, body: '', state: 'saved' });
    } catch (e) {
      note.state = 'error';
      this.actionError = `note: ${errorMessage(e)}`;
    }
  }
}

export const runPage = new RunPageState();
