import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeConfig, runPreset, validateConfig, fitToDataset, type RunConfig } from '../../src-main/engine/config';
import { modePoints, pointConfig, reusesWeights, studyPoints } from '../../src-main/study/plan';
import { renderCsv, renderKSweep, renderKSweepCsv, renderMarkdown, CSV_COLUMNS } from '../../src-main/study/report';
import { buildStudyTable, kSweepTable, runMeasures, stat, studyClaims, verdictOf, type StudyRunRow } from '../../src-main/study/table';

let nextId = 1;
function run(
  o: Partial<StudyRunRow> & { top1?: number; protocols?: { sorted: number; shuffled: number; single: number; clean: number } },
): StudyRunRow {
  const noise = o.noise ?? 'none';
  const when = o.when ?? '-';
  const active = noise !== 'none' && (when === 'eval' || when === 'both');
  const evaluations: StudyRunRow['evaluations'] = [
    { protocol: 'standard', noiseActive: active, top1: o.top1 ?? 0.9, epoch: 1, batchSize: 10 },
  ];
  if (o.protocols) {
    const p = o.protocols;
    evaluations.push(
      { protocol: 'sorted', noiseActive: true, top1: p.sorted, epoch: 1, batchSize: 10 },
      { protocol: 'shuffled', noiseActive: true, top1: p.shuffled, epoch: 1, batchSize: 10 },
      { protocol: 'single', noiseActive: true, top1: p.single, epoch: 1, batchSize: 10 },
      { protocol: 'standard', noiseActive: false, top1: p.clean, epoch: 1, batchSize: 10 },
    );
  }
  return {
    runId: nextId++,
    dataset: 'mnist',
    model: 'mnist-cnn',
    noise,
    family: noise === 'none' ? 'baseline' : /^linear/.test(noise) ? 'positive' : 'harmful',
    when,
    mixing: /^linear/.test(noise),
    seed: 42,
    status: 'completed',
    testBatchSize: 10,
    evaluations,
    ...o,
  };
}

test('the plan has 300 runs: none once per dataset/model/seed, 8 noises x 3 whens otherwise', () => {
  const pts = studyPoints();
  assert.equal(pts.length, 2 * 2 * 3 * (1 + 8 * 3));
  assert.equal(new Set(pts.map((p) => p.key)).size, pts.length);
  assert.equal(pts.filter((p) => p.noise.label === 'none').length, 12);
  // Seeds vary slowest: the first 100 runs are one complete seed.
  assert.ok(pts.slice(0, 100).every((p) => p.seed === 42));
});

test("every point resolves to a valid config at the presets' default sites", () => {
  const info = { shape: [28, 28, 1] as [number, number, number], classNames: Array.from({ length: 10 }, (_, i) => String(i)) };
  for (const p of studyPoints({ seeds: [42], datasets: ['mnist'] })) {
    const c: RunConfig = fitToDataset(mergeConfig(runPreset(p.model), pointConfig(p, 'quick')), info);
    validateConfig(c);
    assert.equal(c.replicas, 1, 'every cell sees the whole batch in one replica, as linear noise during training must');
    assert.equal(c.limitTrain > 0, true);
    if (p.model === 'mnist-vit') assert.deepEqual(c.noise.site, { block: 3 });
    else assert.deepEqual(c.noise.site, { stage: 3, block: 1 });
    if (p.model === 'mnist-vit' && p.noise.spec.type !== 'none') assert.equal(c.noise.skipFirstToken, true);
    assert.equal(c.noise.level, 'embedding');
  }
  const full = mergeConfig(runPreset('mnist-vit'), pointConfig(studyPoints()[0], 'full'));
  assert.equal(full.limitTrain, 0);
});

test('stat: mean and sample std', () => {
  assert.deepEqual(stat([]), null);
  assert.deepEqual(stat([0.5]), { mean: 0.5, std: 0, n: 1 });
  const s = stat([0.8, 0.9, 1.0])!;
  assert.ok(Math.abs(s.mean - 0.9) < 1e-12);
  assert.ok(Math.abs(s.std - 0.1) < 1e-12);
});

test('runMeasures takes the last epoch, the active-noise top-1 and the noise-free one', () => {
  const r = run({ noise: 'linear-optimal', when: 'eval', top1: 0.3, protocols: { sorted: 0.99, shuffled: 0.3, single: 0.9, clean: 0.9 } });
  r.evaluations.push({ protocol: 'standard', noiseActive: true, top1: 0.1, epoch: 0, batchSize: 10 });
  assert.deepEqual(runMeasures(r), { top1: 0.3, sorted: 0.99, shuffled: 0.3, single: 0.9, clean: 0.9 });
  // Noise only in training: the standard evaluation is noise-free.
  assert.deepEqual(runMeasures(run({ noise: 'gaussian s=1', when: 'train', top1: 0.8 })), { top1: 0.8, clean: 0.8 });
});

