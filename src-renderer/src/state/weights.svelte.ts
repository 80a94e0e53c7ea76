// The Models view's state: the weights library (imported timm / torchvision weights), the one inspected,
// and the import form. The Train form reads the same list for its "initial weights" field.
import type { WeightsSummary } from '@api/contract';
import { errorMessage, host } from '../host';

export class WeightsState {
  list = $state.raw<WeightsSummary[]>([]);
  loaded = $state(false);
  listError = $state<string | null>(null);
  selectedName = $state<string | null>(null);
  selected = $derived(this.list.find((w) => w.name === this.selectedName) ?? null);

  path = $state('');
  name = $state('');
  model = $state('');
  busy = $state(false);
  error = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      this.list = await host.invoke('weights.list', {});
      this.listError = null;
      if (!this.selected) this.selectedName = this.list[0]?.name ?? null;
    } catch (e) {
      this.listError = errorMessage(e);
    } finally {
      this.loaded = true;
    }
  }

  async import(): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      const w = await host.invoke('weights.import', {
        path: this.path.trim(),
        name: this.name.trim() || undefined,
        model: this.model || undefined,
      });
      await this.load();
      this.selectedName = w.name;
      this.path = '';
      this.name = '';
    } catch (e) {
      this.error = errorMessage(e);
    } finally {
      this.busy = false;
    }
  }

  async remove(name: string): Promise<void> {
    this.error = null;
    try {
      await host.invoke('weights.delete', { name });
      if (this.selectedName === name) this.selectedName = null;
      await this.load();
    } catch (e) {
      this.error = errorMessage(e);
    }
  }
}

export const weights = new WeightsState();

/** One line describing the architecture, as the CLI's `weights show` does. */
export function describeWeights(w: WeightsSummary): string {
  const m = w.model;
  return m.kind === 'vit'
    ? `ViT dim ${m.dim}, depth ${m.depth}, heads ${m.heads}, patch ${m.patchSize}, mlp ×${m.mlpRatio}, pool ${m.globalPool ?? 'token'}`
    : `ResNet ${m.block} ${m.layers?.join('-')}, widths ${m.widths?.join('-')}, stem ${m.stem}`;
}
