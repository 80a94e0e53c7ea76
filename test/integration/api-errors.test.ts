// HTTP status codes from the real services over the real transport: 404 for what does not exist,
// 422 for an invalid request (naming the field), 409 for a request that conflicts with a run's state,
// 500 only for a fault of ours; the code comes from src-main/errors.ts, the body is {error:{message,code}}.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServices } from '../../src-main/api/services';
import { startServer, type RunningServer } from '../../src-main/server/http-server';
import { openStore } from '../../src-main/store';
import { tempDir } from '../helpers/tmp';

let srv: RunningServer;
let services: Awaited<ReturnType<typeof createServices>>;
let dataDir: string;

before(async () => {
  dataDir = tempDir();
  services = await createServices({ dataDir, transport: 'http', emit: () => {} });
  srv = await startServer({ handlers: services.handlers });
});

after(async () => {
  await srv.close();
  await services.dispose();
});

async function api(method: string, body: unknown): Promise<{ status: number; error?: { message: string; code?: string } }> {
  const r = await fetch(`${srv.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-noisynn-token': srv.token },
    body: JSON.stringify(body),
  });
  const j = (await r.json()) as { error?: { message: string; code?: string } };
  return { status: r.status, error: j.error };
}

test('404: a run, a dataset or an analysis that does not exist', async () => {
  for (const [method, body, text] of [
    ['runs.get', { id: 999 }, /run 999 not found/],
    ['runs.metrics', { id: 999, keys: ['train/loss'] }, /run 999 not found/],
    ['runs.cancel', { id: 999 }, /run 999 not found/],
    ['runs.resume', { id: 999 }, /run 999 not found/],
    ['datasets.images', { dataset: 'nope', split: 'train', offset: 0, limit: 1 }, /dataset 'nope' is not registered/],
    ['embeddings.result', { jobId: 'nope' }, /no embedding analysis nope/],
    ['embeddings.cancel', { jobId: 'nope' }, /no embedding analysis nope/],
  ] as const) {
    const r = await api(method, body);
    assert.equal(r.status, 404, `${method}: ${r.error?.message}`);
    assert.equal(r.error?.code, 'not-found');
    assert.match(r.error?.message ?? '', text);
  }
});

test('422: an invalid request names the field', async () => {
  const epochs = await api('runs.start', { config: { epochs: 0 } });
  assert.equal(epochs.status, 422);
  assert.equal(epochs.error?.code, 'invalid');
  assert.match(epochs.error?.message ?? '', /epochs must be a positive integer/);
  const axis = await api('sweeps.create', { name: 's', base: {}, mode: 'grid', axes: [{ path: 'noise.nope', values: [1] }] });
  assert.equal(axis.status, 422);
  assert.match(axis.error?.message ?? '', /unknown config field 'noise\.nope'/);
  const conc = await api('queue.configure', { concurrency: 99 });
  assert.equal(conc.status, 422);
  assert.match(conc.error?.message ?? '', /concurrency must be an integer from 1 to 16/);
  const image = await api('datasets.image', { dataset: 'mnist', split: 'train', index: 1e9 });
  assert.equal(image.status, 422);
  assert.match(image.error?.message ?? '', /image 1000000000 is out of range/);
  const bad = await api('datasets.add', { path: dataDir, name: 'x' });
  assert.equal(bad.status, 422, bad.error?.message);
});

test('409: cancelling or resuming a run in the wrong state', async () => {
  const store = openStore(dataDir);
  let id: number;
  try {
    id = store.createRun({ config: { epochs: 1 }, seed: 1 });
    store.finishRun(id, 'completed');
  } finally {
    store.close();
  }
  const cancel = await api('runs.cancel', { id });
  assert.equal(cancel.status, 409);
  assert.equal(cancel.error?.code, 'conflict');
  assert.match(cancel.error?.message ?? '', /run \d+ is completed; only queued or running runs can be cancelled/);
  const resume = await api('runs.resume', { id });
  assert.equal(resume.status, 409);
  assert.match(resume.error?.message ?? '', /run \d+ is completed; only crashed, cancelled, failed, diverged runs can be resumed/);
});

test('500: a fault of ours (not a WorkbenchError) is a server error', async () => {
  const faulty = await startServer({
    handlers: {
      'app.info': async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      },
    },
  });
  try {
    const r = await fetch(`${faulty.origin}/api/app.info`, { method: 'POST', headers: { 'x-noisynn-token': faulty.token }, body: '{}' });
    assert.equal(r.status, 500);
    assert.match(((await r.json()) as { error: { message: string } }).error.message, /Cannot read properties/);
  } finally {
    await faulty.close();
  }
});
