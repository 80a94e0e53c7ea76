// Shared state of the two noise-lab views (images, embeddings). It lives outside the views so the
// user's choices survive switching tabs, and so the Datasets view can send an image here
// ("Open in noise lab") by calling openInNoiseLab().
import { MAX_LAB_BATCH, type NoiseSpecDto, type SplitName } from '../../../src-main/api/contract';
import { defaultSpec, SKIP_CLASS_TOKEN } from '../lib/noise-params';
import { DEFAULT_NOISE_FLOOR } from '../lib/difference-scale';

/** A batch = `size` consecutive images of one split starting at `start`, and the one shown in detail. */
export class BatchSelection {
  dataset = $state('');
  split = $state<SplitName>('test');
  start = $state(0);
  size = $state(8);
  /** Position of the detailed image inside the batch (0-based). */
  selected = $state(0);

  /** The batch's images, clipped to a split of `total` images (the last batch may be shorter). */
  images(total: number): { split: SplitName; index: number }[] {
    const start = Math.max(0, Math.min(this.start, Math.max(0, total - 1)));
    const n = Math.max(0, Math.min(this.size, total - start));
    return Array.from({ length: n }, (_, i) => ({ split: this.split, index: start + i }));
  }

  /** Keeps the fields in range after the user typed something or the dataset changed. */
  clamp(total: number): void {
    const size = Math.round(Math.min(MAX_LAB_BATCH, Math.max(1, Number.isFinite(this.size) ? this.size : 8)));
    if (size !== this.size) this.size = size;
    const start = Math.round(Math.min(Math.max(0, total - 1), Math.max(0, Number.isFinite(this.start) ? this.start : 0)));
    if (start !== this.start) this.start = start;
    const len = Math.max(1, Math.min(this.size, total - this.start));
    const sel = Math.min(len - 1, Math.max(0, this.selected));
    if (sel !== this.selected) this.selected = sel;
  }

  /** The image plus the next ones of its split, with the image itself selected. */
  openAt(dataset: string, split: SplitName, index: number): void {
    this.dataset = dataset;
    this.split = split;
    this.start = index;
    this.selected = 0;
  }
}

export class NoiseLabState {
  readonly batch = new BatchSelection();
  /** Image-level spec; `at` is irrelevant for a preview and always sent as 'both'. */
  spec = $state<NoiseSpecDto>(defaultSpec('gaussian', 'image'));
  seed = $state(42);
  /** Difference heatmap colours: 'auto' spans this image's largest difference, 'fixed' spans 0..diffMax for every noise type. */
  diffScale = $state<'auto' | 'fixed'>('auto');
  diffMax = $state(1);
  /** Differences at or below this (normalised units) are drawn as no change: float round-off is not noise. */
  noiseFloor = $state(DEFAULT_NOISE_FLOOR);
}

export type ModelChoice = { kind: 'preset'; preset: string; initSeed: number } | { kind: 'run'; runId: number | null };

export class EmbeddingLabState {
  readonly batch = new BatchSelection();
  spec = $state<NoiseSpecDto>(defaultSpec('linear-optimal', 'embedding'));
  seed = $state(42);
  model = $state<ModelChoice>({ kind: 'preset', preset: 'mnist-vit', initSeed: 42 });
  /** ViT: block L (-1 = after the patch embedding). ResNet: stage and block, both 1-based. */
  site = $state<{ block: number; stage?: number }>({ block: 3 });
  /** ViT blocks: leave the class token untouched (the official default, as in the Train form). */
  skipClassToken = $state(SKIP_CLASS_TOKEN);

  /** The batch's dataset, so this form reads like the inspector's to ModelSources. */
  get dataset(): string {
    return this.batch.dataset;
  }
  set dataset(name: string) {
    this.batch.dataset = name;
  }
}

export const noiseLab = new NoiseLabState();
export const embeddingLab = new EmbeddingLabState();

/** Entry point for "Open in noise lab": both labs take the image and the next 7 of its split. */
export function openInNoiseLab(dataset: string, split: SplitName, index: number): void {
  noiseLab.batch.openAt(dataset, split, index);
  embeddingLab.batch.openAt(dataset, split, index);
}

// The last hand-over applied, so re-mounting a view does not undo the user's later batch edits.
let lastHandOver: object | null = null;

/** Applies the shell's "Open in noise lab" selection once per hand-over (identity of the object). */
export function takeHandOver(sel: { dataset: string; split: SplitName; index: number } | null): void {
  if (!sel || sel === lastHandOver) return;
  lastHandOver = sel;
  openInNoiseLab(sel.dataset, sel.split, sel.index);
}
