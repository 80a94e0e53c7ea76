// The loopback transport of the API contract (browser mode, `noisynn serve`):
//   POST /api/<method>   JSON request body -> 200 {"value"} | 4xx/5xx {"error": {"message"}}
//   GET  /api/events     Server-Sent Events of {"event", "payload"}
//   GET  /, /index.html  the renderer page (the token URL sets a session cookie, then redirects to the bare
//                        path); other GETs: the renderer's assets
//   GET  /files/<folder>/<file>  a file the app wrote in the data directory (DOWNLOAD_FOLDERS only), as a download
// It binds 127.0.0.1 only and trusts nothing else about the network: see auth.ts for the checks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { API_METHODS, DOWNLOAD_FOLDERS, DOWNLOAD_ROUTE, type ApiMethod } from '../api/contract';
import { httpStatus } from '../errors';
import {
  TOKEN_HEADER,
  newToken,
  refuseReason,
  requestCookie,
  requestToken,
  sessionCookieName,
  sessionValue,
  setSessionCookie,
  tokenMatches,
} from './auth';
import { EventHub } from './events';
import { sendError, sendHtmlMessage, sendJson, sendText, setCommonHeaders } from './headers';
import { resolveStatic, sendFile } from './static';
import type { Emit, Handlers } from './types';

export type { Emit, Handlers } from './types';

export interface ServerOptions {
  handlers: Partial<Handlers>;
  /** The built renderer (out/renderer); without it only the API is served. */
  staticDir?: string;
  /** The data directory: its DOWNLOAD_FOLDERS are served under DOWNLOAD_ROUTE. Without it there are no downloads. */
  dataDir?: string;
  /** Only loopback is supported: the server is a local desktop bridge, never a network service. */
  host?: '127.0.0.1';
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default: 32 random bytes, hex. */
  token?: string;
  /** Signs the session cookie; keep it across restarts to keep open tabs signed in. Default: random. */
  secret?: string;
  /** Largest accepted request body. Default 10 MB. */
  maxBodyBytes?: number;
  /** SSE keep-alive interval. Default 15 s (tests shorten it). */
  heartbeatMs?: number;
}

export interface RunningServer {
  /** http://127.0.0.1:PORT/?token=TOKEN: the address to open. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  token: string;
  /** Pushes an event to every connected /api/events stream. */
  emit: Emit;
  /** How many /api/events streams are open (diagnostics, tests). */
  readonly eventClients: number;
  /** The underlying node server (tests check what it is bound to). */
  server: http.Server;
  close(): Promise<void>;
}

const KNOWN_METHODS = new Set<string>(API_METHODS);
const DEFAULT_MAX_BODY = 10 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpError(413, `request body too large (${declared} bytes; limit ${limit})`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `request body too large (over ${limit} bytes)`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
      failed = true;
    });
  });
}

