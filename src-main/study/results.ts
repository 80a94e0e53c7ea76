// From the store to the study's table: the runs tagged with the study's name, their final evaluations.
import type { RunConfig } from '../engine/config/types';
import { isBatchMixing } from '../engine/noise/types';
import type { RunRow, Store } from '../store';
import { ALL_STUDY_NOISES, studyTag } from './plan';
import { buildStudyTable, type StudyRunRow, type StudyTableRow } from './table';

/** The study noise a config carries (by its parameters, not its run name, which a user may edit). */
function noiseOf(n: RunConfig['noise']): (typeof ALL_STUDY_NOISES)[number] | undefined {
  return ALL_STUDY_NOISES.find(
    (s) => s.spec.type === n.type && (Object.keys(s.spec) as (keyof typeof s.spec)[]).every((k) => s.spec[k] === n[k]),
  );
}

export function toStudyRow(store: Store, run: RunRow): StudyRunRow {
  const c = run.config as RunConfig;
  const noise = noiseOf(c.noise);
  const label = noise?.label ?? c.noise.type;
  return {
    runId: run.id,
    dataset: c.dataset,
    model: c.preset ?? c.model.kind,
    noise: label,
    family: noise?.family ?? (c.noise.type === 'none' ? 'baseline' : isBatchMixing(c.noise) ? 'positive' : 'harmful'),
    when: c.noise.type === 'none' ? '-' : c.noise.at,
    mixing: isBatchMixing(c.noise),
    seed: run.seed,
    status: run.status,
    testBatchSize: c.testBatchSize,
    evaluations: store
      .evaluations(run.id)
      .map((e) => ({ protocol: e.protocol, noiseActive: e.noiseActive, top1: e.top1, epoch: e.epoch, batchSize: e.batchSize })),
  };
}

/** The study's runs (found by their tag), oldest first. */
export function studyRuns(store: Store, sweepName: string): RunRow[] {
  return store.listRuns({ tag: studyTag(sweepName) }).sort((a, b) => a.id - b.id);
}

/** The results table of a study, as the CLI prints it; for a `study.results` API method. */
export function studyResults(store: Store, sweepName: string): StudyTableRow[] {
  return buildStudyTable(studyRuns(store, sweepName).map((r) => toStudyRow(store, r)));
}
