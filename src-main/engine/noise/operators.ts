// The registry of noise operators: everything the engine, the API, the CLI and the renderer know about
// each one, as pure data and closed forms. It imports nothing, so the contract re-exports it to the renderer;
// the engine adds each operator's kernel (index.ts, KERNELS). Semantics: docs/method.md#operators
// and #task-entropy. Adding a noise type: docs/architecture.md, "Adding a noise type".

export interface NoiseParamInfo {
  /** The field of the noise spec (and of a run config under `noise.`). */
  readonly name: string;
  readonly kind: 'number' | 'boolean';
  /** Short name in forms and messages, e.g. 'alpha'. */
  readonly label: string;
  /** The symbol of the method's formula, e.g. 'a'; absent for switches. */
  readonly symbol?: string;
  /** One line for tooltips and the CLI's help. */
  readonly help: string;
  readonly default: number | boolean;
  /** Valid range (numbers); absent bounds are unbounded. */
  readonly min?: number;
  readonly max?: number;
  /** The form's slider (numbers): its upper end and step; absent for a plain number field. */
  readonly slider?: { readonly max: number; readonly step: number };
  /** The number field's step. */
  readonly step?: number;
  /** A few words after a switch's label in the form. */
  readonly note?: string;
}

export interface NoiseOperatorInfo {
  readonly type: string;
  readonly label: string;
  /** One line for tooltips and the form's caption. */
  readonly help: string;
  /** Mixes samples across the batch axis: evaluation depends on batch composition. */
  readonly batchMixing: boolean;
  /** One sample's output depends on the rest of the batch (training needs the whole batch in one replica). */
  readonly dependsOnBatch: boolean;
  /** Why, for messages, when it depends on the batch without mixing samples. */
  readonly batchDependence?: string;
  readonly params: readonly NoiseParamInfo[];
  /** The form's caption when the operator has no parameter. */
  readonly note?: string;
  /** The parameter a strength strip sweeps, and its values. */
  readonly strip?: { readonly param: string; readonly values: readonly number[] };
  /** Row `selected` of the k x k mixing matrix I + Q (batch-mixing operators). */
  readonly mixingRow?: (params: Readonly<Record<string, unknown>>, k: number, selected: number) => number[];
  /** -log|det(I + Q)| for batch size k (linear operators); +Infinity when I + Q is singular. */
  readonly logDet?: (params: Readonly<Record<string, unknown>>, k: number) => number;
}

/** Paper default for the ViT (the CNN script uses 0.4). */
const ALPHA = 0.3;

function alphaOf(params: Readonly<Record<string, unknown>>): number {
  const a = params.alpha ?? ALPHA;
  if (typeof a !== 'number' || !Number.isFinite(a) || a < 0 || a > 1)
    throw new Error(`linear-shift: alpha must be in [0, 1], got ${String(a)}`);
  return a;
}

/** -log|det(I + Q)| of the circular shift: det(I + Q) = (1 - a)^k - (-a)^k, worked in log space so large k neither under- nor overflows. */
function shiftLogDet(params: Readonly<Record<string, unknown>>, k: number): number {
  const a = alphaOf(params);
  // big^k * (1 -/+ r^k), r = small / big <= 1.
  const big = Math.max(1 - a, a);
  const small = Math.min(1 - a, a);
  const kLogR = small === 0 ? -Infinity : k * Math.log(small / big);
  const logAbsDet = k % 2 === 1 ? k * Math.log(big) + Math.log1p(Math.exp(kLogR)) : k * Math.log(big) + Math.log(-Math.expm1(kLogR));
  const result = -logAbsDet;
  return result === 0 ? 0 : result; // no -0
}

const none = {
  type: 'none',
  label: 'none',
  help: 'No noise: the noisy image equals the clean one.',
  batchMixing: false,
  dependsOnBatch: false,
  params: [],
} as const satisfies NoiseOperatorInfo;

