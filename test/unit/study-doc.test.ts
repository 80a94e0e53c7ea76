// docs/reproduction-quick.md says what its committed CSV supports: its claims section is exactly the
// rendering of that CSV, with medians, per-family summaries, power notes and labelled paper figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseStudyCsv, rerenderFromCsv } from '../../src-main/study/from-csv';
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
