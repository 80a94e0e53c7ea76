// The loopback HTTP transport: token, origin and host checks, method routing, errors, static files, SSE.
// Stub handlers only: no services, engine or store are loaded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startServer, type Handlers, type RunningServer } from '../../src-main/server/http-server';
import { tokenMatches } from '../../src-main/server/auth';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Raw http.request, so the test controls every header (fetch would fix Host and Origin itself). */
function request(port: number, o: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers: o.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

let srv: RunningServer;
let staticDir: string;
const calls: unknown[] = [];

const handlers: Partial<Handlers> = {
  'runs.get': async (req) => {
    calls.push(req);
    if (req.id === 404) throw new Error('run 404 does not exist');
    return { id: req.id } as never;
  },
  'runs.list': async () => [],
};

before(async () => {
  staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'noisynn-server-'));
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>app</title><script src="./app.js"></script>');
  fs.writeFileSync(path.join(staticDir, 'app.js'), 'console.log("app");');
  fs.mkdirSync(path.join(staticDir, 'assets'));
  fs.writeFileSync(path.join(staticDir, 'assets', 'style.css'), 'body{}');
  // A secret beside the static root, to prove traversal cannot reach it.
  fs.writeFileSync(path.join(path.dirname(staticDir), `${path.basename(staticDir)}-secret.txt`), 'secret');
  srv = await startServer({ handlers, staticDir, heartbeatMs: 50 });
});

after(async () => {
  await srv.close();
  fs.rmSync(staticDir, { recursive: true, force: true });
  fs.rmSync(path.join(path.dirname(staticDir), `${path.basename(staticDir)}-secret.txt`), { force: true });
});

