// Golden first training steps: the trainer's losses for the first 3 steps of mnist-vit and mnist-cnn (noise off,
// and the official linear-shift on) against PyTorch's, computed in float64 from the same initial weights and batches
// (bench/reference/golden_step.py). The fixture also holds the losses with a rule broken (no weight decay, decay on
// every tensor, no label smoothing): each lies far outside the tolerance, so a mis-applied rule fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { initBackend } from '../../src-main/engine/backend';
import { validateConfig } from '../../src-main/engine/config';
import { loadMnist } from '../../src-main/data/mnist';
import { train } from '../../src-main/engine/train/trainer';
import { GOLDEN_STEPS, goldenCases, goldenInputs } from '../helpers/golden-step';
import { tempDir } from '../helpers/tmp';

interface GoldenCase {
  inputsSha256: string;
  lr: number[];
  losses: number[];
  variants: Record<string, number[]>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/reference/golden-step.json', import.meta.url), 'utf8')) as {
  cases: Record<string, GoldenCase>;
};

/** |ours - torch| / (1 + |torch|): float32 training against a float64 reference, on any backend. */
const TOL = 1e-5;
const relErr = (a: number, e: number) => Math.abs(a - e) / (1 + Math.abs(e));

before(async () => {
  await initBackend();
});

const data = loadMnist();

for (const { name, config } of goldenCases(data)) {
  test(`${name}: the first ${GOLDEN_STEPS} training losses equal PyTorch's (AdamW, weight decay, label smoothing)`, async () => {
    const golden = fixture.cases[name];
    assert.ok(golden, `no golden case '${name}' in golden-step.json`);
    validateConfig(config);
    const { sha256 } = await goldenInputs(config, data);
    assert.equal(
      sha256,
      golden.inputsSha256,
      `the inputs of '${name}' (our init, the shuffle or the batch) changed: regenerate the fixture (bench/reference/golden_step.py)`,
    );
    for (const [variant, losses] of Object.entries(golden.variants)) {
      const worst = Math.max(...losses.map((l, i) => relErr(l, golden.losses[i])));
      assert.ok(
        worst > 10 * TOL,
        `variant ${variant} differs from the golden losses by only ${worst.toExponential(2)}: the tolerance would not catch it`,
      );
    }
    const steps: { loss: number; lr: number }[] = [];
    const r = await train(config, data, tempDir(), { onStep: (s) => steps.push({ loss: s.loss, lr: s.lr }) });
    assert.equal(r.status, 'completed');
    assert.equal(steps.length, GOLDEN_STEPS);
    steps.forEach((s, i) => {
      assert.ok(relErr(s.lr, golden.lr[i]) < 1e-12, `step ${i + 1}: lr ${s.lr} != ${golden.lr[i]}`);
      const err = relErr(s.loss, golden.losses[i]);
      assert.ok(
        err <= TOL,
        `step ${i + 1}: loss ${s.loss} vs PyTorch ${golden.losses[i]} (relative error ${err.toExponential(2)} > ${TOL})`,
      );
    });
    console.log(
      `${name}: worst relative loss error ${Math.max(...steps.map((s, i) => relErr(s.loss, golden.losses[i]))).toExponential(2)}`,
    );
  });
}
