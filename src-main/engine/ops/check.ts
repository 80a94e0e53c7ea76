// Shape checks shared by the ops so misuse fails with a readable message instead of a deep tfjs error.
import type * as tf from '@tensorflow/tfjs';

export function checkRank(op: string, name: string, t: tf.Tensor, rank: number): void {
  if (t.rank !== rank) throw new Error(`${op}: ${name} must be rank ${rank}, got shape [${t.shape}]`);
}

export function checkVector(op: string, name: string, t: tf.Tensor, size: number): void {
  if (t.rank !== 1 || t.shape[0] !== size) {
    throw new Error(`${op}: ${name} must have shape [${size}], got [${t.shape}]`);
  }
}

export function checkFloat(op: string, name: string, t: tf.Tensor): void {
  if (t.dtype !== 'float32') throw new Error(`${op}: ${name} must be float32, got ${t.dtype}`);
}
