// The noise labs' previews: each follows its lab's form (state/latest-request), and only the reply to
// the latest form is drawn. Construct during the lab view's initialisation.
import type { EmbeddingNoiseRequest, EmbeddingNoiseResult, NoisePreview, NoisePreviewRequest } from '@api/contract';
import { host } from '../host';
import { LatestRequest } from './latest-request.svelte';

const IMAGE_DEBOUNCE_MS = 150;
// Slower than the image lab: a request builds (or loads) a model.
const EMBEDDING_DEBOUNCE_MS = 200;

export function imagePreview(
  request: () => NoisePreviewRequest | null,
  onreply?: () => void,
): LatestRequest<NoisePreviewRequest, NoisePreview> {
  return new LatestRequest({ request, send: (req) => host.invoke('noise.preview', req), debounceMs: IMAGE_DEBOUNCE_MS, onreply });
}

export function embeddingPreview(request: () => EmbeddingNoiseRequest | null): LatestRequest<EmbeddingNoiseRequest, EmbeddingNoiseResult> {
  return new LatestRequest({ request, send: (req) => host.invoke('noise.embedding', req), debounceMs: EMBEDDING_DEBOUNCE_MS });
}
