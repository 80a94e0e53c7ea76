// The Runs view's pure helpers: sorting, seed groups, mean ± std, final-metric summaries, params diff,
// curve bands, the protocol audit and CSV text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunDetail, RunSummary } from '../../src-main/api/contract';
import {
  band,
  compareValues,
  curveRecords,
  ema,
  errorSeries,
  groupBySeed,
  groupLabels,
  interpolate,
  isBatchMixingAtEval,
  meanStd,
  noiseLabel,
  noiseParam,
  kSweepSeries,
  paramPanels,
  paramsDiff,
  protocolAudit,
  runRecord,
  shortKeys,
  sortBy,
  summarize,
  summarizeSeries,
  toCsv,
} from '../../src-renderer/src/lib/compare';
import { formatMeanStd, formatMetric, isAccuracyKey, seriesToDisplay, withUnit } from '../../src-renderer/src/lib/units';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≈ ${b}`);

test('meanStd: sample std, NaN skipped, single value has std 0', () => {
  const m = meanStd([1, 2, 3, 4, NaN]);
  close(m.mean, 2.5);
  close(m.std, Math.sqrt(5 / 3));
  assert.equal(m.n, 4);
  assert.deepEqual(meanStd([7]), { mean: 7, std: 0, n: 1 });
  assert.equal(meanStd([]).n, 0);
});

test('summarize: last / best / min / max, best follows the metric direction', () => {
  const v = [0.5, 0.2, 0.9, 0.4];
  assert.equal(summarize(v, 'last'), 0.4);
  assert.equal(summarize(v, 'min'), 0.2);
  assert.equal(summarize(v, 'max'), 0.9);
  assert.equal(summarize(v, 'best', 'test/top1'), 0.9);
  assert.equal(summarize(v, 'best', 'train/loss'), 0.2);
  assert.ok(Number.isNaN(summarize([], 'last')));
  // A spike kept only in the bucket max still counts as the max.
  assert.equal(summarizeSeries({ value: [1, 2], min: [0.5, 1.5], max: [9, 2.5] }, 'max'), 9);
  assert.equal(summarizeSeries({ value: [1, 2], min: [0.5, 1.5], max: [9, 2.5] }, 'best', 'train/loss'), 0.5);
  assert.equal(summarizeSeries({ value: [1, 2] }, 'last'), 2);
});

test('ema: weight 0 is identity; debiased so the first point is the first value', () => {
  assert.deepEqual(ema([1, 2, 3], 0), [1, 2, 3]);
  const s = ema([4, 4, 4, 8], 0.9);
  close(s[0], 4);
  close(s[2], 4);
  assert.ok(s[3] > 4 && s[3] < 8);
});

test('interpolate and band: curves on different steps average point by point', () => {
  close(interpolate([0, 10], [0, 1], 5), 0.5);
  assert.ok(Number.isNaN(interpolate([0, 10], [0, 1], 11)));
  const b = band([
    { x: [0, 10], y: [0, 10] },
    { x: [0, 5, 10], y: [2, 7, 12] },
  ]);
  assert.deepEqual(b.x, [0, 5, 10]);
  assert.deepEqual(b.mean, [1, 6, 11]);
  close(b.std[0], Math.SQRT2);
  assert.deepEqual(b.n, [2, 2, 2]);
});

test('sorting: numbers numerically, text naturally, missing values last both ways', () => {
  assert.ok(compareValues(2, 10, 'asc') < 0);
  assert.ok(compareValues('run 2', 'run 10', 'asc') < 0);
  const rows = [{ v: 3 }, { v: null }, { v: 1 }, { v: 2 }];
  assert.deepEqual(
    sortBy(rows, (r) => r.v, 'asc').map((r) => r.v),
    [1, 2, 3, null],
  );
  assert.deepEqual(
    sortBy(rows, (r) => r.v, 'desc').map((r) => r.v),
    [3, 2, 1, null],
  );
});

test('groupBySeed: runs that differ only by seed (and name) share a group', () => {
  const base = { 'noise.type': 'gaussian', 'noise.strength': 0.1, 'optimizer.lr': 0.003 };
  const groups = groupBySeed([
    { id: 1, seed: 1, params: { ...base, seed: 1 } },
    { id: 2, seed: 2, params: { ...base, seed: 2, name: 'b' } },
    { id: 3, seed: 1, params: { ...base, 'noise.strength': 0.5, seed: 1 } },
    { id: 4, seed: 3, params: { ...base, seed: 3 } },
  ]);
  assert.deepEqual(
    groups.map((g) => g.ids),
    [[1, 2, 4], [3]],
  );
  assert.deepEqual(groups[0].seeds, [1, 2, 3]);
});

test('paramsDiff: only differing keys; a key missing in one run differs', () => {
  const rows = paramsDiff([
    { a: 1, b: 'x', c: 3 },
    { a: 1, b: 'y' },
  ]);
  assert.deepEqual(rows, [
    { key: 'b', values: ['x', 'y'] },
    { key: 'c', values: [3, undefined] },
  ]);
  assert.deepEqual(paramsDiff([{ a: 1 }, { a: 1 }]), []);
});

test('noise labels and parameters by type', () => {
  assert.deepEqual(noiseParam({ type: 'gaussian', strength: 0.1, level: 'embedding', at: 'both' }), { name: 'strength', value: 0.1 });
  assert.deepEqual(noiseParam({ type: 'salt-pepper', prob: 0.05, level: 'embedding', at: 'both' }), { name: 'prob', value: 0.05 });
  assert.equal(noiseParam({ type: 'linear-optimal', level: 'embedding', at: 'eval' }), null);
  assert.equal(
    noiseLabel({ type: 'gaussian', strength: 0.1, level: 'embedding', at: 'both', site: { block: 2 } }),
    'gaussian strength=0.1 @ block 3 (both)',
    'stored block 2 is the third block: labels count from 1',
  );
  assert.equal(noiseLabel({ type: 'none', level: 'embedding', at: 'both' }), 'none');
  assert.ok(isBatchMixingAtEval({ type: 'linear-optimal', level: 'embedding', at: 'eval' }));
  assert.ok(!isBatchMixingAtEval({ type: 'linear-optimal', level: 'embedding', at: 'train' }));
  assert.ok(!isBatchMixingAtEval({ type: 'gaussian', level: 'embedding', at: 'both' }));
});

test('errorSeries: one series per type, mean ± std over seeds at each x, sorted by x', () => {
  const runs = [
    { t: 'gaussian', x: 0.5, v: 0.2 },
    { t: 'gaussian', x: 0.1, v: 0.3 },
    { t: 'gaussian', x: 0.1, v: 0.5 },
    { t: 'salt-pepper', x: 0.05, v: 0.4 },
    { t: 'gaussian', x: null, v: 0.9 },
  ];
  const s = errorSeries(
    runs,
    (r) => r.t,
    (r) => r.x,
    (r) => r.v,
  );
  assert.deepEqual(
    s.map((x) => x.name),
    ['gaussian', 'salt-pepper'],
  );
  assert.deepEqual(
    s[0].points.map((p) => p.x),
    [0.1, 0.5],
  );
  close(s[0].points[0].mean, 0.4);
  close(s[0].points[0].std, Math.sqrt(0.02));
  assert.equal(s[0].points[0].n, 2);
});

test('protocolAudit: sorted, shuffled, single, then the noise-free standard row; newest wins', () => {
  const e = (protocol: RunDetail['evaluations'][number]['protocol'], noiseActive: boolean, top1: number, epoch = 2) => ({
    epoch,
    protocol,
    batchSize: protocol === 'single' ? 1 : 10,
    noiseActive,
    top1,
    top5: 0.9,
    loss: 1,
    n: 200,
  });
  const rows = protocolAudit([
    e('standard', true, 0.5, 1),
    e('standard', false, 0.3),
    e('single', true, 0.3),
    e('sorted', true, 0.9),
    e('shuffled', true, 0.2),
    e('sorted', true, 0.95),
  ]);
  assert.deepEqual(
    rows.map((r) => [r.protocol, r.noiseActive, r.top1]),
    [
      ['sorted', true, 0.95],
      ['shuffled', true, 0.2],
      ['single', true, 0.3],
      ['standard', false, 0.3],
    ],
  );
});

test('CSV: header, quoting of commas, quotes and newlines, empty for null', () => {
  const csv = toCsv([
    { a: 1, b: 'x,y' },
    { a: null, b: 'say "hi"\nthere' },
  ]);
  assert.equal(csv, 'a,b\r\n1,"x,y"\r\n,"say ""hi""\nthere"\r\n');
  assert.equal(toCsv([{ a: 1 }], ['a', 'b']), 'a,b\r\n1,\r\n');
  const recs = curveRecords([{ runId: 3, key: 'train/loss', step: [1, 2], value: [2.3, 2.1], min: [2.2, 2.0], max: [2.4, 2.2] }]);
  assert.deepEqual(recs[1], { run: 3, key: 'train/loss', step: 2, value: 2.1, min: 2.0, max: 2.2 });
});

test('runRecord: one flat record per run for the table export', () => {
  const r: RunSummary = {
    id: 7,
    name: null,
    status: 'completed',
    preset: 'mnist-vit',
    noise: { type: 'salt-pepper', prob: 0.05, level: 'embedding', at: 'both', site: { block: 2 } },
    seed: 2,
    backend: 'wasm',
    epochsDone: 2,
    epochs: 2,
    imagesPerSecond: 300,
    summary: { testTop1: 0.31 },
    tags: ['a', 'b'],
    createdAt: '2024-01-01T00:00:00Z',
    error: null,
    dataset: 'fashion-mnist',
    model: 'mnist-vit',
    lr: 0.003,
    batchSize: 32,
    durationS: 61.5,
  };
  const rec = runRecord(r);
  assert.deepEqual([rec.dataset, rec.model, rec.lr, rec.batch_size, rec.duration_s], ['fashion-mnist', 'mnist-vit', 0.003, 32, 61.5]);
  assert.equal(rec.noise_type, 'salt-pepper');
  assert.equal(rec.noise_param, 'prob');
  assert.equal(rec.noise_value, 0.05);
  assert.equal(rec.noise_site, 'block 3');
  assert.equal(rec.test_top1, 0.31);
  assert.equal(rec.tags, 'a b');
});

// ---------- test top-1 vs noise parameter: only comparable runs share a series ----------
type PanelRun = { noise: RunSummary['noise']; params: Record<string, string | number>; preset: string | null; top1: number };
function panelRun(
  noise: Partial<RunSummary['noise']> & Pick<RunSummary['noise'], 'type'>,
  over: Record<string, string | number>,
  top1: number,
): PanelRun {
  const params = {
    dataset: 'mnist',
    'model.kind': 'vit',
    'model.dim': 64,
    epochs: 1,
    limitTrain: 512,
    batchSize: 32,
    testBatchSize: 10,
    ...over,
  };
  return { noise: { level: 'embedding', at: 'both', ...noise }, params, preset: 'mnist-vit', top1 };
}

test('paramPanels: one panel per parameter; epochs, subset, dataset or model split series; seeds average; noise-free runs are x = 0', () => {
  const runs = [
    panelRun({ type: 'none' }, {}, 0.8),
    panelRun({ type: 'none' }, { seed: 2 }, 0.9),
    panelRun({ type: 'gaussian', strength: 0.5 }, {}, 0.6),
    panelRun({ type: 'gaussian', strength: 0.5 }, { seed: 2 }, 0.7),
    panelRun({ type: 'gaussian', strength: 1 }, {}, 0.5),
    panelRun({ type: 'gaussian', strength: 1 }, { epochs: 5 }, 0.75), // more epochs: another series
    panelRun({ type: 'gaussian', strength: 1 }, { limitTrain: 0 }, 0.85), // full training set: another series
    panelRun({ type: 'gaussian', strength: 1 }, { dataset: 'fashion-mnist' }, 0.4),
    panelRun({ type: 'gaussian', strength: 1 }, { 'model.dim': 128 }, 0.45),
    panelRun({ type: 'linear-shift', alpha: 0.3 }, {}, 0.7),
    panelRun({ type: 'salt-pepper', prob: 0.1 }, {}, 0.65),
  ];
  const panels = paramPanels(runs, (r) => r.top1);
  assert.deepEqual(
    panels.map((p) => p.axis),
    ['alpha', 'strength', 'prob'],
    'alpha and strength never share an axis',
  );
  const strength = panels.find((p) => p.axis === 'strength')!;
  assert.equal(strength.series.length, 5, strength.series.map((s) => s.name).join(' | '));
  const main = strength.series.find((s) => s.points.length === 3)!;
  assert.deepEqual(
    main.points.map((p) => p.x),
    [0, 0.5, 1],
  );
  close(main.points[0].mean, 0.85); // the two noise-free seeds
  close(main.points[1].mean, 0.65);
  assert.equal(main.points[1].n, 2);
  assert.match(main.name, /gaussian \(embedding, both\) · mnist · mnist-vit · 1 ep · 512 train/);
  // The 5-epoch, full-data, Fashion-MNIST and wider-model runs have no noise-free match: one point each.
  assert.deepEqual(
    strength.series.filter((s) => s !== main).map((s) => s.points.map((p) => p.x)),
    [[1], [1], [1], [1]],
  );
  assert.ok(strength.series.some((s) => /5 ep/.test(s.name)) && strength.series.some((s) => /full train/.test(s.name)));
  const alpha = panels.find((p) => p.axis === 'alpha')!.series[0].points;
  assert.deepEqual(
    alpha.map((p) => p.x),
    [0, 0.3],
  );
  close(alpha[0].mean, 0.85);
  close(alpha[1].mean, 0.7);
});

test('paramPanels: linear-optimal against k (the test batch at eval, the training batch otherwise); train and eval are separate series', () => {
  const runs = [
    panelRun({ type: 'linear-optimal', at: 'eval' }, { testBatchSize: 1 }, 0.9),
    panelRun({ type: 'linear-optimal', at: 'eval' }, { testBatchSize: 10 }, 0.95),
    panelRun({ type: 'linear-optimal', at: 'eval' }, { testBatchSize: 100 }, 0.97),
    panelRun({ type: 'linear-optimal', at: 'train' }, { batchSize: 64 }, 0.5),
    panelRun({ type: 'none' }, {}, 0.9),
  ];
  const panels = paramPanels(runs, (r) => r.top1);
  assert.deepEqual(
    panels.map((p) => p.axis),
    ['k'],
  );
  const [evalSeries, trainSeries] = panels[0].series;
  assert.deepEqual(
    evalSeries.points.map((p) => p.x),
    [1, 10, 100],
    'no noise-free point on the k axis',
  );
  assert.match(evalSeries.name, /linear-optimal \(embedding, eval\)/);
  assert.deepEqual(
    trainSeries.points.map((p) => p.x),
    [64],
  );
  assert.deepEqual(
    paramPanels([panelRun({ type: 'none' }, {}, 0.9)], (r) => r.top1),
    [],
  );
});

test('kSweepSeries: sorted and shuffled top-1 against k from stored evaluations (latest epoch, newest per k), noise-free flat', () => {
  const ev = (protocol: 'sorted' | 'shuffled' | 'standard', batchSize: number, top1: number, epoch = 2, noiseActive = true) => ({
    epoch,
    protocol,
    batchSize,
    noiseActive,
    top1,
    top5: 1,
    loss: 0,
    n: 100,
  });
  const evals = [
    ev('sorted', 10, 0.5, 1), // an older epoch: ignored
    ev('sorted', 1, 0.8),
    ev('shuffled', 1, 0.8),
    ev('standard', 250, 0.8, 2, false),
    ev('sorted', 10, 0.9),
    ev('shuffled', 10, 0.6),
    ev('sorted', 10, 0.95), // re-evaluated: the newest counts
    ev('sorted', 100, 0.99),
    ev('shuffled', 100, 0.4),
  ];
  const s = kSweepSeries(evals);
  assert.deepEqual(
    s.map((x) => x.name),
    ['sorted batches', 'shuffled batches', 'noise-free'],
  );
  assert.deepEqual(
    s[0].points.map((p) => [p.x, p.mean]),
    [
      [1, 0.8],
      [10, 0.95],
      [100, 0.99],
    ],
  );
  assert.deepEqual(
    s[1].points.map((p) => [p.x, p.mean]),
    [
      [1, 0.8],
      [10, 0.6],
      [100, 0.4],
    ],
  );
  assert.deepEqual(
    s[2].points.map((p) => [p.x, p.mean]),
    [
      [1, 0.8],
      [10, 0.8],
      [100, 0.8],
    ],
  );
  assert.deepEqual(kSweepSeries([ev('sorted', 10, 0.9), ev('shuffled', 10, 0.6)]), [], 'one k is no sweep');
});

test('shortKeys: the last path segment unless two keys share it', () => {
  const m = shortKeys(['noise.strength', 'optimizer.lr', 'model.depth', 'noise.depth', 'seed']);
  assert.deepEqual(Object.fromEntries(m), {
    'noise.strength': 'strength',
    'optimizer.lr': 'lr',
    'model.depth': 'model.depth',
    'noise.depth': 'noise.depth',
    seed: 'seed',
  });
});

test('groupLabels: short = params that differ between the named groups; full = every differing param and the seeds', () => {
  const p = (strength: number, lr: number, seed: number) => ({
    'noise.type': 'gaussian',
    'noise.strength': strength,
    'optimizer.lr': lr,
    seed,
    name: `r${seed}`,
  });
  const runs = [
    { id: 1, seed: 1, params: p(0.1, 0.001, 1) },
    { id: 2, seed: 2, params: p(0.1, 0.001, 2) },
    { id: 3, seed: 1, params: p(0.5, 0.001, 1) },
    { id: 4, seed: 2, params: p(0.5, 0.001, 2) },
    { id: 5, seed: 1, params: p(0.1, 0.003, 1) },
  ];
  const details = new Map(
    runs.map((r) => [
      r.id,
      { ...r, noise: { type: 'gaussian', strength: r.params['noise.strength'], level: 'embedding', at: 'both' } } as unknown as RunDetail,
    ]),
  );
  const multi = groupBySeed(runs).filter((g) => g.ids.length > 1);
  const labels = groupLabels(multi, details);
  assert.deepEqual(
    labels.map((l) => l.short),
    ['strength=0.1 (n=2)', 'strength=0.5 (n=2)'],
  );
  assert.equal(labels[0].full, 'noise.strength=0.1 optimizer.lr=0.001 · runs #1, #2 · seeds 1, 2');
  // One group: nothing differs between groups, so its noise names it.
  assert.match(groupLabels(multi.slice(0, 1), details)[0].short, /^gaussian strength=0\.1 .*\(n=2\)$/);
});

test('units: accuracies in % (stored as fractions), the rest as stored', () => {
  for (const k of ['train/acc', 'epoch/train_acc', 'test/top1', 'test/top5']) assert.ok(isAccuracyKey(k), k);
  for (const k of ['train/loss', 'test/loss', 'train/lr', 'epoch/images_per_second']) assert.ok(!isAccuracyKey(k), k);
  assert.equal(formatMetric('test/top1', 0.98765), '98.77%');
  assert.equal(formatMetric('train/loss', 0.123456), '0.1235');
  assert.equal(formatMetric('train/loss', NaN), '—');
  assert.equal(formatMeanStd('test/top1', 0.9, 0.012), '90.00 ± 1.20%');
  assert.equal(formatMeanStd('test/loss', 0.5, 0.01), '0.5000 ± 0.0100');
  assert.deepEqual(seriesToDisplay('train/acc', [0.5, 0.25]), [50, 25]);
  assert.deepEqual(seriesToDisplay('train/loss', [0.5]), [0.5]);
  assert.equal(withUnit('test/top1', 'test/top1'), 'test/top1 (%)');
  assert.equal(withUnit('train/loss', 'train/loss'), 'train/loss');
});
