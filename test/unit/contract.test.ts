// The contract re-exports the engine's pure noise and config types, and restates a few data and store
// types (their modules load Node code); the type checker (run by `npm test`) keeps those copies identical.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type WeightsSummary,
  type DatasetKind as ApiDatasetKind,
  type EvalProtocol as ApiEvalProtocol,
  type RunStatus as ApiRunStatus,
} from '../../src-main/api/contract';
import type { DatasetKind } from '../../src-main/data/types';
import type { EvalProtocol } from '../../src-main/engine/config/types';
import type { RunStatus } from '../../src-main/store';
import type { WeightsEntry } from '../../src-main/weights/library';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(ok: Equal<A, B>) => ok;

test('contract copies of engine, data and store types are identical to the originals', () => {
  assert.equal(same<ApiDatasetKind, DatasetKind>(true), true);
  assert.equal(same<ApiEvalProtocol, EvalProtocol>(true), true);
  assert.equal(same<ApiRunStatus, RunStatus>(true), true);
  // The contract's model is looser (a record); every entry the library returns must fit it.
  const fits = (w: WeightsEntry): WeightsSummary => w;
  assert.equal(typeof fits, 'function');
});
