// The noise labs' thread (see lab.ts): noise previews and the embedding noise lab run here, one request at a
// time, so a long preview never holds up the thread that answers the other requests. The parent ends it with
// terminate(); its store connection is closed with the thread.
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendName } from '../../engine/backend';
import { WorkbenchError } from '../../errors';
import { openDataset } from '../../runner/datasets';
import { openStore, type Store } from '../../store';
import { embeddingNoise } from './embedding-noise';
import type { LabReply, LabRequest } from './lab';
import { noisePreview } from './noise-preview';

const init = workerData as { dataDir: string; backend: BackendName | 'auto' };
let store: Store | undefined;
const ready = initBackend(init.backend);

async function answer(m: LabRequest): Promise<unknown> {
  await ready;
  store ??= openStore(init.dataDir);
  const { data } = await openDataset(store, m.req.dataset);
  return m.method === 'noise.preview' ? noisePreview(data, m.req) : embeddingNoise(store, data, m.req);
}

let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (m: LabRequest) => {
  queue = queue.then(async () => {
    let reply: LabReply;
    try {
      reply = { id: m.id, ok: true, res: await answer(m) };
    } catch (e) {
      const err = e as Error;
      reply = {
        id: m.id,
        ok: false,
        error: { message: err.message, ...(e instanceof WorkbenchError ? { code: e.code, field: e.field } : {}) },
      };
    }
    parentPort!.postMessage(reply);
  });
});