const linearShift = {
  type: 'linear-shift',
  label: 'linear shift (circular Q)',
  help: "P' = (1 - a) P + a roll(P, -1, batch): each sample takes a share a of the next sample in the batch.",
  batchMixing: true,
  dependsOnBatch: true,
  params: [
    {
      name: 'alpha',
      kind: 'number',
      label: 'alpha',
      symbol: 'a',
      default: ALPHA,
      min: 0,
      max: 1,
      slider: { max: 1, step: 0.01 },
      step: 0.05,
      help: 'Mixing weight a in [0, 1] (paper 0.3, official CNN script 0.4); singular at a = 0.5 with an even batch size.',
    },
    {
      // The official CNN code detaches the shifted difference: the gradient w.r.t. P is the identity.
      name: 'detach',
      kind: 'boolean',
      label: 'detach shifted copy',
      note: 'gradient only; preview unchanged',
      default: true,
      help: 'Official CNN form: the shift P + a (roll(P) - P) is detached, so the gradient is the identity. Off: the full gradient (1 - a) I + a S^T. Affects training only: the forward value (this preview) is identical.',
    },
  ],
  strip: { param: 'alpha', values: [0.1, 0.2, 0.3, 0.4, 0.5] },
  mixingRow: (params, k, selected) => {
    const a = alphaOf(params);
    const w = new Array<number>(k).fill(0);
    w[selected] += 1 - a;
    w[(selected + 1) % k] += a;
    return w;
  },
  logDet: shiftLogDet,
} as const satisfies NoiseOperatorInfo;

const linearOptimal = {
  type: 'linear-optimal',
  label: 'linear optimal Q',
  help: "P' = (P + sum over batch of P) / (k + 1): each sample is averaged with the whole batch of size k.",
  batchMixing: true,
  dependsOnBatch: true,
  params: [],
  note: 'No parameter: the mixing weights are fixed by the batch size k (2/(k+1) self, 1/(k+1) each other).',
  mixingRow: (_params, k, selected) => {
    const w = new Array<number>(k).fill(1 / (k + 1));
    w[selected] += 1 / (k + 1);
    return w;
  },
  // det((I + 11^T) / (k + 1)) = (k + 1) / (k + 1)^k
  logDet: (_params, k) => (k - 1) * Math.log(k + 1),
} as const satisfies NoiseOperatorInfo;

const gaussian = {
  type: 'gaussian',
  label: 'Gaussian',
  help: "P' = P + s * N(mean, std), element-wise, seeded.",
  batchMixing: false,
  dependsOnBatch: false,
  params: [
    {
      // ViT default (the CNN script uses 1.0).
      name: 'strength',
      kind: 'number',
      label: 'strength',
      symbol: 's',
      default: 0.1,
      min: 0,
      slider: { max: 2, step: 0.01 },
      step: 0.05,
      help: 'Scale s of the added noise, in normalised input units (official ViT 0.1, CNN 1.0).',
    },
    {
      name: 'mean',
      kind: 'number',
      label: 'mean',
      symbol: 'μ',
      default: 0,
      step: 0.1,
      help: 'Mean mu of the Gaussian draw before scaling (official 0).',
    },
    {
      // The official code calls it gau_var but uses it as a standard deviation.
      name: 'std',
      kind: 'number',
      label: 'std',
      symbol: 'σ',
      default: 1,
      min: 0,
      step: 0.1,
      help: 'Standard deviation sigma of the Gaussian draw before scaling (official "gau_var" = 1, used as a std).',
    },
  ],
  strip: { param: 'strength', values: [0.05, 0.1, 0.25, 0.5, 1] },
} as const satisfies NoiseOperatorInfo;

const saltPepper = {
  type: 'salt-pepper',
  label: 'salt & pepper (impulse)',
  help: 'Each element becomes the batch max with probability p/2 and the batch min with probability p/2.',
  batchMixing: false,
  // The salt and pepper values are the max and min over the whole batch tensor, as in the official code.
  dependsOnBatch: true,
  batchDependence: 'its salt and pepper values are the max and min over the whole batch',
  params: [
    {
      // The official default of both scripts' parsers (ViT --strength, CNN --noise_str); the CNN run script uses 1.0.
      name: 'prob',
      kind: 'number',
      label: 'prob',
      symbol: 'p',
      default: 0.1,
      min: 0,
      max: 1,
      slider: { max: 1, step: 0.01 },
      step: 0.01,
      help: 'Fraction p in [0, 1] of elements replaced: half by the batch max, half by the batch min.',
    },
  ],
  strip: { param: 'prob', values: [0.01, 0.05, 0.1, 0.2, 0.3] },
} as const satisfies NoiseOperatorInfo;

const OPERATORS = [none, linearShift, linearOptimal, gaussian, saltPepper] as const;
/** Every operator, in the order forms and help list them. */
export const NOISE_OPERATORS: readonly NoiseOperatorInfo[] = OPERATORS;

