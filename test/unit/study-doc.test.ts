// docs/reproduction-quick.md and -standard.md say what their committed CSVs support: its claims section is exactly the
// rendering of that CSV, with medians, per-family summaries, power notes and labelled paper figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseKSweepCsv, parseStudyCsv, rerenderFromCsv } from '../../src-main/study/from-csv';
import { median, studyClaims } from '../../src-main/study/table';

const md = readFileSync(new URL('../../docs/reproduction-quick.md', import.meta.url), 'utf8');
const csv = readFileSync(new URL('../../docs/reproduction-quick.csv', import.meta.url), 'utf8');

test('the committed quick-study report is the rendering of its committed CSV', () => {
  assert.equal(rerenderFromCsv(md, csv), md);
});

test('quick study: verdicts rest on the model with power; medians beside means; paper figures labelled', () => {
  const rows = parseStudyCsv(csv, 'docs/reproduction-quick.csv');
  assert.equal(rows.length, 100);
  const [positive, harmful, protocol] = studyClaims(rows);
  assert.equal(positive.verdict, 'contradicted', '0 better and 12 worse of 18 CNN settings: not "inconclusive"');
  assert.equal(positive.scope, 'mnist-cnn only; mnist-vit without power');
  assert.equal(harmful.verdict, 'supported');
  assert.match(positive.measured, /median delta -0\.65 pp \(mean -8\.23 pp/);
  assert.match(
    positive.measured,
    /mnist-vit: 0 of 48 cells differ from the baseline, and its MNIST baseline \(38\.73%\) is below its Fashion-MNIST one \(47\.60%\)/,
  );
  assert.match(protocol.measured, /shuffled 47\.63% \(\+0\.03 pp ± 2\.06 \(no clear difference\)\)/, 'a +0.03 pp gap with SE 2 is no win');
  assert.match(protocol.measured, /shuffled batches in 0 of 4/);
  for (const c of [positive, harmful, protocol]) assert.match(c.paper, /^\[(paper|official README)/);
  assert.match(protocol.paper, /\[official code\].*\[official log\]/);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.throws(() => parseStudyCsv('a,b\n1,2', 'x.csv'), /x\.csv: the header is not the study CSV's/);
});

const standardMd = readFileSync(new URL('../../docs/reproduction-standard.md', import.meta.url), 'utf8');
const standardCsv = readFileSync(new URL('../../docs/reproduction-standard.csv', import.meta.url), 'utf8');
const standardK = readFileSync(new URL('../../docs/reproduction-standard-ksweep.csv', import.meta.url), 'utf8');

test('the committed standard-study report is the rendering of its committed CSVs, k sweep included', () => {
  assert.equal(rerenderFromCsv(standardMd, standardCsv, standardK), standardMd);
  assert.match(standardMd, /^- Command: `noisynn study reproduce --standard /m);
  assert.match(standardMd, /^- Machine: .+; \d+ cores; Node /m);
  assert.match(standardMd, /git [0-9a-f]{40}(;|$)/m, 'names the commit it ran');
  assert.match(standardMd, /^- Runs: 156 of 156 completed$/m);
});

test('standard study: every cell has 3 seeds; the eval-only cells saw the baseline weights; the k sweep shows the leak', () => {
  const rows = parseStudyCsv(standardCsv, 'docs/reproduction-standard.csv');
  assert.equal(rows.length, 2 * 2 * (1 + 4 * 3), 'datasets x models x (baseline + 4 noise settings x train/eval/both)');
  for (const r of rows) assert.equal(r.n, 3, `${r.dataset}/${r.model}/${r.noise}/${r.when}`);
  const baseline = (r: (typeof rows)[number]) => rows.find((b) => b.dataset === r.dataset && b.model === r.model && b.noise === 'none')!;
  // Eval-only cells reuse the noise-free run's weights: their noise-free evaluation is the baseline itself.
  for (const r of rows.filter((x) => x.when === 'eval' && x.clean))
    assert.ok(Math.abs(r.clean!.mean - baseline(r).top1!.mean) < 1e-9, `${r.dataset}/${r.model}/${r.noise}`);
  const [positive, harmful] = studyClaims(rows);
  assert.equal(positive.verdict, 'contradicted');
  assert.equal(harmful.verdict, 'supported');

  const sweep = parseKSweepCsv(standardK, 'docs/reproduction-standard-ksweep.csv');
  assert.equal(sweep.length, 4);
  for (const s of sweep) {
    const at = (k: number) => s.k.indexOf(k);
    assert.deepEqual(s.k, [1, 2, 5, 10, 25, 50, 100]);
    // k = 1: linear-optimal is the identity, both orders equal the noise-free model.
    assert.ok(Math.abs(s.sorted[at(1)]!.mean - s.noiseFree!.mean) < 1e-9 && Math.abs(s.shuffled[at(1)]!.mean - s.noiseFree!.mean) < 1e-9);
    // k = 10 (the official test batch): class-sorted batches above the noise-free model, shuffled ones below.
    assert.ok(s.sorted[at(10)]!.mean > s.noiseFree!.mean, `${s.dataset}/${s.model} sorted`);
    assert.ok(s.shuffled[at(10)]!.mean < s.noiseFree!.mean, `${s.dataset}/${s.model} shuffled`);
  }
  assert.throws(() => parseKSweepCsv('dataset,model\n', 'k.csv'), /k\.csv: the header is not the k-sweep CSV's/);
});
