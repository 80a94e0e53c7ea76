// Reading tensors back into JavaScript on every backend. tfjs-backend-webgpu's dataSync copies through
// an OffscreenCanvas, which Node lacks, so there only the asynchronous read works; once it has run,
// tfjs keeps the values on the host and dataSync returns them. Engine code that reads tensors is async
// and reads through `values`; code that must stay synchronous gets its tensors `download`ed first.
import * as tf from '@tensorflow/tfjs';

/** Whether dataSync works on the active backend. */
export function syncReadable(): boolean {
  return tf.getBackend() !== 'webgpu';
}

/** Makes dataSync on these tensors valid on every backend (a no-op where it already is). */
export async function download(ts: readonly tf.Tensor[]): Promise<void> {
  if (syncReadable()) return;
  await Promise.all(ts.map((t) => t.data()));
}

/** The values of a float tensor. */
export async function values(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}
