import type { Migration } from '../migrate';
import { initial } from './0001-initial';
import { metricRollups } from './0002-metric-rollups';
import { runOwnership } from './0003-run-ownership';
import { clusterRuns } from './0004-cluster-runs';

/** Every schema migration, in version order. Append only: never edit a shipped one. */
export const migrations: readonly Migration[] = [initial, metricRollups, runOwnership, clusterRuns];
