// Curve continuity on resume (issue 16 item 2), in Chromium against a real trainer: a run launched from
// the Train form is cancelled after its first checkpoint with steps beyond it, then resumed from the live
// panel. The re-run steps replace the old ones: the live chart and the run page draw each step once, with
// no gap, mark the checkpoint step they went back to, and hold the same points as the store.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { tempDir } from '../helpers/tmp';
import { missingPrerequisite, openApp, type Session } from './harness';

const skip = missingPrerequisite();
const dataDir = skip ? '' : tempDir('noisynn-resume-e2e-');
let session: Session | undefined;
let page: Page;

before(async () => {
  if (skip) return;
  session = await openApp(dataDir, { viewport: { width: 1400, height: 1000 } });
  ({ page } = session);
});
afterEach(() => session?.assertNoPageErrors());
after(async () => {
  await session?.close();
});

const api = <T>(method: string, body: unknown): Promise<T> =>
  page.evaluate(
    async ([m, b]) => {
      const r = await fetch(`/api/${m}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
      const j = await r.json();
      if (!r.ok) throw new Error(JSON.stringify(j));
      return j.value ?? j;
    },
    [method, body] as const,
  ) as Promise<T>;

interface Detail {
  status: string;
  checkpoints: { step: number }[];
  summary: Record<string, unknown> | null;
}
const detail = (id: number) => api<Detail>('runs.get', { id });
const storedSteps = async (id: number) =>
  (await api<{ step: number[]; value: number[] }[]>('runs.metrics', { id, keys: ['train/loss'], width: 100_000 }))[0];

/** The x / y of one of the chart's traces and its vertical marks, as plotly holds them. */
const drawn = (chart: Locator, trace = 0) =>
  chart.locator('.js-plotly-plot').evaluate((el, i) => {
    const p = el as unknown as {
      data: { x: number[]; y: number[] }[];
      layout: { shapes?: { x0: number }[]; annotations?: { text: string }[] };
    };
    return {
      x: Array.from(p.data[i].x),
      y: Array.from(p.data[i].y),
      marks: (p.layout.shapes ?? []).map((s) => s.x0),
      texts: (p.layout.annotations ?? []).map((a) => a.text),
    };
  }, trace);

test(
  'resume from a checkpoint: the re-run steps replace the old ones, one continuous curve, marked, the same on the run page',
  { skip, timeout: 600_000 },
  async () => {
    await page.getByTestId('nav-train').click();
    await page.locator('[data-testid="train-view"][data-ready="true"]').waitFor({ timeout: 60_000 });
    // 40 steps per epoch (1,280 images / 32), 2 epochs: a checkpoint at step 40, then epoch 2.
    await page.getByTestId('epochs').fill('2');
    await page.getByTestId('limit-train').fill('1280');
    await page.getByTestId('limit-test').fill('100');
    await page.getByTestId('batch-size').fill('32');
    await page.getByTestId('seeds').fill('5');
    await page.locator('[data-testid="config-problems"][data-checked="true"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="launch"]:enabled').click();
    const live = page.locator('[data-testid="live-run"]').first();
    await live.locator('[data-testid="loss-chart"]:not([data-points="0"])').waitFor({ timeout: 120_000 });
    const id = Number(await live.getAttribute('data-run-id'));

    // Cancel once epoch 1 is done (its checkpoint written) and epoch 2 has steps of its own.
    await live.locator('[data-testid="epoch-table"] tbody tr').first().waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="progress"]')?.getAttribute('data-step')) >= 43, null, {
      timeout: 60_000,
    });
    await live.getByTestId('cancel').click();
    await page.locator('[data-testid="live-run"][data-status="cancelled"]').waitFor({ timeout: 60_000 });
    const before = await storedSteps(id);
    const lastBefore = before.step.at(-1)!;
    const ckpt = (await detail(id)).checkpoints.at(-1)?.step ?? 0;
    assert.equal(ckpt, 40, 'cancelled in epoch 2, after the epoch-1 checkpoint');
    assert.ok(lastBefore > ckpt, `steps after the checkpoint (${ckpt}) were recorded before the cancel (last ${lastBefore})`);

    await live.getByTestId('resume').click();
    await page.locator('[data-testid="live-run"][data-status="completed"]').waitFor({ timeout: 300_000 });
    const total = Number(await page.getByTestId('progress').getAttribute('data-total'));
    assert.equal(total, 80);
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points') === String(n),
      total,
      { timeout: 10_000 },
    );

    const every = Array.from({ length: total }, (_, i) => i + 1);
    const stored = await storedSteps(id);
    assert.deepEqual(stored.step, every, 'the store holds each step once');
    assert.deepEqual((await detail(id)).summary?.resumedFrom, [ckpt]);

    const liveChart = drawn(page.locator('[data-testid="live-loss"][data-ready="true"]'));
    const l = await liveChart;
    assert.deepEqual(l.x, every, 'live chart: each step once, no gap, no doubled segment');
    assert.deepEqual(l.marks, [ckpt]);
    assert.ok(l.texts.includes(`resumed from step ${ckpt}`), l.texts.join(' | '));
    assert.match(
      (await page.getByTestId('live-resumed').textContent()) ?? '',
      new RegExp(`resumed from step ${ckpt}: the steps after it were re-run`),
    );

    // The live accuracy chart is in %, like every table: its test top-1 points are the stored fractions x 100.
    const top1 = (await api<{ step: number[]; value: number[] }[]>('runs.metrics', { id, keys: ['test/top1'], width: 100 }))[0].value;
    // Both epochs' evaluations: the chart redraws after the run's status has turned to completed.
    await page.waitForFunction(
      () => {
        const el = document.querySelector('[data-testid="live-acc"][data-ready="true"] .js-plotly-plot') as unknown as {
          data?: { y: ArrayLike<number> }[];
        } | null;
        return (el?.data?.[1]?.y.length ?? 0) >= 2;
      },
      null,
      { timeout: 10_000 },
    );
    const acc = await drawn(page.locator('[data-testid="live-acc"][data-ready="true"]'), 1);
    assert.equal(acc.y.length, 2);
    acc.y.forEach((v, i) => assert.ok(Math.abs(v - top1[i] * 100) < 1e-9, `test top-1 drawn as ${v}, stored ${top1[i]}`));
    assert.deepEqual(acc.marks, [ckpt]);

    await page.goto(`${session!.app.origin}/#/runs/${id}`);
    await page.locator('[data-testid="run-page"][data-ready="true"]').waitFor();
    const pageChart = page.locator('[data-testid="run-page-loss"][data-ready="true"]');
    await pageChart.waitFor();
    const p = await drawn(pageChart);
    assert.deepEqual(p.x, every, 'run page: each step once');
    assert.deepEqual(p.y, stored.value, 'run page draws the stored values');
    assert.deepEqual(l.y, stored.value, 'the live chart drew the same values as the store holds');
    assert.deepEqual(p.marks, [ckpt]);
  },
);
