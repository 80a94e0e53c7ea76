// A data-parallel replica (see replicas.ts): its own tfjs backend and model, fed through shared memory.
import * as tf from '@tensorflow/tfjs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Dataset, DatasetInfo } from '../../data/types';
import { initBackend, type BackendName } from '../backend';
import { withInput } from '../batches';
import type { RunConfig } from '../config/types';
import { createModel } from '../models';
import { CMD_STOP, SharedBlock, type BlockBuffers } from './replica-shared';
import { gradients } from './step';

interface Init {
  rank: number;
  backend: BackendName | 'auto';
  config: RunConfig;
  block: BlockBuffers;
  data: { info: DatasetInfo; mean: number[]; std: number[]; images: Uint8Array; labels: Uint8Array | Uint16Array; count: number };
}

const init = workerData as Init;
const block = SharedBlock.attach(init.block);
const empty = { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 };
const data: Dataset = withInput(
  {
    info: init.data.info,
    mean: init.data.mean,
    std: init.data.std,
    splits: { train: { images: init.data.images, labels: init.data.labels, count: init.data.count }, test: empty },
  },
  init.config.input,
);

try {
  await initBackend(init.backend);
  // Weights come from rank 0 before every step; the initial draw here is overwritten.
  const model = createModel(init.config.model, 0);
  const trainable = [...model.params.trainable.values()];
  parentPort!.postMessage({ ready: true });
  for (;;) {
    const order = block.next();
    if (order.cmd === CMD_STOP) break;
    try {
      let off = 0;
      for (const v of trainable) {
        tf.tidy(() => v.assign(tf.tensor(block.params.subarray(off, off + v.size), v.shape, 'float32')));
        off += v.size;
      }
      const r = await gradients(model, data, block.idx.subarray(0, order.count), init.config, order.seed, trainable);
      const grads = r.grads.map((g) => g.dataSync() as Float32Array);
      const bn = r.bnStats.map((s) => ({
        mean: s.batchMean.dataSync() as Float32Array,
        variance: s.batchVar.dataSync() as Float32Array,
        count: s.count,
      }));
      tf.dispose([...r.grads, ...r.bnStats.flatMap((s) => [s.batchMean, s.batchVar])]);
      block.finish(r.loss, r.hits, grads, bn);
    } catch (e) {
      block.fail(e instanceof Error ? e.message : String(e));
    }
  }
  model.dispose();
} catch (e) {
  const message = e instanceof Error ? e.message : String(e);
  parentPort!.postMessage({ error: message }); // while starting, rank 0 listens for this
  block.fail(message); // after that, rank 0 blocks on shared memory and reads this
}
