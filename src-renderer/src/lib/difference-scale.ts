// How the noise lab colours |noisy - clean|: the colour range (this image's largest difference, or one
// fixed range so noise types compare by eye) and the noise floor under which a difference is float
// round-off, not noise (float32 sums of inputs of order 1 differ by ~1e-7; 1e-5 leaves a wide margin).

export const DEFAULT_NOISE_FLOOR = 1e-5;

export interface DifferenceScale {
  mode: 'auto' | 'fixed';
  /** Top of the range in 'fixed' mode (normalised units). */
  fixedMax: number;
  floor: number;
}

/** The colour range's top: never below the floor, so differences under it cannot be stretched to bright colours. */
export function scaleTop(matrixMax: number | null | undefined, s: DifferenceScale): number {
  const floor = validFloor(s.floor);
  if (s.mode === 'fixed' && Number.isFinite(s.fixedMax) && s.fixedMax > floor) return s.fixedMax;
  const max = typeof matrixMax === 'number' && Number.isFinite(matrixMax) ? matrixMax : 0;
  return max > floor ? max : Math.max(floor, 1e-12) * 10;
}

export function validFloor(floor: number): number {
  return Number.isFinite(floor) && floor >= 0 ? floor : DEFAULT_NOISE_FLOOR;
}

/** Values with every |v| at or below the floor set to 0 (drawn as "unchanged"). */
export function applyFloor(values: Float32Array, floor: number): Float32Array {
  const f = validFloor(floor);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.abs(values[i]) <= f ? 0 : values[i];
  return out;
}

/** How many values lie above the floor. */
export function countAboveFloor(values: Float32Array, floor: number): number {
  const f = validFloor(floor);
  let n = 0;
  for (const v of values) if (Math.abs(v) > f) n++;
  return n;
}
