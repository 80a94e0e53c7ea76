// The little the embedding lab needs to know about a model to offer valid noise sites: a ViT's
// depth, or a ResNet's blocks per stage. Read defensively from configs typed `unknown` in the
// contract (a preset's config is either a whole run config with `model`, or a model config).

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
