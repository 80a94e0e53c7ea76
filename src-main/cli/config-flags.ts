// The config fields that have a CLI flag (field table), as the flags of `train`, `eval` and `sweep submit`.
import { readFileSync } from 'node:fs';
import { CONFIG_FIELDS, type ConfigField, type FieldGroup } from '../engine/config/field-table';
import { fitToDataset, mergeConfig, MODEL_PRESETS, runPreset, setPath, validateConfig, type RunConfig } from '../engine/config';
import type { OptionSpec } from './program';

type Kind = 'int' | 'num' | 'str' | 'bool' | 'ints';
interface Flag {
  path: string;
  kind: Kind;
  help: string;
  group: FieldGroup;
}

const KIND: Record<ConfigField['type'], Kind> = {
  int: 'int',
  number: 'num',
  string: 'str',
  enum: 'str',
  boolean: 'bool',
  ints: 'ints',
  numbers: 'str',
  strings: 'str',
};

export const CONFIG_FLAGS: Record<string, Flag> = Object.fromEntries(
  CONFIG_FIELDS.filter((f) => f.flag).map((f) => [f.flag!, { path: f.path, kind: KIND[f.type], help: f.help, group: f.group }]),
);

function parseValue(flag: string, kind: Kind, raw: string | boolean): unknown {
  if (kind === 'bool') return raw === true || raw === 'true' || raw === '1';
  const s = String(raw);
  if (kind === 'str') return s;
  if (kind === 'ints') {
    const parts = s.split(',').map(Number);
    if (!parts.every(Number.isInteger)) throw new Error(`--${flag} expects integers separated by commas (got '${s}')`);
    return parts;
  }
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) {
    throw new Error(`--${flag} expects ${kind === 'int' ? 'an integer' : 'a number'} (got '${s}')`);
  }
  return n;
}

export interface ConfigSources {
  preset?: string;
  model?: string;
  configFile?: string;
  flags: Record<string, string | boolean | undefined>;
  /** --set path=value pairs; values parsed as JSON when possible. */
  sets?: string[];
}

/** preset < --model < --config file < flags < --set, then validated (the dataset fit happens later). */
export function buildConfig(src: ConfigSources): RunConfig {
  let c = runPreset(src.preset ?? 'mnist-vit');
  if (src.model) {
    const m = MODEL_PRESETS[src.model];
    if (!m) throw new Error(`unknown model preset '${src.model}' (known: ${Object.keys(MODEL_PRESETS).join(', ')})`);
    c.model = structuredClone(m);
  }
  if (src.configFile) {
    let file: unknown;
    try {
      file = JSON.parse(readFileSync(src.configFile, 'utf8'));
    } catch (e) {
      throw new Error(`${src.configFile}: cannot read the config file: ${(e as Error).message}`);
    }
    c = mergeConfig(c, file);
  }
  const over: Record<string, unknown> = {};
  for (const [flag, raw] of Object.entries(src.flags)) {
    const f = CONFIG_FLAGS[flag];
    if (f && raw !== undefined) setPath(over, f.path, parseValue(flag, f.kind, raw));
  }
  for (const s of src.sets ?? []) {
    const eq = s.indexOf('=');
    if (eq < 1) throw new Error(`--set expects path=value (got '${s}')`);
    const raw = s.slice(eq + 1);
    let v: unknown = raw;
    try {
      v = JSON.parse(raw);
    } catch {
      /* a bare string */
    }
    setPath(over, s.slice(0, eq), v);
  }
  return mergeConfig(c, over);
}

export { fitToDataset, validateConfig };

const PLACEHOLDER: Record<Kind, string | undefined> = { int: 'N', num: 'X', str: 'VALUE', bool: undefined, ints: 'N,N,...' };

/** The config flags as command-line options, listed in --help under their field group. */
export function configOptions(): OptionSpec[] {
  return Object.entries(CONFIG_FLAGS).map(([flag, f]) => ({
    flag,
    value: PLACEHOLDER[f.kind],
    help: `${f.help} [${f.path}]`,
    negatable: f.kind === 'bool',
    group: `Config fields: ${f.group}`,
  }));
}
