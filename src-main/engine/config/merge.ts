// Building a config: preset < config file < flags, then fitted to the dataset it trains on.
import type { DatasetInfo } from '../../data/types';
import { invalid } from '../../errors';
import { checkConfigPath, FORBIDDEN_KEYS } from './fields';
import { withClassTokenDefault } from './class-token';
import type { RunConfig } from './types';

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge of plain objects; arrays and scalars in `over` replace those in `base`. */
export function mergeConfig<T>(base: T, over: unknown): T {
  if (!isPlain(base) || !isPlain(over)) return (over === undefined ? base : over) as T;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (FORBIDDEN_KEYS.has(k)) throw invalid(`config key '${k}' is not allowed`, k);
    out[k] = Object.hasOwn(out, k) ? mergeConfig(out[k], v) : v;
  }
  return out as T;
}

/** Sets a dotted config path ('noise.alpha') to a value, creating objects on the way; an unknown path throws first. */
export function setPath(target: Plain, path: string, value: unknown): void {
  checkConfigPath(path);
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) {
    if (!Object.hasOwn(o, k) || !isPlain(o[k])) o[k] = {};
    o = o[k] as Plain;
  }
  o[keys[keys.length - 1]] = value;
}

/**
 * The last step of building every run config (CLI, services, study, analyses): the dataset decides the
 * input shape and the number of classes (a model preset cannot), and the model-dependent noise default
 * (the ViT class token) is made explicit, so it is stored with the run.
 */
export function fitToDataset(c: RunConfig, info: Pick<DatasetInfo, 'shape' | 'classNames'>): RunConfig {
  const [h, w, ch] = info.shape;
  if (h !== w) throw new Error(`dataset images are ${h}x${w}: only square images are supported`);
  return withClassTokenDefault({ ...c, model: { ...c.model, imageSize: h, channels: ch, numClasses: info.classNames.length } });
}