const api = (method: string, body: unknown, headers: Record<string, string> = {}) =>
  request(srv.port, {
    method: 'POST',
    path: `/api/${method}`,
    headers: { 'Content-Type': 'application/json', 'X-NoisyNN-Token': srv.token, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

test('binds 127.0.0.1 only, with a random 64-hex-digit token in the URL', () => {
  const addr = srv.server.address() as AddressInfo;
  assert.equal(addr.address, '127.0.0.1');
  assert.equal(addr.port, srv.port);
  assert.match(srv.token, /^[0-9a-f]{64}$/);
  assert.equal(srv.url, `http://127.0.0.1:${srv.port}/?token=${srv.token}`);
  assert.equal(srv.origin, `http://127.0.0.1:${srv.port}`);
});

test('a call with the right token returns {value} and passes the request through', async () => {
  calls.length = 0;
  const r = await api('runs.get', { id: 7 });
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  assert.deepEqual(JSON.parse(r.body), { value: { id: 7 } });
  assert.deepEqual(calls, [{ id: 7 }]);
  // An empty body is the empty request of argument-less methods.
  const empty = await request(srv.port, { method: 'POST', path: '/api/runs.list', headers: { 'X-NoisyNN-Token': srv.token } });
  assert.deepEqual(JSON.parse(empty.body), { value: [] });
});

test('a same-origin Origin header (127.0.0.1 or localhost) is accepted', async () => {
  for (const origin of [`http://127.0.0.1:${srv.port}`, `http://localhost:${srv.port}`]) {
    const r = await api('runs.get', { id: 1 }, { Origin: origin });
    assert.equal(r.status, 200, origin);
  }
  const viaLocalhost = await api('runs.get', { id: 1 }, { Host: `localhost:${srv.port}` });
  assert.equal(viaLocalhost.status, 200);
});

test('without a token, or with a wrong one, the API answers 401 with a JSON error', async () => {
  calls.length = 0;
  const none = await request(srv.port, {
    method: 'POST',
    path: '/api/runs.get',
    headers: { 'Content-Type': 'application/json' },
    body: '{"id":1}',
  });
  assert.equal(none.status, 401);
  assert.match(JSON.parse(none.body).error.message, /token/);
  const wrong = await api('runs.get', { id: 1 }, { 'X-NoisyNN-Token': 'f'.repeat(64) });
  assert.equal(wrong.status, 401);
  // A token in the query is not accepted for calls (only for the page and the event stream).
  const query = await request(srv.port, { method: 'POST', path: `/api/runs.get?token=${srv.token}`, body: '{"id":1}' });
  assert.equal(query.status, 401);
  assert.deepEqual(calls, [], 'no handler ran');
});

test('tokenMatches compares exactly, whatever the lengths', () => {
  assert.equal(tokenMatches('abc'.repeat(10), 'abc'.repeat(10)), true);
  assert.equal(tokenMatches('abc'.repeat(10), 'abc'.repeat(10) + 'x'), false);
  assert.equal(tokenMatches('', 'x'.repeat(20)), false);
  assert.equal(tokenMatches(undefined, 'x'.repeat(20)), false);
});

test('a foreign Origin or Host is refused with 403, even with the token', async () => {
  calls.length = 0;
  const origin = await api('runs.get', { id: 1 }, { Origin: 'http://evil.example' });
  assert.equal(origin.status, 403);
  assert.match(JSON.parse(origin.body).error.message, /cross-origin/);
  const nullOrigin = await api('runs.get', { id: 1 }, { Origin: 'null' });
  assert.equal(nullOrigin.status, 403);
  const otherPort = await api('runs.get', { id: 1 }, { Origin: `http://127.0.0.1:${srv.port + 1}` });
  assert.equal(otherPort.status, 403);
  const host = await api('runs.get', { id: 1 }, { Host: 'evil.example' });
  assert.equal(host.status, 403);
  const rebound = await request(srv.port, { path: `/?token=${srv.token}`, headers: { Host: `evil.example:${srv.port}` } });
  assert.equal(rebound.status, 403);
  assert.deepEqual(calls, []);
});

test('OPTIONS preflights get 403 and no reply carries Access-Control-Allow-* headers', async () => {
  const pre = await request(srv.port, {
    method: 'OPTIONS',
    path: '/api/runs.get',
    headers: {
      Origin: 'http://evil.example',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'x-noisynn-token',
    },
  });
  assert.equal(pre.status, 403);
  const sameOrigin = await request(srv.port, { method: 'OPTIONS', path: '/api/runs.get', headers: { Origin: srv.origin } });
  assert.equal(sameOrigin.status, 403);
  const replies = [
    pre,
    sameOrigin,
    await api('runs.get', { id: 1 }),
    await api('runs.get', { id: 404 }),
    await request(srv.port, { path: `/?token=${srv.token}` }),
    await request(srv.port, { path: '/app.js' }),
  ];
  for (const r of replies) {
    for (const h of Object.keys(r.headers)) assert.ok(!h.startsWith('access-control-'), `unexpected header ${h}`);
  }
});

test('a handler error comes back as {error:{message}} with status 500', async () => {
  const r = await api('runs.get', { id: 404 });
  assert.equal(r.status, 500);
  assert.deepEqual(JSON.parse(r.body), { error: { message: 'run 404 does not exist' } });
});

test('unknown methods, bad JSON and non-object bodies are 400; known but unserved methods 501', async () => {
  const unknown = await api('runs.destroyEverything', {});
  assert.equal(unknown.status, 400);
  assert.match(JSON.parse(unknown.body).error.message, /unknown API method 'runs.destroyEverything'/);
  const badJson = await api('runs.get', '{"id": 1');
  assert.equal(badJson.status, 400);
  assert.match(JSON.parse(badJson.body).error.message, /not valid JSON/);
  const array = await api('runs.get', '[1]');
  assert.equal(array.status, 400);
  const missing = await api('app.info', {});
  assert.equal(missing.status, 501);
  const get = await request(srv.port, { path: '/api/runs.get', headers: { 'X-NoisyNN-Token': srv.token } });
  assert.equal(get.status, 405);
});

test('bodies over the limit are refused with 413', async () => {
  const small = await startServer({ handlers, maxBodyBytes: 1000 });
  try {
    const r = await request(small.port, {
      method: 'POST',
      path: '/api/runs.get',
      headers: { 'X-NoisyNN-Token': small.token },
      body: JSON.stringify({ id: 1, pad: 'x'.repeat(2000) }),
    });
    assert.equal(r.status, 413);
    assert.match(JSON.parse(r.body).error.message, /too large/);
  } finally {
    await small.close();
  }
});

/** The session cookie a token URL sets ("name=value"), from a 303 reply. */
function cookieFrom(r: Reply): string {
  const set = r.headers['set-cookie'];
  assert.ok(set && set.length === 1, `expected one Set-Cookie, got ${String(set)}`);
  return set[0].split(';')[0];
}

test('the token URL sets an HttpOnly, SameSite=Strict session cookie and redirects to the bare page', async () => {
  for (const p of ['/', '/index.html']) {
    const denied = await request(srv.port, { path: p });
    assert.equal(denied.status, 401, p);
    assert.match(denied.body, /noisynn serve/);
    assert.doesNotMatch(denied.body, /<script/);
    const wrong = await request(srv.port, { path: `${p}?token=nope` });
    assert.equal(wrong.status, 401, p);
    assert.equal(wrong.headers['set-cookie'], undefined);
    const trade = await request(srv.port, { path: `${p}?token=${srv.token}&x=1` });
    assert.equal(trade.status, 303, p);
    assert.equal(trade.headers.location, `${p}?x=1`, 'the token leaves the address bar; other parameters stay');
    const set = String(trade.headers['set-cookie']);
    assert.match(set, new RegExp(`^noisynn-session-${srv.port}=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict`));
    assert.ok(!set.includes(srv.token), 'the cookie is not the URL token');
    // The reload, a new tab, a bookmark: the bare page with the cookie.
    const ok = await request(srv.port, { path: p, headers: { Cookie: `other=1; ${cookieFrom(trade)}` } });
    assert.equal(ok.status, 200, p);
    assert.match(ok.body, /<title>app<\/title>/);
    assert.equal(ok.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(ok.headers['cache-control'], 'no-store');
    const csp = String(ok.headers['content-security-policy']);
    for (const d of [
      "default-src 'self'",
      "script-src 'self'",
      "connect-src 'self'",
      "img-src 'self' data: blob:",
      "style-src 'self' 'unsafe-inline'",
    ]) {
      assert.ok(csp.includes(d), `CSP lacks ${d}: ${csp}`);
    }
    // Never eval or inline scripts: the WebGL charts use plotly's precompiled traces.
    assert.match(csp, /script-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-eval/);
    assert.equal(ok.headers['x-content-type-options'], 'nosniff');
    assert.equal(ok.headers['referrer-policy'], 'no-referrer');
  }
});

test('the session cookie opens the API and the event stream, never for another Origin, another port or a forged value', async () => {
  const cookie = cookieFrom(await request(srv.port, { path: `/?token=${srv.token}` }));
  const call = await request(srv.port, { method: 'POST', path: '/api/runs.list', headers: { Cookie: cookie } });
  assert.equal(call.status, 200, call.body);
  const forged = await request(srv.port, {
    method: 'POST',
    path: '/api/runs.list',
    headers: { Cookie: cookie.replace(/=(.)/, (_m, c: string) => `=${c === '0' ? '1' : '0'}`) },
  });
  assert.equal(forged.status, 401);
  const foreign = await request(srv.port, {
    method: 'POST',
    path: '/api/runs.list',
    headers: { Cookie: cookie, Origin: 'http://evil.example' },
  });
  assert.equal(foreign.status, 403);
  const events = await request(srv.port, { path: '/api/events', headers: { Cookie: cookie, Origin: 'http://evil.example' } });
  assert.equal(events.status, 403);
  // Cookies ignore ports: a second server on 127.0.0.1 must not honour the first one's cookie.
  const other = await startServer({ handlers, staticDir });
  try {
    const moved = cookie.replace(`noisynn-session-${srv.port}`, `noisynn-session-${other.port}`);
    assert.equal((await request(other.port, { method: 'POST', path: '/api/runs.list', headers: { Cookie: moved } })).status, 401);
  } finally {
    await other.close();
  }
});

test('a server restarted with the same secret and port keeps an open tab signed in; a new secret does not', async () => {
  const secret = 'b'.repeat(64);
  const first = await startServer({ handlers, staticDir, secret });
  const port = first.port;
  const cookie = cookieFrom(await request(port, { path: `/?token=${first.token}` }));
  await first.close();
  const again = await startServer({ handlers, staticDir, secret, port });
  try {
    assert.notEqual(again.token, first.token, 'the URL token is new at every start');
    assert.equal((await request(port, { path: '/', headers: { Cookie: cookie } })).status, 200);
  } finally {
    await again.close();
  }
  const fresh = await startServer({ handlers, staticDir, secret: 'c'.repeat(64), port });
  try {
    assert.equal((await request(port, { path: '/', headers: { Cookie: cookie } })).status, 401);
  } finally {
    await fresh.close();
  }
});

test('assets are served without the token, with their content type', async () => {
  const js = await request(srv.port, { path: '/app.js' });
  assert.equal(js.status, 200);
  assert.equal(js.body, 'console.log("app");');
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(js.headers['x-content-type-options'], 'nosniff');
  const css = await request(srv.port, { path: '/assets/style.css' });
  assert.equal(css.status, 200);
  assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  const head = await request(srv.port, { method: 'HEAD', path: '/app.js' });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(Buffer.byteLength('console.log("app");')));
  assert.equal((await request(srv.port, { path: '/missing.js' })).status, 404);
  assert.equal((await request(srv.port, { path: '/assets' })).status, 404, 'directories are not listed');
  // index.html is never reachable by another path that would skip the token check.
  assert.equal((await request(srv.port, { path: '/./index.html' })).status, 401);
  assert.equal((await request(srv.port, { path: '/assets/../index.html' })).status, 401);
});

test('path traversal cannot leave the static root', async () => {
  const secret = `${path.basename(staticDir)}-secret.txt`;
  const attempts = [
    '/../package.json',
    `/../${secret}`,
    `/..%2f${secret}`,
    `/%2e%2e/${secret}`,
    `/%2e%2e%2f${secret}`,
    `/assets/..%2f..%2f${secret}`,
    `/..%5c${secret}`,
    '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/app.js%00.html',
    '/%E0%A4%A',
  ];
  for (const p of attempts) {
    const r = await request(srv.port, { path: p });
    assert.ok(r.status === 404 || r.status === 403 || r.status === 400, `${p} -> ${r.status}`);
    assert.notEqual(r.body, 'secret', p);
  }
});

test('a symlink pointing out of the static root is not followed', async (t) => {
  const link = path.join(staticDir, 'escape.txt');
  try {
    fs.symlinkSync(path.join(path.dirname(staticDir), `${path.basename(staticDir)}-secret.txt`), link);
  } catch {
    t.skip('symlinks not permitted here');
    return;
  }
  const r = await request(srv.port, { path: '/escape.txt' });
  assert.equal(r.status, 404);
  fs.rmSync(link);
});

/** Opens the event stream and collects its data lines until `count` arrived. */
function openEvents(
  port: number,
  pathAndQuery: string,
): Promise<{ res: http.IncomingMessage; next: (count: number) => Promise<unknown[]>; raw: () => string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathAndQuery, agent: false }, (res) => {
      let text = '';
      const waiters: (() => void)[] = [];
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
        for (const w of waiters.splice(0)) w();
      });
      const messages = () =>
        text
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => JSON.parse(l.slice(6)) as unknown);
      const next = (count: number) =>
        new Promise<unknown[]>((done) => {
          const check = () => (messages().length >= count ? done(messages()) : waiters.push(check));
          check();
        });
      resolve({ res, next, raw: () => text, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

test('the event stream needs the token', async () => {
  const r = await request(srv.port, { path: '/api/events' });
  assert.equal(r.status, 401);
  const evil = await request(srv.port, { path: `/api/events?token=${srv.token}`, headers: { Origin: 'http://evil.example' } });
  assert.equal(evil.status, 403);
});

test('emitted events reach SSE clients as {event, payload}; heartbeats keep the stream alive; disconnects are cleaned up', async () => {
  const a = await openEvents(srv.port, `/api/events?token=${srv.token}`);
  const b = await openEvents(srv.port, `/api/events?token=${srv.token}`);
  assert.equal(a.res.statusCode, 200);
  assert.match(String(a.res.headers['content-type']), /^text\/event-stream/);
  srv.emit('run.status', { runId: 3, status: 'running' });
  srv.emit('run.epoch', { runId: 3, epoch: 1, trainLoss: 0.5, trainAcc: 0.8, testTop1: 0.9, testTop5: 1, testLoss: 0.3 });
  const got = await a.next(2);
  assert.deepEqual(got, [
    { event: 'run.status', payload: { runId: 3, status: 'running' } },
    { event: 'run.epoch', payload: { runId: 3, epoch: 1, trainLoss: 0.5, trainAcc: 0.8, testTop1: 0.9, testTop5: 1, testLoss: 0.3 } },
  ]);
  assert.equal((await b.next(2)).length, 2);
  assert.equal(srv.eventClients, 2);
  // heartbeatMs is 50 in this server.
  await new Promise((r) => setTimeout(r, 120));
  assert.match(a.raw(), /: heartbeat\n\n/);
  a.close();
  b.close();
  // The server notices the disconnect; later emits must neither throw nor write to dead sockets.
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(srv.eventClients, 0);
  srv.emit('run.status', { runId: 3, status: 'completed' });
});

test('close() ends open event streams and stops listening', async () => {
  const s = await startServer({ handlers });
  const ev = await openEvents(s.port, `/api/events?token=${s.token}`);
  const ended = new Promise<void>((r) => ev.res.on('end', () => r()));
  await s.close();
  await ended;
  assert.equal(s.server.listening, false);
  await assert.rejects(request(s.port, { path: '/' }));
});

test('a chosen token and port are honoured; a too-short token is refused', async () => {
  await assert.rejects(startServer({ handlers, token: 'short' }), /at least 16/);
  const s = await startServer({ handlers, token: 'a'.repeat(32) });
  try {
    const r = await request(s.port, { method: 'POST', path: '/api/runs.list', headers: { 'X-NoisyNN-Token': 'a'.repeat(32) } });
    assert.equal(r.status, 200);
    await assert.rejects(startServer({ handlers, port: s.port }), /already in use/);
  } finally {
    await s.close();
  }
});

test('without a built renderer the API still works and / explains how to build it', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'noisynn-empty-'));
  const s = await startServer({ handlers, staticDir: empty });
  try {
    const cookie = cookieFrom(await request(s.port, { path: `/?token=${s.token}` }));
    const page = await request(s.port, { path: '/', headers: { Cookie: cookie } });
    assert.equal(page.status, 404);
    assert.match(page.body, /npm run build/);
    const r = await request(s.port, { method: 'POST', path: '/api/runs.list', headers: { 'X-NoisyNN-Token': s.token } });
    assert.equal(r.status, 200);
  } finally {
    await s.close();
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('noisynn serve: prints the JSON line when listening, answers with the token, exits 0 on SIGTERM', { timeout: 60_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'noisynn-serve-'));
  const emptyStatic = fs.mkdtempSync(path.join(os.tmpdir(), 'noisynn-serve-static-'));
  const cliModule = new URL('../../src-main/cli/main.ts', import.meta.url).href;
  const code = `const { main } = await import(${JSON.stringify(cliModule)});
process.exitCode = await main(${JSON.stringify(['serve', '--json', '--port', '0', '--data-dir', dataDir, '--static', emptyStatic])});`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  try {
    const info = await new Promise<{ url: string; port: number; token: string; dataDir: string }>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      void exited.then((c) => reject(new Error(`serve exited early (${c}): ${stderr}`)));
    });
    assert.equal(info.dataDir, dataDir);
    assert.equal(info.url, `http://127.0.0.1:${info.port}/?token=${info.token}`);
    assert.match(stdout, new RegExp(`NoisyNN Workbench: open http://127\\.0\\.0\\.1:${info.port}/\\?token=${info.token}`));
    assert.match(stderr, /renderer is not built.*npm run build/);
    const r = await request(info.port, { method: 'POST', path: '/api/app.info', headers: { 'X-NoisyNN-Token': info.token } });
    assert.equal(r.status, 200, r.body);
    const value = JSON.parse(r.body).value;
    assert.equal(value.transport, 'http');
    assert.equal(value.dataDir, dataDir);
    assert.equal((await request(info.port, { method: 'POST', path: '/api/app.info' })).status, 401);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(emptyStatic, { recursive: true, force: true });
  }
});
