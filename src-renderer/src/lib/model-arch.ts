// The little the embedding lab needs to know about a model to offer valid noise sites: a ViT's
// depth, or a ResNet's blocks per stage. Read defensively from configs typed `unknown` in the
// contract (a preset's config is either a whole run config with `model`, or a model config).
import { PATCH_EMBED_SITE } from './noise-params';

export type Arch = { kind: 'vit'; depth: number; label: string } | { kind: 'resnet'; layers: number[]; label: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function archOf(config: unknown): Arch | null {
  const model = isRecord(config) && isRecord(config.model) ? config.model : config;
  if (!isRecord(model)) return null;
  if (model.kind === 'vit' && typeof model.depth === 'number' && model.depth >= 1) {
    const dim = typeof model.dim === 'number' ? `, ${model.dim} dims` : '';
    return { kind: 'vit', depth: model.depth, label: `ViT, ${model.depth} blocks${dim}` };
  }
  if (model.kind === 'resnet' && Array.isArray(model.layers) && model.layers.every((n) => typeof n === 'number' && n >= 1)) {
    const layers = model.layers as number[];
    return { kind: 'resnet', layers, label: `ResNet, blocks per stage [${layers.join(', ')}]` };
  }
  return null;
}

/** The site a run config names, if any (`noise.site`). */
export function siteOf(config: unknown): { block: number; stage?: number } | null {
  if (!isRecord(config) || !isRecord(config.noise) || !isRecord(config.noise.site)) return null;
  const s = config.noise.site;
  if (typeof s.block !== 'number') return null;
  return typeof s.stage === 'number' ? { block: s.block, stage: s.stage } : { block: s.block };
}

export function datasetOf(config: unknown): string | null {
  return isRecord(config) && typeof config.dataset === 'string' ? config.dataset : null;
}

/** A valid site for `arch`, keeping `site` when it is valid (default: the last ViT block, the last ResNet stage's first block). */
export function fitSite(arch: Arch, site: { block: number; stage?: number }): { block: number; stage?: number } {
  if (arch.kind === 'vit') {
    const ok = Number.isInteger(site.block) && site.block >= -1 && site.block < arch.depth && site.stage === undefined;
    return ok ? site : { block: arch.depth - 1 };
  }
  const stages = arch.layers.length;
  const stage = site.stage !== undefined && site.stage >= 1 && site.stage <= stages ? site.stage : stages;
  const blocks = arch.layers[stage - 1];
  const block = site.block >= 1 && site.block <= blocks ? site.block : 1;
  return { stage, block };
}

// ---- Sites in the UI's words ----
// Forms and labels count ViT blocks and ResNet stages/blocks the same way, from 1 ("block 4 of 4").
// The stored config is unchanged: a ViT block there is 0-based (the official code's index) and -1 is
// the site right after the patch embedding, our extension; ResNet stages and blocks are 1-based there too.

export const SITE_NUMBERING = 'blocks and stages count from 1';

export interface SiteChoice {
  /** The stored value (a ViT block stays 0-based). */
  value: number;
  label: string;
  /** Not a site of this model (kept so a config that names it can be shown and explained). */
  invalid?: boolean;
}

/** A ViT's sites: the patch-embedding extension, then block 1..depth; `current` is kept when out of range. */
export function vitBlockChoices(depth: number, current?: number): SiteChoice[] {
  const out: SiteChoice[] = [{ value: -1, label: PATCH_EMBED_SITE }];
  for (let b = 0; b < depth; b++) out.push({ value: b, label: `block ${b + 1} of ${depth}` });
  if (current !== undefined && Number.isFinite(current) && !out.some((c) => c.value === current)) {
    out.push({ value: current, label: `block ${current + 1} (stored ${current}): not in this ${depth}-block ViT`, invalid: true });
  }
  return out;
}

/** 1..n as "<what> i of n"; `current` is kept when out of range. */
export function countedChoices(what: 'stage' | 'block', n: number, current?: number): SiteChoice[] {
  const out: SiteChoice[] = Array.from({ length: n }, (_, i) => ({ value: i + 1, label: `${what} ${i + 1} of ${n}` }));
  if (current !== undefined && Number.isFinite(current) && (current < 1 || current > n)) {
    out.push({ value: current, label: `${what} ${current}: not in this model (1..${n})`, invalid: true });
  }
  return out;
}

/** A stored site in words, without the model: "block 4" (ViT block 3), "stage 2, block 1", or the extension. */
export function siteWords(site: { block: number; stage?: number }): string {
  if (site.stage !== undefined) return `stage ${site.stage}, block ${site.block}`;
  return site.block === -1 ? PATCH_EMBED_SITE : `block ${site.block + 1}`;
}
