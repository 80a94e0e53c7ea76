// `noisynn weights import PATH [--name NAME] [--model PRESET] | list | show NAME | delete NAME`.
import type { ModelConfig } from '../engine/config';
import { resolveDataDir } from '../store';
import { deleteWeights, getWeights, importWeights, listWeights, type WeightsEntry } from '../weights/library';
import { UsageError, type ParsedArgs } from './args';
import { printJson, printTable } from './output';

const USAGE = 'usage: noisynn weights import PATH [--name NAME] [--model PRESET] | list | show NAME | delete NAME';

export function describeModel(m: ModelConfig): string {
  return m.kind === 'vit'
    ? `ViT dim ${m.dim}, depth ${m.depth}, heads ${m.heads}, patch ${m.patchSize}, mlp x${m.mlpRatio}, pool ${m.globalPool ?? 'token'}`
    : `ResNet ${m.block} ${m.layers.join('-')}, widths ${m.widths.join('-')}, stem ${m.stem}`;
}

const row = (w: WeightsEntry) => ({
  name: w.name,
  architecture: w.architecture,
  input: `${w.model.channels}x${w.model.imageSize}x${w.model.imageSize}`,
  classes: w.model.numClasses,
  parameters: w.parameters,
  sha256: w.sha256.slice(0, 12),
  source: w.source,
});

export async function weightsCommand(a: ParsedArgs): Promise<number> {
  const [sub = 'list', arg] = a.positionals;
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  if (sub === 'import') {
    if (!arg) throw new UsageError(USAGE);
    const w = importWeights(dataDir, arg, { name: a.flags.name as string | undefined, model: a.flags.model as string | undefined });
    if (a.flags.json) printJson(w);
    else {
      printTable([row(w)]);
      console.log(
        `imported '${w.name}': ${describeModel(w.model)}; input ${w.input.size}px, mean ${JSON.stringify(w.input.mean)}, std ${JSON.stringify(w.input.std)}, crop ${w.input.cropPct}`,
      );
    }
  } else if (sub === 'list') {
    const all = listWeights(dataDir);
    if (a.flags.json) printJson({ weights: all });
    else if (all.length) printTable(all.map(row));
    else console.log(`no imported weights in ${dataDir}; import a timm folder with: noisynn weights import PATH`);
  } else if (sub === 'show') {
    if (!arg) throw new UsageError(USAGE);
    const w = getWeights(dataDir, arg);
    if (a.flags.json) printJson(w);
    else {
      printTable([row(w)]);
      console.log(`model: ${describeModel(w.model)}`);
      console.log(
        `input: ${w.input.size}px, mean ${JSON.stringify(w.input.mean)}, std ${JSON.stringify(w.input.std)}, crop_pct ${w.input.cropPct}`,
      );
      console.log(`sha256 ${w.sha256}, ${w.bytes} bytes, ${w.tensors} tensors, imported ${w.importedAt}`);
    }
  } else if (sub === 'delete') {
    if (!arg) throw new UsageError(USAGE);
    const w = deleteWeights(dataDir, arg);
    if (a.flags.json) printJson({ deleted: w.name });
    else console.log(`deleted weights '${w.name}'`);
  } else throw new UsageError(`unknown weights subcommand '${sub}'\n${USAGE}`);
  return 0;
}
