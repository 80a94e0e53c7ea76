// The weights library: imported timm / torchvision weights under <data dir>/weights/<name>/, each a folder with
// the file as imported (model.safetensors, PyTorch names and layouts), a normalised timm config.json and
// entry.json (what the workbench checked and derived). A folder per entry rather than store rows: it is
// self-describing (it can be copied between data dirs), appears atomically (written aside, then renamed),
// and needs no migration. Everything is checked before anything is written.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { MODEL_PRESETS, validateModelNoise, type InputSpec, type ModelConfig } from '../engine/config';
import { defaultInput, describeTimmConfig, fromTorch, timmConfig, type PretrainedDescription } from '../engine/pretrained';
import { decodeSafetensors, type NamedArray } from '../engine/train/safetensors';
import { conflict, invalid, notFound } from '../errors';

export interface WeightsEntry {
  name: string;
  /** The folder or file it was imported from. */
  source: string;
  importedAt: string;
  /** sha256 of model.safetensors as imported. */
  sha256: string;
  bytes: number;
  architecture: string;
  model: ModelConfig;
  input: InputSpec;
  parameters: number;
  tensors: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
const ENTRY = 'entry.json';
const FILE = 'model.safetensors';

export const weightsRoot = (dataDir: string) => join(dataDir, 'weights');

function checkName(name: string): void {
  if (!NAME.test(name) || name.includes('..'))
    throw invalid(`weights name '${name}' is invalid: use letters, digits, '.', '_' and '-' (at most 80, starting with a letter or digit)`);
}

/** A safe default name from the path: the folder or file name without its extension. */
function defaultName(path: string): string {
  const base = basename(resolve(path)).replace(/\.safetensors$/i, '');
  const clean = base
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 80);
  return clean || 'weights';
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
  }
}

/** Describes a bare .safetensors by a model preset; the class count comes from its head. */
function describeByPreset(preset: string, tensors: Record<string, NamedArray>, file: string): PretrainedDescription {
  const m = MODEL_PRESETS[preset];
  if (!m) throw new Error(`unknown model preset '${preset}' (known: ${Object.keys(MODEL_PRESETS).join(', ')})`);
  const model = structuredClone(m);
  const head = tensors['head.weight'] ?? tensors['fc.weight'];
  if (head?.shape.length === 2) model.numClasses = head.shape[0];
  if (model.kind === 'vit' && tensors['fc_norm.weight']) model.globalPool = 'avg';
  void file;
  return { architecture: preset, model, input: defaultInput(model) };
}

