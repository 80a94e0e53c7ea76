// GET /files/<folder>/<file>: the data directory's download folders, as attachments, with the session.
// Stub handlers only: no services, engine or store.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { downloadUrl } from '../../src-main/api/contract';
import { startServer, type RunningServer } from '../../src-main/server/http-server';
import { tempDir } from '../helpers/tmp';

function get(
  port: number,
  urlPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

let srv: RunningServer;
let cookie = '';
const dataDir = tempDir('noisynn-downloads-');

before(async () => {
  fs.mkdirSync(path.join(dataDir, 'embeddings'));
  fs.writeFileSync(path.join(dataDir, 'embeddings', 'job 1-pca.csv'), 'label,x,y\n3,0.5,1\n');
  fs.writeFileSync(path.join(dataDir, 'server-secret'), 'secret');
  fs.writeFileSync(path.join(dataDir, 'noisynn.db'), 'db');
  fs.mkdirSync(path.join(dataDir, 'runs'));
  fs.writeFileSync(path.join(dataDir, 'runs', 'a.txt'), 'run');
  srv = await startServer({ handlers: {}, dataDir });
  const r = await get(srv.port, `/?token=${srv.token}`);
  cookie = String(r.headers['set-cookie']?.[0] ?? '').split(';')[0];
  assert.ok(cookie.includes('='), 'a session cookie');
});
after(() => srv.close());

test('a file of a download folder comes back as an attachment with the session cookie (or the token header)', async () => {
  const url = downloadUrl('embeddings/job 1-pca.csv');
  assert.equal(url, '/files/embeddings/job%201-pca.csv');
  const r = await get(srv.port, url, { cookie });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'label,x,y\n3,0.5,1\n');
  assert.equal(r.headers['content-disposition'], 'attachment; filename="job_1-pca.csv"');
  assert.equal((await get(srv.port, url, { 'x-noisynn-token': srv.token })).status, 200);
});

test('without the session, or outside the download folders, nothing is served', async () => {
  assert.equal((await get(srv.port, downloadUrl('embeddings/job 1-pca.csv'))).status, 401);
  assert.equal(
    (await get(srv.port, `${downloadUrl('embeddings/job 1-pca.csv')}?token=${srv.token}`)).status,
    401,
    'no token in download URLs',
  );
  for (const p of [
    '/files/server-secret',
    '/files/noisynn.db',
    '/files/runs/a.txt',
    '/files/embeddings/../server-secret',
    '/files/embeddings/..%2fserver-secret',
    '/files/embeddings/%2e%2e%2fnoisynn.db',
    '/files/embeddings/',
    '/files/embeddings/missing.csv',
    '/files/%65mbeddings/job%201-pca.csv',
  ]) {
    const r = await get(srv.port, p, { cookie });
    assert.equal(r.status, 404, p);
    assert.ok(!['secret', 'db', 'run'].includes(r.body), `${p} leaked a file`);
  }
});

test('a server without a data directory serves no downloads', async () => {
  const bare = await startServer({ handlers: {} });
  try {
    assert.equal((await get(bare.port, downloadUrl('embeddings/job 1-pca.csv'), { 'x-noisynn-token': bare.token })).status, 404);
  } finally {
    await bare.close();
  }
});
