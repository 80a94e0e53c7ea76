// The contract imports nothing, so it restates a few engine and data types; the type checker (run by
// `npm test`) keeps the copies identical.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type WeightsSummary,
  type DatasetKind as ApiDatasetKind,
  type NoiseSpecDto,
  type RunConfigDto,
  type ModelConfigDto,
  type EvalProtocol as ApiEvalProtocol,
  type RunStatus as ApiRunStatus,
} from '../../src-main/api/contract';
import type { DatasetKind } from '../../src-main/data/types';
import type { EvalProtocol, ModelConfig, RunConfig } from '../../src-main/engine/config/types';
import type { NoiseSpec } from '../../src-main/engine/noise/types';
import type { RunStatus } from '../../src-main/store';
import type { WeightsEntry } from '../../src-main/weights/library';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(ok: Equal<A, B>) => ok;

test('contract copies of engine, data and store types are identical to the originals', () => {
  assert.equal(same<NoiseSpecDto, NoiseSpec>(true), true);
  assert.equal(same<RunConfigDto, RunConfig>(true), true);
  assert.equal(same<ModelConfigDto, ModelConfig>(true), true);
  assert.equal(same<ApiDatasetKind, DatasetKind>(true), true);
  assert.equal(same<ApiEvalProtocol, EvalProtocol>(true), true);
  assert.equal(same<ApiRunStatus, RunStatus>(true), true);
  // The contract's model is looser (a record); every entry the library returns must fit it.
  const fits = (w: WeightsEntry): WeightsSummary => w;
  assert.equal(typeof fits, 'function');
});