/** Reads and checks a timm folder or a bare .safetensors: everything import stores, nothing written. */
export function inspectWeights(
  path: string,
  o: { model?: string } = {},
): { desc: PretrainedDescription; bytes: Buffer; arrays: Record<string, NamedArray>; sha256: string } {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw invalid(`${path}: no such file or folder`, 'path');
  }
  let file = path;
  let config: unknown;
  if (st.isDirectory()) {
    file = join(path, FILE);
    if (!existsSync(file)) {
      const other = readdirSync(path).find((f) => /\.(bin|pth|pt|ckpt)$/.test(f));
      throw new Error(
        `${path}: no ${FILE} in this folder${other ? ` (found ${other}: only safetensors weights are read; on the connected machine save them with safetensors.torch.save_file)` : ''}`,
      );
    }
    if (!o.model) {
      const cfgFile = join(path, 'config.json');
      if (!existsSync(cfgFile)) throw new Error(`${path}: no config.json in this folder; give the architecture with --model PRESET`);
      config = readJson(cfgFile);
    }
  } else if (!o.model) {
    throw new Error(`${path}: a bare .safetensors file needs --model PRESET (e.g. vit-base, resnet50) to say what it holds`);
  }
  const bytes = readFileSync(file);
  const { tensors } = decodeSafetensors(bytes, file);
  const desc = o.model ? describeByPreset(o.model, tensors, file) : describeTimmConfig(config, join(path, 'config.json'));
  try {
    validateModelNoise({ model: desc.model, noise: { type: 'none', level: 'embedding', at: 'both' } });
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const arrays = fromTorch(desc.model, tensors, file);
  return { desc, bytes, arrays, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Checks the weights, then stores them under `name`; a failure leaves the library as it was. */
export function importWeights(dataDir: string, path: string, o: { name?: string; model?: string } = {}): WeightsEntry {
  const name = o.name ?? defaultName(path);
  checkName(name);
  const root = weightsRoot(dataDir);
  const dir = join(root, name);
  if (existsSync(dir))
    throw conflict(
      `weights '${name}' already exist in ${root}; delete them first (noisynn weights delete ${name}) or choose another --name`,
    );
  const { desc, bytes, arrays, sha256 } = inspectWeights(path, o);
  const entry: WeightsEntry = {
    name,
    source: resolve(path),
    importedAt: new Date().toISOString(),
    sha256,
    bytes: bytes.length,
    architecture: desc.architecture,
    model: desc.model,
    input: desc.input,
    parameters: Object.values(arrays).reduce((a, t) => a + t.data.length, 0) - bnBuffers(arrays),
    tensors: Object.keys(arrays).length,
  };
  const tmp = join(root, `.incoming-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    writeFileSync(join(tmp, FILE), bytes);
    writeFileSync(
      join(tmp, 'config.json'),
      `${JSON.stringify(timmConfig(desc.model, desc.input, { source: entry.source, sha256 }), null, 2)}\n`,
    );
    writeFileSync(join(tmp, ENTRY), `${JSON.stringify(entry, null, 2)}\n`);
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return entry;
}

function bnBuffers(arrays: Record<string, NamedArray>): number {
  let n = 0;
  for (const [k, t] of Object.entries(arrays)) if (/running_(mean|var)$/.test(k)) n += t.data.length;
  return n;
}

export function listWeights(dataDir: string): WeightsEntry[] {
  const root = weightsRoot(dataDir);
  if (!existsSync(root)) return [];
  const out: WeightsEntry[] = [];
  for (const d of readdirSync(root).sort()) {
    if (d.startsWith('.') || !existsSync(join(root, d, ENTRY))) continue;
    out.push(readJson(join(root, d, ENTRY)) as WeightsEntry);
  }
  return out;
}

export function getWeights(dataDir: string, name: string): WeightsEntry {
  checkName(name);
  const file = join(weightsRoot(dataDir), name, ENTRY);
  if (!existsSync(file)) {
    const known = listWeights(dataDir).map((w) => w.name);
    throw notFound(
      `weights '${name}' are not in the library (${known.length ? `known: ${known.join(', ')}` : 'it is empty'}); import them with: noisynn weights import PATH --name ${name}`,
    );
  }
  return readJson(file) as WeightsEntry;
}

export function deleteWeights(dataDir: string, name: string): WeightsEntry {
  const entry = getWeights(dataDir, name);
  const dir = join(weightsRoot(dataDir), name);
  // Renamed aside first, so a crash mid-delete never leaves a half-entry that lists.
  const trash = join(weightsRoot(dataDir), `.deleting-${name}-${process.pid}`);
  renameSync(dir, trash);
  rmSync(trash, { recursive: true, force: true });
  return entry;
}

/** The stored weights in the workbench's names, after checking the file is the one imported (sha256). */
export function loadWeights(dataDir: string, name: string, sha256?: string): { entry: WeightsEntry; arrays: Record<string, NamedArray> } {
  const entry = getWeights(dataDir, name);
  const file = join(weightsRoot(dataDir), name, FILE);
  const bytes = readFileSync(file);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== entry.sha256)
    throw new Error(`${file}: weights '${name}' changed since import (sha256 ${sha.slice(0, 12)} != ${entry.sha256.slice(0, 12)})`);
  if (sha256 && sha !== sha256)
    throw new Error(
      `weights '${name}' are not the ones this run started from (sha256 ${sha.slice(0, 12)} != recorded ${sha256.slice(0, 12)}); re-import the original file`,
    );
  return { entry, arrays: fromTorch(entry.model, decodeSafetensors(bytes, file).tensors, file) };
}
