// A Svelte action that draws a dataset image into its canvas through the shared batched thumbnail
// loader, marks it data-loaded, and cancels the request when the canvas goes away first.
import type { SplitName } from '@api/contract';
import { drawRgba } from '../lib/decode';
import { thumbs } from './thumbs';

export interface ThumbRef {
  dataset: string;
  split: SplitName;
  index: number;
}

export function thumbAction(canvas: HTMLCanvasElement, ref: ThumbRef) {
  let req: { cancel(): void } | null = null;
  const load = (r: ThumbRef) => {
    req?.cancel();
    delete canvas.dataset.loaded;
    const hit = thumbs.peek(r.dataset, r.split, r.index);
    if (hit) {
      drawRgba(canvas, hit);
      canvas.dataset.loaded = 'true';
      return;
    }
    const q = thumbs.request(r.dataset, r.split, r.index);
    req = q;
    q.promise.then(
      (img) => {
        drawRgba(canvas, img);
        canvas.dataset.loaded = 'true';
      },
      () => {},
    );
  };
  load(ref);
  return { update: load, destroy: () => req?.cancel() };
}