test("the table aggregates seeds, compares against the same model's baseline and judges by 2 SE", () => {
  const rows = buildStudyTable([
    run({ top1: 0.9 }),
    run({ top1: 0.91 }),
    run({ top1: 0.92 }),
    run({ model: 'mnist-vit', top1: 0.5 }),
    run({ model: 'mnist-vit', top1: 0.52 }),
    run({ noise: 'gaussian s=1', when: 'both', top1: 0.8 }),
    run({ noise: 'gaussian s=1', when: 'both', top1: 0.81 }),
    run({ noise: 'gaussian s=1', when: 'both', top1: 0.79 }),
    run({ noise: 'gaussian s=1', when: 'both', top1: 0.1, status: 'diverged' }),
    run({ noise: 'linear-shift a=0.1', when: 'train', top1: 0.915 }),
    run({ noise: 'linear-shift a=0.1', when: 'train', top1: 0.905 }),
    ...[0, 1, 2].map(() =>
      run({ noise: 'linear-optimal', when: 'eval', top1: 0.4, protocols: { sorted: 0.99, shuffled: 0.4, single: 0.91, clean: 0.91 } }),
    ),
  ]);
  assert.deepEqual(
    rows.map((r) => `${r.model} ${r.noise} ${r.when}`),
    [
      'mnist-cnn none -',
      'mnist-cnn linear-shift a=0.1 train',
      'mnist-cnn linear-optimal eval',
      'mnist-cnn gaussian s=1 both',
      'mnist-vit none -',
    ],
  );
  const [base, shift, opt, gauss] = rows;
  assert.equal(base.n, 3);
  assert.equal(base.delta, null);
  assert.equal(gauss.n, 3); // the diverged run is counted in runs, not in the mean
  assert.equal(gauss.runs, 4);
  assert.ok(Math.abs(gauss.delta! + 0.11) < 1e-12);
  assert.equal(gauss.verdict, 'worse');
  assert.equal(shift.verdict, 'no clear difference');
  assert.equal(opt.verdict, 'worse'); // the honest (file-order) protocol
  assert.ok(Math.abs(opt.sorted!.mean - 0.99) < 1e-12);
  assert.ok(Math.abs(opt.single!.mean - 0.91) < 1e-12);
  assert.equal(gauss.sorted, null); // protocols only for batch-mixing noise at evaluation
  assert.equal(verdictOf(0.05, null), 'too few seeds');
  assert.equal(verdictOf(0.05, 0.01), 'better');

  const claims = studyClaims(rows);
  assert.equal(claims.length, 3);
  assert.equal(claims[1].verdict, 'supported'); // the one harmful setting is worse
  // 1 of 2 positive settings worse, 1 unclear, none better: the data do not support the claim at this scale.
  assert.equal(claims[0].verdict, 'not supported at this scale');
  assert.match(claims[0].measured, /median delta /);
  assert.match(claims[0].measured, /By noise: .*linear-optimal: 0 better \/ 1 worse of 1/);
  assert.match(claims[0].measured, /By model: mnist-cnn: /);
  assert.match(
    claims[2].measured,
    /sorted 99\.00% \(\+8\.00 pp ± [0-9.]+ \(better\) vs noise-free\), shuffled 40\.00% \(-51\.00 pp ± [0-9.]+ \(worse\)\), single 91\.00%, noise-free 91\.00%/,
  );
  assert.match(
    claims[2].measured,
    /class-sorted batches beat the noise-free model beyond 2 SE in 1 of 1 cells, shuffled batches in 0 of 1/,
  );
  for (const c of claims) assert.match(c.paper, /^\[(paper|official README)/, 'every paper figure names its source');

  const csv = renderCsv(rows).trim().split('\n');
  assert.equal(csv[0], CSV_COLUMNS.join(','));
  assert.equal(csv.length, rows.length + 1);
  assert.match(csv[4], /^mnist,mnist-cnn,gaussian s=1,harmful,both,3,4,80\.000,1\.000,-11\.000,/);
  const md = renderMarkdown(
    {
      command: 'noisynn study reproduce --quick',
      date: '2024-01-01',
      os: 'Linux',
      cpu: 'cpu',
      cores: 2,
      node: '20',
      backend: 'wasm',
      versions: { node: '20' },
      wallSeconds: 3725,
      spanSeconds: 3725,
      runs: { total: 14, completed: 13, failed: 1, before: 0 },
      settings: 'quick',
    },
    rows,
    claims,
  );
  assert.match(md, /No small-scale/);
  assert.match(md, /1 h 2 min 5 s/);
  assert.match(
    md,
    /\| mnist \| mnist-cnn \| linear-optimal \| eval \| 3\/3 \| 40\.00 ± 0\.00 \| -51\.00 ± 0\.58 \| worse \| 99\.00 ± 0\.00 \| 40\.00 ± 0\.00 \| 91\.00 ± 0\.00 \| 91\.00 ± 0\.00 \|/,
  );
});

test('the standard plan: 108 trainings and 48 eval-only cells on reused weights, one official/paper setting per family and model', () => {
  const pts = modePoints('standard');
  assert.equal(pts.length, 2 * 2 * 3 * (1 + 4 * 3));
  const cells = pts.filter((p) => reusesWeights('standard', p));
  assert.equal(cells.length, 48);
  assert.ok(cells.every((p) => p.when === 'eval'));
  assert.equal(pts.length - cells.length, 108);
  assert.equal(modePoints('quick').filter((p) => reusesWeights('quick', p)).length, 0, 'the quick study trains every cell');
  const labels = (model: string) => [...new Set(pts.filter((p) => p.model === model).map((p) => p.noise.label))];
  assert.deepEqual(labels('mnist-vit'), ['none', 'linear-shift a=0.3', 'linear-optimal', 'gaussian s=0.1', 'salt-pepper p=0.1']);
  assert.deepEqual(labels('mnist-cnn'), ['none', 'linear-shift a=0.4', 'linear-optimal', 'gaussian s=1', 'salt-pepper p=0.1']);
  const info = { shape: [28, 28, 1] as [number, number, number], classNames: Array.from({ length: 10 }, (_, i) => String(i)) };
  for (const p of pts.filter((q) => q.seed === 42 && q.dataset === 'mnist')) {
    const c: RunConfig = fitToDataset(mergeConfig(runPreset(p.model), pointConfig(p, 'standard')), info);
    validateConfig(c);
    assert.equal(c.limitTrain, 0, 'the whole training set');
    assert.equal(c.limitTest, 0, 'the whole test set');
    assert.equal(c.epochs, 1);
    assert.equal(c.replicas, 1);
    assert.equal(c.optimizer.lr, runPreset(p.model).optimizer.lr, "the preset's learning rate");
  }
});

test("a k sweep's evaluations leave the cell's own measures alone and make the k-sweep table", () => {
  const cells = [0.9, 0.92].map((clean, i) => {
    const r = run({
      noise: 'linear-optimal',
      when: 'eval',
      seed: 42 + i,
      top1: 0.4,
      protocols: { sorted: 0.99, shuffled: 0.4, single: clean, clean },
    });
    for (const [k, sorted, shuffled] of [
      [1, clean, clean],
      [5, 0.95, 0.6],
      [10, 0.99, 0.4],
      [100, 1, 0.2],
    ]) {
      r.evaluations.push(
        { protocol: 'sorted', noiseActive: true, top1: sorted, epoch: 1, batchSize: k },
        { protocol: 'shuffled', noiseActive: true, top1: shuffled, epoch: 1, batchSize: k },
      );
    }
    return r;
  });
  assert.deepEqual(runMeasures(cells[0]), { top1: 0.4, sorted: 0.99, shuffled: 0.4, single: 0.9, clean: 0.9 });
  const [row] = kSweepTable([...cells, run({ top1: 0.9 })]);
  assert.deepEqual(row.k, [1, 5, 10, 100]);
  assert.ok(Math.abs(row.sorted[0]!.mean - 0.91) < 1e-12);
  assert.ok(Math.abs(row.shuffled[3]!.mean - 0.2) < 1e-12);
  assert.equal(row.shuffled[3]!.n, 2);
  assert.ok(Math.abs(row.noiseFree!.mean - 0.91) < 1e-12);
  const md = renderKSweep([row]);
  assert.match(md, /\| mnist \| mnist-cnn \| shuffled \| 91\.00 ± 1\.41 \| 60\.00 ± 0\.00 \| 40\.00 ± 0\.00 \| 20\.00 ± 0\.00 \|/);
  assert.match(renderKSweepCsv([row]), /^mnist,mnist-cnn,sorted,100,2,100\.000,0\.000$/m);
  assert.equal(kSweepTable([run({ top1: 0.9 })]).length, 0, 'no sweep without linear-optimal eval cells');
});
