// The Datasets view's state: the registered datasets, the one selected, the grid's filter and its
// pages of image refs, and the image opened in the detail panel.
import type { DatasetSummary, ImageDetail, ImageRef, SplitName } from '@api/contract';
import { errorMessage, host } from '../host';
import { datasetList } from './dataset-list.svelte';
import { fetchImage, forgetImages } from './images';

export type SplitFilter = SplitName | 'all';

/** Refs per `datasets.images` call: one page covers several screens of thumbnails. */
export const PAGE_SIZE = 500;

export class DatasetsState {
  /** This view's first listing has finished (the list itself is shared: state/dataset-list). */
  listLoaded = $state(false);
  get list(): DatasetSummary[] {
    return datasetList.items;
  }
  get listError(): string | null {
    return datasetList.error;
  }
  selectedName = $state<string | null>(null);
  selected = $derived(this.list.find((d) => d.name === this.selectedName) ?? null);

  addPath = $state('');
  addBusy = $state(false);
  addError = $state<string | null>(null);
  /** What the last add did, when it was not a plain new registration ("already registered as NAME"). */
  addNotice = $state<string | null>(null);

  split = $state<SplitFilter>('all');
  /** Selected class chips; empty means every class. */
  classes = $state<number[]>([]);

  /** Images matching the filter; null until the first page of this filter arrives. */
  total = $state<number | null>(null);
  gridError = $state<string | null>(null);
  /** Bumped whenever a page arrives: the grid reads it to re-render without making the pages reactive. */
  pagesVersion = $state(0);
  #pages = new Map<number, ImageRef[]>();
  #pending = new Set<number>();
  /** Filter generation: replies for an older filter are dropped. */
  #gen = 0;

  detail = $state<ImageDetail | null>(null);
  detailLoading = $state(false);
  detailError = $state<string | null>(null);
  /** Grid position of the opened image, for highlighting its cell. */
  detailPos = $state<number | null>(null);

  ready = $derived(this.listLoaded && (this.selected === null || this.total !== null));

  async load(): Promise<void> {
    await datasetList.refresh();
    if (!this.selected && this.list.length > 0) this.select(datasetList.defaultName());
    this.listLoaded = true;
  }

  select(name: string): void {
    if (this.selectedName === name) return;
    this.selectedName = name;
    this.split = 'all';
    this.classes = [];
    this.closeDetail();
    this.#resetGrid();
  }

  setSplit(split: SplitFilter): void {
    this.split = split;
    this.#resetGrid();
  }

  toggleClass(c: number): void {
    this.classes = this.classes.includes(c) ? this.classes.filter((x) => x !== c) : [...this.classes, c].sort((a, b) => a - b);
    this.#resetGrid();
  }

  clearClasses(): void {
    if (this.classes.length === 0) return;
    this.classes = [];
    this.#resetGrid();
  }

  async add(path: string): Promise<void> {
    const p = path.trim();
    if (!p) {
      this.addError = 'Enter the path of a dataset folder (MNIST/IDX files, a CIFAR batch folder, or class sub-folders of images).';
      return;
    }
    this.addBusy = true;
    this.addError = null;
    this.addNotice = null;
    try {
      const { alreadyRegistered, ...added } = await host.invoke('datasets.add', { path: p });
      forgetImages(added.name);
      datasetList.put(added);
      this.addPath = '';
      if (alreadyRegistered) this.addNotice = `${p} is already registered as ${added.name}: nothing was added.`;
      this.select(added.name);
    } catch (e) {
      this.addError = errorMessage(e);
    } finally {
      this.addBusy = false;
    }
  }

  /** The ref at a grid position, or null while its page is loading. Reads pagesVersion on purpose. */
  refAt(pos: number): ImageRef | null {
    void this.pagesVersion;
    const page = this.#pages.get(Math.floor(pos / PAGE_SIZE));
    return page?.[pos % PAGE_SIZE] ?? null;
  }

  /** Loads the pages covering grid positions [from, to). */
  ensureRange(from: number, to: number): void {
    if (!this.selected) return;
    const last = this.total === null ? 0 : Math.min(to, this.total) - 1;
    for (let p = Math.floor(Math.max(0, from) / PAGE_SIZE); p <= Math.floor(Math.max(0, last) / PAGE_SIZE); p++) void this.#loadPage(p);
  }

  async open(pos: number, ref: ImageRef): Promise<void> {
    const dataset = this.selectedName;
    if (!dataset) return;
    this.detailPos = pos;
    this.detailLoading = true;
    this.detailError = null;
    try {
      const d = await fetchImage(dataset, ref.split, ref.index);
      if (this.detailPos === pos && this.selectedName === dataset) this.detail = d;
    } catch (e) {
      this.detailError = errorMessage(e);
    } finally {
      this.detailLoading = false;
    }
  }

  closeDetail(): void {
    this.detail = null;
    this.detailPos = null;
    this.detailError = null;
  }

  #resetGrid(): void {
    this.#gen++;
    this.#pages.clear();
    this.#pending.clear();
    this.total = null;
    this.gridError = null;
    this.pagesVersion++;
    void this.#loadPage(0);
  }

  async #loadPage(page: number): Promise<void> {
    const dataset = this.selectedName;
    if (!dataset || this.#pages.has(page) || this.#pending.has(page)) return;
    const gen = this.#gen;
    this.#pending.add(page);
    try {
      const res = await host.invoke('datasets.images', {
        dataset,
        split: this.split,
        ...(this.classes.length > 0 ? { classes: [...this.classes] } : {}),
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
      });
      if (gen !== this.#gen) return;
      this.#pages.set(page, res.items);
      this.total = res.total;
      this.pagesVersion++;
    } catch (e) {
      if (gen === this.#gen) this.gridError = errorMessage(e);
    } finally {
      if (gen === this.#gen) this.#pending.delete(page);
    }
  }
}

export const datasets = new DatasetsState();
