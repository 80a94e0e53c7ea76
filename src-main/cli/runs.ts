// `noisynn runs list|show|compare|tag|note|cancel`.
import type { RunConfig } from '../engine/config/types';
import { sweptParamText } from '../engine/noise/operators';
import { cancelRun } from '../runner/lifecycle';
import { openStore, resolveDataDir, type RunRow, type Store } from '../store';
import { UsageError, type ParsedArgs } from './args';
import { pct, printJson, printTable } from './output';

const runId = (s: string | undefined) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected a run id, got '${s ?? ''}'`);
  return n;
};

function describeNoise(c: RunConfig): string {
  const n = c.noise;
  if (!n || n.type === 'none') return 'none';
  const p = sweptParamText(n);
  const site = n.level === 'image' ? 'image' : n.site ? (n.site.stage ? `s${n.site.stage}b${n.site.block}` : `L${n.site.block}`) : '';
  return [n.type, p, site, `@${n.at}`].filter(Boolean).join(' ');
}

function listRow(r: RunRow) {
  const c = r.config as RunConfig;
  return {
    id: r.id,
    name: r.name ?? '',
    status: r.status,
    model: c.preset ?? c.model?.kind,
    noise: describeNoise(c),
    seed: r.seed,
    epochs: `${r.epochsDone}/${c.epochs}`,
    top1: typeof r.summary?.testTop1 === 'number' ? pct(r.summary.testTop1) : '',
    'img/s': r.imagesPerSecond === null ? '' : Math.round(r.imagesPerSecond),
    backend: r.backend ?? '',
    created: r.createdAt.slice(0, 19),
  };
}

function must(store: Store, id: number): RunRow {
  const r = store.getRun(id);
  if (!r) throw new Error(`run ${id} not found in ${store.path}`);
  return r;
}

export async function runsCommand(a: ParsedArgs): Promise<number> {
  const [sub = 'list', ...rest] = a.positionals;
  // Showing needs no write access: a store on read-only media can still be listed and compared.
  const store = openStore(resolveDataDir(a.flags['data-dir'] as string | undefined), {
    readOnly: ['list', 'show', 'compare'].includes(sub),
  });
  try {
    switch (sub) {
      case 'list': {
        const runs = store.listRuns({
          status: a.flags.status ? (String(a.flags.status).split(',') as RunRow['status'][]) : undefined,
          tag: a.flags.tag as string | undefined,
          search: a.flags.search as string | undefined,
          limit: a.flags.limit ? Number(a.flags.limit) : undefined,
        });
        if (a.flags.json)
          printJson({
            runs: runs.map((r) => ({
              id: r.id,
              name: r.name,
              status: r.status,
              seed: r.seed,
              backend: r.backend,
              summary: r.summary,
              tags: r.tags,
              createdAt: r.createdAt,
            })),
          });
        else printTable(runs.map(listRow));
        return 0;
      }
      case 'show': {
        const r = must(store, runId(rest[0]));
        const detail = {
          ...r,
          params: store.params(r.id),
          evaluations: store.evaluations(r.id),
          checkpoints: store.checkpoints(r.id),
          metricKeys: store.metricKeys(r.id),
          notes: store.notes(r.id),
        };
        if (a.flags.json) printJson(detail);
        else {
          printTable([listRow(r)]);
          console.log(`\nconfig:\n${JSON.stringify(r.config, null, 2)}`);
          if (r.error) console.log(`\nerror: ${r.error}`);
          console.log('\nevaluations:');
          printTable(
            detail.evaluations.map((e) => ({
              epoch: e.epoch,
              protocol: e.protocol,
              noise: e.noiseActive ? 'on' : 'off',
              batch: e.batchSize,
              top1: pct(e.top1),
              top5: pct(e.top5),
              loss: e.loss,
              n: e.n,
            })),
          );
          console.log('\ncheckpoints:');
          printTable(
            detail.checkpoints.map((c) => ({ epoch: c.epoch, step: c.step, bytes: c.bytes, sha256: c.sha256.slice(0, 16), path: c.path })),
          );
          console.log(`\nmetrics: ${detail.metricKeys.join(', ')}`);
          console.log(`versions: ${JSON.stringify(r.versions)}; git ${r.gitCommit ?? 'unknown'}`);
          for (const n of detail.notes) console.log(`note (${n.createdAt}): ${n.body}`);
        }
        return 0;
      }
      case 'compare': {
        const runs = rest.map((s) => must(store, runId(s)));
        if (runs.length < 2) throw new UsageError('usage: noisynn runs compare RUN RUN [RUN ...]');
        const params = runs.map((r) => store.params(r.id));
        const keys = [...new Set(params.flatMap((p) => Object.keys(p)))].sort();
        const differing = keys.filter((k) => new Set(params.map((p) => JSON.stringify(p[k] ?? null))).size > 1);
        const metricKeys = [...new Set(runs.flatMap((r) => Object.keys(r.summary ?? {})))].sort();
        if (a.flags.json) {
          printJson({
            runs: runs.map((r) => r.id),
            differing: Object.fromEntries(differing.map((k) => [k, params.map((p) => p[k] ?? null)])),
            summary: Object.fromEntries(metricKeys.map((k) => [k, runs.map((r) => r.summary?.[k] ?? null)])),
          });
        } else {
          console.log('params that differ:');
          printTable(differing.map((k) => ({ param: k, ...Object.fromEntries(runs.map((r, i) => [`run ${r.id}`, params[i][k] ?? ''])) })));
          console.log('\nresults:');
          printTable(metricKeys.map((k) => ({ metric: k, ...Object.fromEntries(runs.map((r) => [`run ${r.id}`, r.summary?.[k] ?? ''])) })));
        }
        return 0;
      }
      case 'tag': {
        const id = runId(rest[0]);
        must(store, id);
        for (const t of rest.slice(1)) store.addTag(id, t);
        return 0;
      }
      case 'note': {
        const id = runId(rest[0]);
        must(store, id);
        store.addNote(id, rest.slice(1).join(' '));
        return 0;
      }
      case 'cancel': {
        // Through the store: works whichever process (an app, another terminal) trains the run.
        const id = runId(rest[0]);
        const outcome = cancelRun(store, id);
        const message =
          outcome === 'cancelled' ? `run ${id} cancelled` : `run ${id}: cancel requested; its trainer stops after the current step`;
        if (a.flags.json) printJson({ runId: id, outcome });
        else console.log(message);
        return 0;
      }
      default:
        throw new UsageError(`unknown runs subcommand '${sub}' (list, show, compare, tag, note, cancel)`);
    }
  } finally {
    store.close();
  }
}
