// Training throughput (images/s) of the mnist-vit and mnist-cnn presets on the best backend here,
// measured over a fixed number of steps after a warm-up, in this process (no store, no eval).
// Run: node --import tsx bench/train-throughput.ts [steps=60] [--backend wasm|cpu|...]
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../src-main/engine/backend';
import { fitToDataset, runPreset } from '../src-main/engine/config';
import { loadMnist } from '../src-main/data/mnist';
import { train } from '../src-main/engine/train/trainer';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const steps = Number(args.find((a) => /^\d+$/.test(a)) ?? 60);
const bi = args.indexOf('--backend');
const backend = await initBackend(bi >= 0 ? (args[bi + 1] as BackendName) : 'auto');
const data = loadMnist();
console.log(`backend ${backend.name} (${backend.reason}); tfjs ${tf.version.tfjs}; ${steps} timed steps after 5 warm-up steps`);

for (const preset of ['mnist-vit', 'mnist-cnn'] as const) {
  const config = fitToDataset(runPreset(preset), data.info);
  const batch = config.batchSize;
  config.limitTrain = (steps + 5) * batch;
  config.limitTest = 10;
  const dir = mkdtempSync(join(tmpdir(), 'noisynn-bench-'));
  let t0 = 0;
  let done = 0;
  await train(config, data, dir, {
    onStep: (s) => {
      if (s.step === 5) t0 = performance.now();
      if (s.step > 5) done += batch;
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  rmSync(dir, { recursive: true, force: true });
  console.log(`${preset.padEnd(10)} batch ${batch}: ${(done / seconds).toFixed(1)} img/s training (${done} images in ${seconds.toFixed(1)} s)`);
}
