// What the two embedding views (noise lab and inspector) pick a model and data from: the datasets,
// the completed runs and the presets, plus the detail of a chosen stored run, which brings its
// architecture, the site it was trained with and its dataset into the form.
import type { DatasetSummary, PresetInfo, RunDetail, RunSummary } from '@api/contract';
import { errorMessage, host } from '../host';
import { archOf, datasetOf, fitSite, siteOf, type Arch } from '../lib/model-arch';
import { app } from './app.svelte';
import { datasetList } from './dataset-list.svelte';
import type { ModelChoice } from './noise-lab.svelte';

/** The part of a view's form these sources read and fill in. */
export interface ModelForm {
  model: ModelChoice;
  site: { block: number; stage?: number };
  dataset: string;
}

export class ModelSources {
  runs = $state.raw<RunSummary[]>([]);
  #error = $state('');
  get datasets(): DatasetSummary[] {
    return datasetList.items;
  }
  /** Presets come with app.info (state/app). */
  get presets(): PresetInfo[] {
    return app.info?.presets ?? [];
  }
  get error(): string {
    return this.#error || datasetList.error || app.infoError || '';
  }

  readonly #form: ModelForm;
  #runDetail = $state.raw<RunDetail | null>(null);

  readonly arch = $derived.by((): Arch | null => {
    const m = this.#form.model;
    if (m.kind === 'preset') return archOf(this.presets.find((p) => p.name === m.preset)?.config);
    return this.#runDetail && this.#runDetail.id === m.runId ? archOf(this.#runDetail.config) : null;
  });
  /** The form's site, or the nearest valid one when the architecture has no such site (e.g. after switching model). */
  readonly site = $derived.by(() => (this.arch ? fitSite(this.arch, this.#form.site) : null));

  /** Construct during a component's initialisation: the lists load from effects of that component. */
  constructor(form: ModelForm) {
    this.#form = form;

    $effect(() => {
      void datasetList.refresh().then(() => {
        if (!datasetList.error && !datasetList.has(form.dataset)) form.dataset = datasetList.defaultName();
      });
      host.invoke('runs.list', { status: ['completed'] }).then(
        (rs) => (this.runs = rs),
        (e: unknown) => (this.#error = errorMessage(e)),
      );
    });
    $effect(() => app.ensureInfo());

    $effect(() => {
      const id = form.model.kind === 'run' ? form.model.runId : null;
      this.#runDetail = null;
      if (id === null) return;
      let live = true;
      host.invoke('runs.get', { id }).then(
        (d) => {
          if (!live) return;
          this.#runDetail = d;
          const site = siteOf(d.config);
          if (site) form.site = site;
          const ds = datasetOf(d.config);
          if (ds && datasetList.has(ds)) form.dataset = ds;
        },
        (e: unknown) => {
          if (live) this.#error = errorMessage(e);
        },
      );
      return () => {
        live = false;
      };
    });
  }
}
