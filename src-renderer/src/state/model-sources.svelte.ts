// What the two embedding views (noise lab and inspector) pick a model and data from: the datasets,
// the completed runs and the presets, plus the detail of a chosen stored run, which brings its
// architecture, the site it was trained with and its dataset into the form.
import type { DatasetSummary, PresetInfo, RunDetail, RunSummary } from '@api/contract';
import { errorMessage, host } from '../host';
import { archOf, datasetOf, fitSite, siteOf, type Arch } from '../lib/model-arch';
import { app } from './app.svelte';
import { datasetList } from './dataset-list.svelte';
import { LatestRequest } from './latest-request.svelte';
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
    return this.#error || this.#runDetail.error || datasetList.error || app.infoError || '';
  }

  readonly #form: ModelForm;
  /** The chosen stored run's detail: its config brings the architecture, site and dataset. */
  readonly #runDetail: LatestRequest<{ id: number }, RunDetail>;

  readonly arch = $derived.by((): Arch | null => {
    const m = this.#form.model;
    if (m.kind === 'preset') return archOf(this.presets.find((p) => p.name === m.preset)?.config);
    const d = this.#runDetail.result;
    return d && d.id === m.runId ? archOf(d.config) : null;
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

    this.#runDetail = new LatestRequest({
      request: () => (form.model.kind === 'run' && form.model.runId !== null ? { id: form.model.runId } : null),
      send: (req) => host.invoke('runs.get', req),
      debounceMs: 0,
      repeat: true,
      onreply: (d) => {
        const site = siteOf(d.config);
        if (site) form.site = site;
        const ds = datasetOf(d.config);
        if (ds && datasetList.has(ds)) form.dataset = ds;
      },
    });
  }
}
