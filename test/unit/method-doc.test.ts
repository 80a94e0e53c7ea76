// Comments, tooltips and docs cite the method by `docs/method.md#anchor`: every cited anchor must be a
// heading of docs/method.md (GitHub's anchor rule: lower case, punctuation dropped, spaces to dashes).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const method = readFileSync(join(root, 'docs/method.md'), 'utf8');

function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}
const anchors = new Set([...method.matchAll(/^#{2,4} (.+)$/gm)].map((m) => anchorOf(m[1])));

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|svelte|md|mjs)$/.test(name)) yield p;
  }
}

test('docs/method.md: the anchor rule gives the headings it is cited by', () => {
  assert.equal(anchorOf('Train, eval or both'), 'train-eval-or-both');
  assert.ok(anchors.has('task-entropy') && anchors.has('evaluation-protocols') && anchors.has('linear-optimal'));
});

test('every docs/method.md#anchor cited in src-main, src-renderer and docs is a heading there, and the old "method page" is gone', () => {
  const cited = new Map<string, string>();
  for (const dir of ['src-main', 'src-renderer/src', 'docs']) {
    for (const f of files(join(root, dir))) {
      const text = readFileSync(f, 'utf8');
      assert.doesNotMatch(text, /method page|noisynn-method\.md/, `${f} still cites the method page outside the repo`);
      // "docs/method.md#a, #b and #c" cites three anchors.
      for (const m of text.matchAll(/method\.md#([a-z0-9-]+)((?:(?:, | and | to )#[a-z0-9-]+)*)/g)) {
        for (const a of [m[1], ...[...m[2].matchAll(/#([a-z0-9-]+)/g)].map((x) => x[1])]) cited.set(a, f);
      }
    }
  }
  assert.ok(cited.size >= 8, `expected the method's sections to be cited, found ${[...cited.keys()].join(', ')}`);
  for (const [a, f] of cited) assert.ok(anchors.has(a), `${f} cites docs/method.md#${a}, which is not a heading of docs/method.md`);
});
