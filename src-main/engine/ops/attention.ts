// Multi-head scaled dot-product self-attention from a fused qkv projection (timm's layout):
// qkv [B*T, 3D] -> merged heads [B*T, D], softmax(q k^T / sqrt(dh)) v per head. On wasm one fused kernel
// each way (kernels/attention.ts); elsewhere the tfjs composition below.
import * as tf from '@tensorflow/tfjs';
import { fusedAttention } from '../kernels/attention';
import { checkFloat, checkRank } from './check';

export function selfAttention(qkv: tf.Tensor2D, batch: number, heads: number): tf.Tensor2D {
  checkRank('selfAttention', 'qkv', qkv, 2);
  checkFloat('selfAttention', 'qkv', qkv);
  const [rows, width] = qkv.shape;
  const T = rows / batch;
  const D = width / 3;
  const dh = D / heads;
  if (!Number.isInteger(T) || !Number.isInteger(dh)) {
    throw new Error(`selfAttention: qkv [${qkv.shape}] is not [batch*tokens, 3*heads*dh] for batch ${batch}, heads ${heads}`);
  }
  const fused = fusedAttention(qkv, batch, heads);
  if (fused) return fused;
  const [q, k, v] = tf.split(qkv, 3, 1); // each [B*T, D]
  // [B*T, D] -> [B, T, H, dh] -> [B, H, T, dh] -> [B*H, T, dh]; rank 4 at most (rank 5 is slow on wasm).
  const split = (z: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(z, [batch, T, heads, dh]), [0, 2, 1, 3]), [batch * heads, T, dh]);
  const scores = tf.matMul(split(tf.mul(q, 1 / Math.sqrt(dh))), split(k), false, true); // [B*H, T, T]
  const ctx = tf.matMul(tf.softmax(scores), split(v)); // [B*H, T, dh]
  return tf.reshape(tf.transpose(tf.reshape(ctx, [batch, heads, T, dh]), [0, 2, 1, 3]), [batch * T, D]); // [B*T, D]
}
