// Embedding inspector timings on the full MNIST test split (10,000 images), freshly initialised mnist-vit,
// site block 3 (class token), Gaussian noise at the site: extraction, PCA, UMAP, task entropy.
// Run: node --import tsx bench/embeddings.ts [limit] [--no-umap] [--umap-epochs N] [--umap-neighbours N]
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/engine/backend';
import { MODEL_PRESETS } from '../src-main/engine/config/presets';
import { extractEmbeddings } from '../src-main/engine/embed/extract';
import { fitPca, transformPca } from '../src-main/engine/embed/pca';
import { fitUmap } from '../src-main/engine/embed/umap';
import { knnLosses, taskEntropy } from '../src-main/engine/embed/entropy';
import { createModel } from '../src-main/engine/models';
import { loadMnist } from '../src-main/data/mnist';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : undefined;
};
const limit = Number(args.find((a) => /^\d+$/.test(a) && !['--umap-epochs', '--umap-neighbours'].includes(args[args.indexOf(a) - 1])) ?? 0);

const report = await initBackend();
console.log(`backend ${report.name}`);
const data = loadMnist();
const model = createModel(MODEL_PRESETS['mnist-vit'], 0);
const ms = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(2)} s`;

for (const batchSize of [10, 100]) {
  const t0 = performance.now();
  const e = await extractEmbeddings(model, data, {
    split: 'test',
    site: { kind: 'vit', block: 3, pool: 'cls' },
    noise: { type: 'gaussian', level: 'embedding', at: 'both', strength: 0.1 },
    protocol: 'sorted',
    batchSize,
    seed: 42,
    limit,
  });
  console.log(`extract clean+noisy: ${e.n} images x ${e.dim} dims, batch ${batchSize}: ${ms(t0)}`);
  if (batchSize !== 10) continue;

  let t = performance.now();
  const pca = fitPca(e.clean, e.n, e.dim, 2);
  const pc = transformPca(pca, e.clean, e.n);
  transformPca(pca, e.noisy!, e.n);
  console.log(
    `PCA fit + transform clean and noisy (${e.n} x ${e.dim}, k 2): ${ms(t)}; explained ${Array.from(pca.explainedVarianceRatio, (v) => v.toFixed(3)).join(', ')}`,
  );
  void pc;

  t = performance.now();
  knnLosses(e.clean, e.n, e.dim, e.labels, 10, { seed: 1 });
  console.log(`k-NN held-out losses (k 10, 5 folds), one set: ${ms(t)}`);
  t = performance.now();
  const te = taskEntropy({ ...e, noisy: e.noisy }, 10, { seed: 1, bootstrap: 10, noise: e.noise, batchSize: e.batchSize });
  console.log(`task entropy, clean + noisy, 10 bootstraps: ${ms(t)}`);
  for (const [name, r] of Object.entries(te.estimators)) {
    console.log(
      `  ${name.padEnd(32)} H(Y|Z) clean ${r.clean.value.toFixed(4)} noisy ${r.noisy!.value.toFixed(4)}  dS ${r.dS!.value.toFixed(4)} +/- ${r.dS!.std.toFixed(4)}  ${r.verdict!.verdict}`,
    );
  }

  if (!args.includes('--no-umap')) {
    t = performance.now();
    let last = '';
    const u = await fitUmap(e.clean, e.n, e.dim, e.noisy!, e.n, {
      seed: 1,
      nEpochs: flag('--umap-epochs'),
      nNeighbors: flag('--umap-neighbours'),
      onProgress: (phase) => {
        if (phase !== last) console.log(`  umap ${phase} from ${ms(t)}`);
        last = phase;
      },
    });
    console.log(
      `UMAP fit ${(u.ms.fit / 1000).toFixed(2)} s (${u.nEpochs} epochs) + transform noisy ${(u.ms.transform / 1000).toFixed(2)} s: ${ms(t)}`,
    );
  }
}
model.dispose();
console.log(`tensors left: ${tf.memory().numTensors}`);
