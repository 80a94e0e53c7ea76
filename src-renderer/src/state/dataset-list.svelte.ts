// The registered datasets, fetched in one place for every view that lists them (Datasets, Train, both
// noise labs, the embeddings inspector). A view calls refresh() when it opens, so a dataset added
// elsewhere (the CLI, another window) shows up; the list it had stays on screen meanwhile, and callers
// at the same moment share one request.
import type { DatasetSummary } from '@api/contract';
import { errorMessage, host } from '../host';
import { oneAtATime } from './one-at-a-time';

export class DatasetList {
  items = $state.raw<DatasetSummary[]>([]);
  error = $state<string | null>(null);
  /** Fetches the list again; resolves to the list (the previous one when the request failed: see `error`). */
  readonly refresh = oneAtATime(async (): Promise<DatasetSummary[]> => {
    try {
      this.items = await host.invoke('datasets.list', {});
      this.error = null;
    } catch (e) {
      this.error = errorMessage(e);
    }
    return this.items;
  });

  /** A dataset just added or replaced (datasets.add's reply), without a refetch. */
  put(d: DatasetSummary): void {
    this.items = [...this.items.filter((x) => x.name !== d.name), d];
  }

  has(name: string): boolean {
    return this.items.some((d) => d.name === name);
  }

  /** What a form starts from: MNIST (embedded) when registered, else the first dataset, else ''. */
  defaultName(): string {
    return (this.items.find((d) => d.name === 'mnist') ?? this.items[0])?.name ?? '';
  }
}

export const datasetList = new DatasetList();
