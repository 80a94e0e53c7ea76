// Training throughput (images/s) of mnist-vit and mnist-cnn in this workbench (best backend) and in the
// PyTorch reference (bench/reference/train_throughput.py, 1 and 2 threads), in one run, with ratios.
// Same batch size, optimizer and loss as the presets; torch trains on random MNIST-shaped batches.
// Run: node --import tsx bench/train-throughput.ts [steps=300] [--warmup 30] [--replicas N (default: the presets')]
//        [--backend webgpu|wasm|cpu|...] [--python /usr/bin/python3]
// On a software WebGPU adapter (SwiftShader on a machine without a GPU) use a few steps, e.g. `5 --warmup 2`.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, type BackendName } from '../src-main/engine/backend';
import { describeAdapter } from '../src-main/engine/webgpu';
import { fitToDataset, runPreset, type RunConfig } from '../src-main/engine/config';
import { loadMnist } from '../src-main/data/mnist';
import { train } from '../src-main/engine/train/trainer';

// Both sides warm up before timing: V8's JIT (and its tier-up of the wasm kernels) and tfjs's caches take
// ~30 steps to settle, and the timed window is 300 steps so that it reflects a long run (an mnist-vit
// epoch is 1,875 steps; 100 timed steps read ~10% below the epoch rate the CLI reports).
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const WARMUP = Number(flag('--warmup', '30'));
const steps = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 300);
const python = flag('--python', '/usr/bin/python3');
const replicas = args.includes('--replicas') ? Number(flag('--replicas', '1')) : undefined;
const script = fileURLToPath(new URL('./reference/train_throughput.py', import.meta.url));

const backend = await initBackend(flag('--backend', 'auto') as BackendName | 'auto');
const data = loadMnist();
console.log(`workbench: backend ${backend.name} (${backend.reason}); tfjs ${tf.version.tfjs}`);
if (backend.adapter) console.log(`GPU adapter: ${describeAdapter(backend.adapter)}, ${backend.adapter.software ? 'software' : 'hardware'}`);
if (backend.adapter?.software)
  console.log(
    'NOTE: a software adapter is a CPU rasteriser posing as a GPU: these numbers test the GPU code path and are not speed claims.',
  );
console.log(`${steps} timed steps after ${WARMUP} warm-up steps each; wall-clock rates (a shared machine makes them noisy)`);

/** The workbench's own training loop (data, forward, backward, AdamW, BN stats, replicas); training steps only. */
async function workbench(config: RunConfig): Promise<{ rate: number; replicas: number }> {
  const batch = config.batchSize;
  config.limitTrain = (steps + WARMUP) * batch;
  config.limitTest = 10;
  const dir = mkdtempSync(join(tmpdir(), 'noisynn-bench-'));
  let t0 = 0;
  let t1 = 0;
  let done = 0;
  let replicasUsed = 1;
  try {
    const r = await train(config, data, dir, {
      onStep: (s) => {
        if (s.step === WARMUP) t0 = performance.now();
        if (s.step > WARMUP) done += batch;
        t1 = performance.now(); // the end-of-epoch evaluation and checkpoint are not training
      },
    });
    replicasUsed = r.replicas;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rate: done / ((t1 - t0) / 1000), replicas: replicasUsed };
}

/** The PyTorch reference in a child process; null (with the reason printed) when it cannot run. */
function torch(kind: 'vit' | 'cnn', config: RunConfig, threads: number): number | null {
  const o = config.optimizer;
  const argv = [script, kind, config.batchSize, steps, WARMUP, threads, o.lr, o.weightDecay, config.labelSmoothing].map(String);
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const r = spawnSync(python, argv, { env, encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`  torch ${threads} thread(s): failed (${(r.error?.message ?? r.stderr.trim().split('\n').pop()) || `exit ${r.status}`})`);
    return null;
  }
  const last = r.stdout.trim().split('\n').pop()!;
  return (JSON.parse(last) as { imagesPerSecond: number }).imagesPerSecond;
}

for (const [preset, kind] of [
  ['mnist-vit', 'vit'],
  ['mnist-cnn', 'cnn'],
] as const) {
  const config = fitToDataset(runPreset(preset), data.info);
  if (replicas !== undefined) config.replicas = replicas;
  const { rate: ours, replicas: used } = await workbench(structuredClone(config));
  const line = [`${preset.padEnd(10)} batch ${config.batchSize}: workbench ${backend.name} (${used} replica(s)) ${ours.toFixed(1)} img/s`];
  for (const threads of [1, 2]) {
    const ref = torch(kind, config, threads);
    if (ref !== null) line.push(`torch ${threads}T ${ref.toFixed(1)} img/s (workbench / torch = ${(ours / ref).toFixed(3)})`);
  }
  console.log(line.join('; '));
}