/** The request object of a method call: a JSON object; an empty body means `{}` (methods without arguments). */
function parseRequest(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `request body is not valid JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'request body must be a JSON object');
  return value as Record<string, unknown>;
}

function errorMessage(e: unknown): { message: string; code?: string } {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { message: e.message || e.name, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { message: String(e) };
}

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  if (o.host !== undefined && o.host !== '127.0.0.1')
    throw new Error(`startServer: only 127.0.0.1 is supported, got host '${o.host as string}'`);
  const requestedPort = o.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535)
    throw new Error(`startServer: port must be an integer 0..65535, got ${requestedPort}`);
  const token = o.token ?? newToken();
  if (typeof token !== 'string' || token.length < 16) throw new Error('startServer: the token must be a string of at least 16 characters');
  const secret = o.secret ?? newToken();
  const maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const staticDir = o.staticDir ? path.resolve(o.staticDir) : undefined;
  const handlers = o.handlers;
  const hub = new EventHub(o.heartbeatMs);
  let port = 0; // known once listening; no request is handled before that
  let session = ''; // the session cookie's name and value for this port, made once when listening
  let cookieName = '';

  /** The token (header, or query where allowed) or the session cookie this server's token URL set. */
  function authorised(req: http.IncomingMessage, url: URL, allowQuery: boolean): boolean {
    if (tokenMatches(requestToken(req, url, allowQuery), token)) return true;
    return tokenMatches(requestCookie(req, cookieName), session);
  }

  async function callMethod(req: http.IncomingMessage, res: http.ServerResponse, url: URL, name: string): Promise<void> {
    if (!authorised(req, url, false)) {
      sendError(
        res,
        401,
        `missing or wrong API token: send the ${TOKEN_HEADER} header (the token is in the URL printed by 'noisynn serve')`,
        'unauthorized',
      );
      return;
    }
    if (!KNOWN_METHODS.has(name)) {
      sendError(res, 400, `unknown API method '${name}'`, 'unknown-method');
      return;
    }
    const handler = handlers[name as ApiMethod] as ((r: unknown) => Promise<unknown>) | undefined;
    if (!handler) {
      sendError(res, 501, `API method '${name}' is not available in this server`, 'not-implemented');
      return;
    }
    let request: Record<string, unknown>;
    try {
      request = parseRequest(await readBody(req, maxBody));
    } catch (e) {
      if (e instanceof HttpError) sendError(res, e.status, e.message, e.status === 413 ? 'too-large' : 'bad-request');
      else throw e;
      return;
    }
    let value: unknown;
    try {
      value = await handler(request);
    } catch (e) {
      const { message, code } = errorMessage(e);
      sendError(res, httpStatus(e), message, code);
      return;
    }
    // `undefined` would vanish from the JSON and leave a reply without "value".
    sendJson(res, 200, { value: value === undefined ? null : value });
  }

  async function serveApp(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const head = req.method === 'HEAD';
    const isPage = url.pathname === '/' || url.pathname === '/index.html';
    if (isPage) {
      if (url.searchParams.has('token') && tokenMatches(url.searchParams.get('token'), token)) {
        // Trade the URL token for the cookie once, and take the token out of the address bar, history and
        // bookmarks by redirecting to the same page without it.
        setSessionCookie(res, port, session);
        url.searchParams.delete('token');
        res.statusCode = 303;
        res.setHeader('Location', url.pathname + url.search);
        res.setHeader('Cache-Control', 'no-store');
        res.end();
        return;
      }
      if (!authorised(req, url, false)) {
        sendHtmlMessage(
          res,
          401,
          'NoisyNN Workbench: token required',
          "This page needs its access token. Open the full URL printed by 'noisynn serve' (it ends in ?token=...).",
        );
        return;
      }
      const index = staticDir ? await resolveStatic(staticDir, '/index.html') : null;
      if (!index) {
        sendHtmlMessage(
          res,
          404,
          'NoisyNN Workbench: renderer not built',
          "The API is running, but the web interface has not been built. Run 'npm run build', then restart 'noisynn serve'.",
        );
        return;
      }
      await sendFile(res, index, head);
      return;
    }
    const file = staticDir ? await resolveStatic(staticDir, url.pathname) : null;
    if (!file || path.basename(file) === 'index.html') {
      // index.html only ever goes out through the token check above.
      sendText(res, 404, 'not found');
      return;
    }
    await sendFile(res, file, head);
  }

  /** A file of a download folder, as an attachment; anything else in the data directory is never served. */
  async function serveDownload(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (!authorised(req, url, false)) {
      sendError(res, 401, "missing or wrong session: open the app from the URL printed by 'noisynn serve' first", 'unauthorized');
      return;
    }
    const rest = url.pathname.slice(DOWNLOAD_ROUTE.length);
    const folder = rest.split('/')[0];
    const file =
      o.dataDir && DOWNLOAD_FOLDERS.includes(folder) ? await resolveStatic(path.join(o.dataDir, folder), rest.slice(folder.length)) : null;
    if (!file) {
      sendError(res, 404, `no such file to download: ${url.pathname}`, 'not-found');
      return;
    }
    res.setHeader('Content-Disposition', `attachment; filename="${path.basename(file).replace(/[^\w.-]/g, '_')}"`);
    await sendFile(res, file, req.method === 'HEAD');
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    setCommonHeaders(res);
    const refused = refuseReason(req, port);
    if (refused) {
      sendError(res, 403, refused, 'forbidden');
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      sendError(res, 400, 'malformed request URL', 'bad-request');
      return;
    }
    const method = req.method ?? 'GET';
    if (url.pathname === '/api/events') {
      if (method !== 'GET') {
        res.setHeader('Allow', 'GET');
        sendError(res, 405, 'use GET for /api/events', 'method-not-allowed');
        return;
      }
      if (!authorised(req, url, true)) {
        sendError(
          res,
          401,
          "missing or wrong API token: open /api/events?token=... (the token is in the URL printed by 'noisynn serve')",
          'unauthorized',
        );
        return;
      }
      hub.attach(req, res);
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      if (method !== 'POST') {
        res.setHeader('Allow', 'POST');
        sendError(res, 405, `use POST for ${url.pathname}`, 'method-not-allowed');
        return;
      }
      // Method names are plain ASCII ('runs.list'); anything encoded is simply an unknown method.
      await callMethod(req, res, url, url.pathname.slice('/api/'.length));
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendError(res, 405, `${method} is not supported here`, 'method-not-allowed');
      return;
    }
    if (url.pathname.startsWith(DOWNLOAD_ROUTE)) {
      await serveDownload(req, res, url);
      return;
    }
    await serveApp(req, res, url);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Anything not already answered (a failed file stream, a bug) becomes a readable 500, never a hang.
      if (!res.headersSent) sendError(res, 500, errorMessage(e).message, 'internal');
      else res.destroy();
    });
  });
  // Requests carrying unparseable HTTP get a plain 400 and the socket closed.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      hub.close();
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `port ${requestedPort} on 127.0.0.1 is already in use: pick another with --port, or 0 for any free port`
            : `cannot listen on 127.0.0.1:${requestedPort}: ${e.message}`,
        ),
      );
    };
    server.once('error', onError);
    server.listen(requestedPort, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  session = sessionValue(secret, port);
  cookieName = sessionCookieName(port);
  const origin = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    emit: (event, payload) => hub.emit(event, payload),
    get eventClients() {
      return hub.size;
    },
    server,
    close() {
      closing ??= new Promise<void>((resolve) => {
        hub.close();
        server.close(() => resolve());
        // Keep-alive sockets would otherwise hold close() open for their idle timeout.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
