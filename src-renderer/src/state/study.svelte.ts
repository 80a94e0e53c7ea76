// The reproduction study's results table (study.results) for the study the view has chosen: only the
// reply for the latest choice is shown. Construct during the Study view's initialisation.
import type { StudyRow } from '@api/contract';
import { host } from '../host';
import { LatestRequest } from './latest-request.svelte';

export function studyResults(name: () => string): LatestRequest<{ name: string }, StudyRow[]> {
  return new LatestRequest({ request: () => ({ name: name() }), send: (req) => host.invoke('study.results', req), debounceMs: 0 });
}