export type NoiseType = (typeof OPERATORS)[number]['type'];
export const NOISE_TYPES = OPERATORS.map((o) => o.type) as readonly NoiseType[];

type AnyParam = (typeof OPERATORS)[number]['params'][number];
/** The operators' parameters as optional spec fields, typed by kind. */
export type NoiseParams = { [P in AnyParam as P['name']]?: P['kind'] extends 'boolean' ? boolean : number };
export type NoiseParamName = keyof NoiseParams;
/** The numeric parameters: the ones a strip sweeps and a slider sets. */
export type NumberParamName = { [K in NoiseParamName]-?: Exclude<NoiseParams[K], undefined> extends number ? K : never }[NoiseParamName];

/** Every operator's parameters, each once, in registry order. */
export function allNoiseParams(ops: readonly NoiseOperatorInfo[] = NOISE_OPERATORS): NoiseParamInfo[] {
  const seen = new Map<string, NoiseParamInfo>();
  for (const o of ops) for (const p of o.params) if (!seen.has(p.name)) seen.set(p.name, p);
  return [...seen.values()];
}

/** Each parameter's default, by name: the values used when a spec leaves a parameter out. */
export function noiseDefaults(ops: readonly NoiseOperatorInfo[] = NOISE_OPERATORS): Record<string, number | boolean> {
  return Object.fromEntries(allNoiseParams(ops).map((p) => [p.name, p.default]));
}

/** The registry entry of a type; throws naming the type when there is none. */
export function noiseOperator(type: string, ops: readonly NoiseOperatorInfo[] = NOISE_OPERATORS): NoiseOperatorInfo {
  const o = ops.find((x) => x.type === type);
  if (!o) throw new Error(`noise type ${JSON.stringify(type)} is not one of ${ops.map((x) => x.type).join(', ')}`);
  return o;
}

/** "[0, 1]", ">= 0" or "finite": how messages state a parameter's range. */
export function rangeText(p: Pick<NoiseParamInfo, 'min' | 'max'>): string {
  const min = p.min ?? -Infinity;
  const max = p.max ?? Infinity;
  return max === Infinity ? (min === -Infinity ? 'finite' : `>= ${min}`) : `in [${min}, ${max}]`;
}

/** What a run-config field table needs about the noise parameters: path, kind, default, range, label, help, and the types using each. */
export interface NoiseConfigField {
  path: string;
  kind: 'number' | 'boolean';
  default: number | boolean;
  min?: number;
  max?: number;
  label: string;
  help: string;
  types: string[];
}

export function noiseConfigFields(ops: readonly NoiseOperatorInfo[] = NOISE_OPERATORS): NoiseConfigField[] {
  return allNoiseParams(ops).map((p) => ({
    path: `noise.${p.name}`,
    kind: p.kind,
    default: p.default,
    ...(p.min !== undefined ? { min: p.min } : {}),
    ...(p.max !== undefined ? { max: p.max } : {}),
    label: p.symbol ? `${p.label} ${p.symbol}` : p.label,
    help: p.help,
    types: ops.filter((o) => o.params.some((q) => q.name === p.name)).map((o) => o.type),
  }));
}

/** The CLI's one-line list of noise types, e.g. for `--noise`. */
export function noiseTypesHelp(ops: readonly NoiseOperatorInfo[] = NOISE_OPERATORS): string {
  return ops.map((o) => o.type).join(' | ');
}

/**
 * The parameter a strength strip sweeps for the spec's type (alpha, strength, prob), its symbol and the
 * spec's value of it (undefined when the spec leaves it out); null when the type has none. Labels of runs read it.
 */
export function sweptParam(
  spec: { type: string },
  ops: readonly NoiseOperatorInfo[] = NOISE_OPERATORS,
): { param: NoiseParamInfo; value: unknown } | null {
  const o = ops.find((x) => x.type === spec.type);
  const param = o?.strip && o.params.find((q) => q.name === o.strip!.param);
  return param ? { param, value: (spec as Record<string, unknown>)[param.name] } : null;
}

/** "a=0.3", "s=0.1", "p=0.1": the swept parameter by its symbol, its default filled in; '' when the type has none. */
export function sweptParamText(spec: { type: string }, ops: readonly NoiseOperatorInfo[] = NOISE_OPERATORS): string {
  const swept = sweptParam(spec, ops);
  return swept ? `${swept.param.symbol ?? swept.param.name}=${String(swept.value ?? swept.param.default)}` : '';
}
