// What the noise form and the strength strip need to know about each operator, read from the engine's
// registry (src-main/engine/noise/operators.ts) through the contract: labels, help, defaults, the swept parameter.
import {
  NOISE_OPERATORS,
  allNoiseParams,
  noiseDefaults,
  noiseOperator,
  type NoiseOperatorInfo,
  type NoiseParamName,
  type NoiseParams,
  type NoiseSpecDto,
  type NoiseType,
  type NumberParamName,
} from '../../../src-main/api/contract';

export type NoiseTypeInfo = NoiseOperatorInfo;
export const NOISE_TYPE_INFO: readonly NoiseTypeInfo[] = NOISE_OPERATORS;

/** The registry entry of a type (`ops`: the registry; a test passes an extended one). */
export function noiseTypeInfo(type: NoiseType, ops: readonly NoiseTypeInfo[] = NOISE_TYPE_INFO): NoiseTypeInfo {
  return ops.find((i) => i.type === type) ?? ops[0];
}

export const PARAM_HELP = {
  ...(Object.fromEntries(allNoiseParams().map((p) => [p.name, p.help])) as Record<NoiseParamName, string>),
  seed: 'Integer seed of the noise draw; the same seed gives the same noise in preview and in training.',
};

/** Every noise parameter at its engine default. */
export const DEFAULTS = Object.freeze(noiseDefaults() as Required<NoiseParams>);
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
export function cleanSpec(spec: NoiseSpecDto, ops: readonly NoiseTypeInfo[] = NOISE_TYPE_INFO): NoiseSpecDto {
  const out: NoiseSpecDto = { type: spec.type, level: spec.level, at: spec.at };
  const values = spec as unknown as Record<string, unknown>;
  for (const p of noiseOperator(spec.type, ops).params) (out as unknown as Record<string, unknown>)[p.name] = values[p.name] ?? p.default;
  return out;
}

export interface StripInfo {
  /** The swept parameter, as named in the spec. */
  param: NumberParamName;
  symbol: string;
  values: number[];
}

/** The swept parameter and its five values for the strength strip; null when the type has no strength. */
export function stripFor(type: NoiseType, ops: readonly NoiseTypeInfo[] = NOISE_TYPE_INFO): StripInfo | null {
  const o = noiseOperator(type, ops);
  if (!o.strip) return null;
  const p = o.params.find((q) => q.name === o.strip!.param)!;
  return { param: p.name as NumberParamName, symbol: p.symbol ?? p.name, values: [...o.strip.values] };
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
export function specProblem(spec: NoiseSpecDto, ops: readonly NoiseTypeInfo[] = NOISE_TYPE_INFO): string | null {
  const values = spec as unknown as Record<string, unknown>;
  for (const p of noiseOperator(spec.type, ops).params) {
    if (p.kind !== 'number') continue;
    const name = p.symbol ? `${p.label} ${p.symbol}` : p.label;
    const v = values[p.name];
    if (badNumber(v)) return `${name} must be a number`;
    if (p.min === undefined && p.max === undefined) continue;
    if ((v as number) < (p.min ?? -Infinity) || (v as number) > (p.max ?? Infinity))
      return `${name} must be in [${p.min ?? '-∞'}, ${p.max ?? '∞'}]`;
  }
  return null;
}

export function seedProblem(seed: unknown): string | null {
  return typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= 0x7fffffff
    ? null
    : 'seed must be an integer in [0, 2147483647]';
}
