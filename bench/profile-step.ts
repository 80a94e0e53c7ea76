// Where a training step's time goes: every wasm kernel call timed (wall clock, by kernel and shapes),
// against the whole step's wall time; the rest is tfjs bookkeeping (tape, tensor allocation, JS).
// One replica (the timing wraps this thread's kernels). Run: node --import tsx bench/profile-step.ts [mnist-vit|mnist-cnn] [steps=30] [top=25] [batch]
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src-main/engine/backend';
import { fitToDataset, runPreset } from '../src-main/engine/config';
import { loadMnist } from '../src-main/data/mnist';
import { train } from '../src-main/engine/train/trainer';

const [preset = 'mnist-vit', stepsArg = '30', topArg = '25', batchArg] = process.argv.slice(2);
const steps = Number(stepsArg);
const WARMUP = 5;
const backend = await initBackend('auto');
const times = new Map<string, { ms: number; calls: number }>();
let recording = false;
let kernelMs = 0;
for (const k of tf.getKernelsForBackend(backend.name)) {
  const inner = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, k.backendName);
  tf.registerKernel({
    ...k,
    kernelFunc: ((args: Parameters<tf.KernelFunc>[0]) => {
      if (!recording) return inner(args);
      const t0 = performance.now();
      const out = inner(args);
      const ms = performance.now() - t0;
      kernelMs += ms;
      const shapes = Object.values(args.inputs)
        .map((t) => `[${(t as tf.TensorInfo).shape}]`)
        .join('');
      const key = `${k.kernelName} ${shapes}`;
      const e = times.get(key) ?? { ms: 0, calls: 0 };
      e.ms += ms;
      e.calls += 1;
      times.set(key, e);
      return out;
    }) as tf.KernelFunc,
  });
}
const data = loadMnist();
const config = fitToDataset(runPreset(preset), data.info);
if (batchArg) config.batchSize = Number(batchArg);
config.replicas = 1; // kernels are timed on this thread only
config.limitTrain = (steps + WARMUP) * config.batchSize;
config.limitTest = 10;
const dir = mkdtempSync(join(tmpdir(), 'noisynn-prof-'));
let t0 = 0;
let wall = 0;
try {
  await train(config, data, dir, {
    onStep: (s) => {
      if (s.step === WARMUP) {
        recording = true;
        t0 = performance.now();
      }
      if (s.step === WARMUP + steps) {
        wall = performance.now() - t0;
        recording = false;
      }
    },
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const per = (ms: number) => (ms / steps).toFixed(2).padStart(7);
console.log(
  `${preset} batch ${config.batchSize} on ${backend.name}: ${per(wall)} ms/step wall, ${per(kernelMs)} ms/step in kernels, ${per(wall - kernelMs)} ms/step elsewhere`,
);
const byName = new Map<string, number>();
let calls = 0;
for (const [key, e] of times) {
  const name = key.split(' ')[0];
  byName.set(name, (byName.get(name) ?? 0) + e.ms);
  calls += e.calls;
}
console.log(`${(calls / steps).toFixed(0)} kernel calls per step\nby kernel:`);
for (const [name, ms] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${per(ms)} ms  ${name}`);
console.log('by kernel and input shapes:');
for (const [key, e] of [...times].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(topArg)))
  console.log(`${per(e.ms)} ms  x${(e.calls / steps).toFixed(0).padEnd(3)} ${key}`);
