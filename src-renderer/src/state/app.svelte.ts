// App-wide state: the current view, what the main side reported about itself, and the image the
// user picked to carry from one view to another (Datasets -> Noise lab).
import type { AppInfo, SplitName } from '@api/contract';
import { errorMessage, host } from '../host';

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
  const id = window.location.hash.replace(/^#\/?/, '');
  return VIEWS.some((v) => v.id === id) ? (id as ViewId) : 'datasets';
}

export class AppState {
  /** Mirrored in the URL hash so a reload (or a test) lands on the same view. */
  view = $state<ViewId>(viewFromHash());
  info = $state<AppInfo | null>(null);
  infoError = $state<string | null>(null);
  /** The image "Open in noise lab" hands over; the noise lab reads it. */
  selection = $state<ImageSelection | null>(null);

  constructor() {
    window.addEventListener('hashchange', () => {
      this.view = viewFromHash();
    });
  }

  go(view: ViewId): void {
    this.view = view;
    if (viewFromHash() !== view) history.replaceState(history.state, '', `#/${view}`);
  }

  openInNoiseLab(sel: ImageSelection): void {
    this.selection = sel;
    this.go('noise-images');
  }

  async loadInfo(): Promise<void> {
    try {
      this.info = await host.invoke('app.info', {});
      this.infoError = null;
    } catch (e) {
      this.infoError = errorMessage(e);
    }
  }
}

export const app = new AppState();
