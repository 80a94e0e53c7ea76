// What the noise form and the strength strip need to know about each operator: labels, one-line
// explanations (restated from docs/method.md#operators), defaults and the swept parameter.
// Defaults mirror src-main/engine/noise and engine/config/class-token.ts (test/unit/defaults.test.ts keeps them equal).
import type { NoiseSpecDto, NoiseType } from '../../../src-main/api/contract';

export interface NoiseTypeInfo {
  type: NoiseType;
  label: string;
  /** One line for tooltips and the form's caption. */
  help: string;
  /** Mixes samples across the batch axis (results depend on batch composition). */
  batchMixing: boolean;
}

export const NOISE_TYPE_INFO: NoiseTypeInfo[] = [
  { type: 'none', label: 'none', help: 'No noise: the noisy image equals the clean one.', batchMixing: false },
  {
    type: 'linear-shift',
    label: 'linear shift (circular Q)',
    help: "P' = (1 - a) P + a roll(P, -1, batch): each sample takes a share a of the next sample in the batch.",
    batchMixing: true,
  },
  {
    type: 'linear-optimal',
    label: 'linear optimal Q',
    help: "P' = (P + sum over batch of P) / (k + 1): each sample is averaged with the whole batch of size k.",
    batchMixing: true,
  },
  { type: 'gaussian', label: 'Gaussian', help: "P' = P + s * N(mean, std), element-wise, seeded.", batchMixing: false },
  {
    type: 'salt-pepper',
    label: 'salt & pepper (impulse)',
    help: 'Each element becomes the batch max with probability p/2 and the batch min with probability p/2.',
    batchMixing: false,
  },
];

export function noiseTypeInfo(type: NoiseType): NoiseTypeInfo {
  return NOISE_TYPE_INFO.find((i) => i.type === type) ?? NOISE_TYPE_INFO[0];
}

export const PARAM_HELP = {
  alpha: 'Mixing weight a in [0, 1] (paper 0.3, official CNN script 0.4); singular at a = 0.5 with an even batch size.',
  detach:
    'Official CNN form: the shift P + a (roll(P) - P) is detached, so the gradient is the identity. Off: the full gradient (1 - a) I + a S^T. Affects training only: the forward value (this preview) is identical.',
  strength: 'Scale s of the added noise, in normalised input units (official ViT 0.1, CNN 1.0).',
  mean: 'Mean mu of the Gaussian draw before scaling (official 0).',
  std: 'Standard deviation sigma of the Gaussian draw before scaling (official "gau_var" = 1, used as a std).',
  prob: 'Fraction p in [0, 1] of elements replaced: half by the batch max, half by the batch min.',
  seed: 'Integer seed of the noise draw; the same seed gives the same noise in preview and in training.',
} as const;

export const DEFAULTS = { alpha: 0.3, detach: true, strength: 0.1, mean: 0, std: 1, prob: 0.1 } as const;
/** The official NoisyViT never noises the class token; a test keeps this equal to the engine's default. */
export const SKIP_CLASS_TOKEN = true;
/** Block -1 of a ViT: how every view names it (the official NoisyViT never noises there). */
export const PATCH_EMBED_SITE = 'after patch embedding (extension, not official)';

/**
 * A spec of the given type holding every parameter at its engine default. Forms keep all fields so
 * switching type and back restores what the user typed; cleanSpec() drops the unused ones.
 */
export function defaultSpec(type: NoiseType, level: NoiseSpecDto['level']): NoiseSpecDto {
  return { type, level, at: 'both', ...DEFAULTS };
}

/** Only the fields the type uses, so requests carry no stale parameters of another type. */
export function cleanSpec(spec: NoiseSpecDto): NoiseSpecDto {
  const out: NoiseSpecDto = { type: spec.type, level: spec.level, at: spec.at };
  switch (spec.type) {
    case 'linear-shift':
      out.alpha = spec.alpha ?? DEFAULTS.alpha;
      out.detach = spec.detach ?? DEFAULTS.detach;
      break;
    case 'gaussian':
      out.strength = spec.strength ?? DEFAULTS.strength;
      out.mean = spec.mean ?? DEFAULTS.mean;
      out.std = spec.std ?? DEFAULTS.std;
      break;
    case 'salt-pepper':
      out.prob = spec.prob ?? DEFAULTS.prob;
      break;
  }
  return out;
}

export interface StripInfo {
  /** The swept parameter, as named in the spec. */
  param: 'alpha' | 'strength' | 'prob';
  symbol: string;
  values: number[];
}

/** The swept parameter and its five values for the strength strip; null when the type has no strength. */
export function stripFor(type: NoiseType): StripInfo | null {
  switch (type) {
    case 'linear-shift':
      return { param: 'alpha', symbol: 'a', values: [0.1, 0.2, 0.3, 0.4, 0.5] };
    case 'gaussian':
      return { param: 'strength', symbol: 's', values: [0.05, 0.1, 0.25, 0.5, 1] };
    case 'salt-pepper':
      return { param: 'prob', symbol: 'p', values: [0.01, 0.05, 0.1, 0.2, 0.3] };
    default:
      return null;
  }
}

/** A fresh random 31-bit seed (non-negative integer, valid for the engine's seeded RNG). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}

/**
 * PSNR for display: two decimals, or the infinity sign when the images are identical. null counts
 * as infinite because JSON (the HTTP transport) encodes Infinity as null.
 */
export function formatPsnr(psnr: number | null | undefined): string {
  if (psnr === null || psnr === Infinity) return '∞';
  if (psnr === undefined || Number.isNaN(psnr)) return '–';
  return psnr.toFixed(2);
}

export function formatSsim(ssim: number | null | undefined): string {
  return ssim === null || ssim === undefined || Number.isNaN(ssim) ? '–' : ssim.toFixed(4);
}

function badNumber(v: unknown): boolean {
  return typeof v !== 'number' || !Number.isFinite(v);
}

/**
 * A readable problem with the parameters the type uses, or null. Checked before sending so a
 * half-typed field shows a hint instead of a request error (the engine validates again).
 */
export function specProblem(spec: NoiseSpecDto): string | null {
  const range = (name: string, v: unknown, lo: number, hi: number): string | null =>
    badNumber(v) ? `${name} must be a number` : (v as number) < lo || (v as number) > hi ? `${name} must be in [${lo}, ${hi === Infinity ? '∞' : hi}]` : null;
  switch (spec.type) {
    case 'linear-shift':
      return range('alpha a', spec.alpha, 0, 1);
    case 'gaussian':
      return range('strength s', spec.strength, 0, Infinity) ?? range('std σ', spec.std, 0, Infinity) ?? (badNumber(spec.mean) ? 'mean μ must be a number' : null);
    case 'salt-pepper':
      return range('probability p', spec.prob, 0, 1);
    default:
      return null;
  }
}

export function seedProblem(seed: unknown): string | null {
  return typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= 0x7fffffff ? null : 'seed must be an integer in [0, 2147483647]';
}
