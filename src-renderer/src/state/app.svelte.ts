// App-wide state: the current view, what the main side reported about itself, and the image the
// user picked to carry from one view to another (Datasets -> Noise lab).
import type { AppInfo, SplitName } from '@api/contract';
import { errorMessage, host } from '../host';
import { oneAtATime } from './one-at-a-time';

export type ViewId = 'datasets' | 'models' | 'noise-images' | 'noise-embeddings' | 'train' | 'runs' | 'embeddings' | 'study';

export const VIEWS: { id: ViewId; label: string }[] = [
  { id: 'datasets', label: 'Datasets' },
  { id: 'models', label: 'Models' },
  { id: 'noise-images', label: 'Noise lab (images)' },
  { id: 'noise-embeddings', label: 'Noise lab (embeddings)' },
  { id: 'train', label: 'Train' },
  // Runs holds the comparison too (tick runs, press Compare): one place for a study's runs.
  { id: 'runs', label: 'Runs' },
  { id: 'embeddings', label: 'Embeddings' },
  { id: 'study', label: 'Reproduction study' },
];

/** One image of one dataset, as the views pass it around. */
export interface ImageSelection {
  dataset: string;
  split: SplitName;
  index: number;
  label: number;
}

function viewFromHash(): ViewId {
  const id = window.location.hash.replace(/^#\/?/, '').split('/')[0];
  return VIEWS.some((v) => v.id === id) ? (id as ViewId) : 'datasets';
}

/** `#/runs/12` is run 12's page (a deep link); any other hash has none. */
function runFromHash(): number | null {
  const m = /^#\/?runs\/(\d+)$/.exec(window.location.hash);
  return m ? Number(m[1]) : null;
}

export class AppState {
  /** Mirrored in the URL hash so a reload (or a test) lands on the same view. */
  view = $state<ViewId>(viewFromHash());
  /** The run whose page is open in the Runs view (null: the table). */
  runId = $state<number | null>(runFromHash());
  info = $state<AppInfo | null>(null);
  infoError = $state<string | null>(null);
  /** The image "Open in noise lab" hands over; the noise lab reads it. */
  selection = $state<ImageSelection | null>(null);

  constructor() {
    window.addEventListener('hashchange', () => {
      this.view = viewFromHash();
      this.runId = runFromHash();
    });
  }

  go(view: ViewId): void {
    this.view = view;
    this.runId = null;
    if (viewFromHash() !== view || runFromHash() !== null) history.replaceState(history.state, '', `#/${view}`);
  }

  /** A run's page; pushed to history so Back returns to the table. */
  openRun(id: number): void {
    this.view = 'runs';
    this.runId = id;
    history.pushState(history.state, '', `#/runs/${id}`);
  }

  openInNoiseLab(sel: ImageSelection): void {
    this.selection = sel;
    this.go('noise-images');
  }

  /** Fetches app.info (the shell does at start). */
  readonly loadInfo = oneAtATime(async (): Promise<void> => {
    try {
      this.info = await host.invoke('app.info', {});
      this.infoError = null;
    } catch (e) {
      this.infoError = errorMessage(e);
    }
  });

  /** For views that need app.info (presets): loads it unless it is here or on its way. */
  ensureInfo(): void {
    if (!this.info) void this.loadInfo();
  }
}

export const app = new AppState();
