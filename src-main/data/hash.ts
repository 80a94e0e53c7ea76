import { createHash } from 'node:crypto';
import type { Split } from './types';

function bytesOf(a: Uint8Array | Uint16Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * sha256 (hex) of the decoded content. The header (shape, counts, label width) is hashed first so
 * that the same bytes split differently cannot collide.
 */
export function contentHash(shape: [number, number, number], train: Split, test: Split): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      shape,
      train: train.count,
      test: test.count,
      labelBytes: train.labels.BYTES_PER_ELEMENT,
    }),
  );
  for (const s of [train, test]) {
    h.update(bytesOf(s.labels));
    h.update(s.images);
  }
  return h.digest('hex');
}
