// Files of the built renderer (out/renderer). They hold no data, so assets are served without the
// token; only the app page itself asks for it (see http-server.ts). Every path is resolved and checked
// to stay inside the root, symlinks included, so no request can read another file of the machine.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ServerResponse } from 'node:http';
import { setHtmlHeaders } from './headers';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function contentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * The file a URL path names under `root`, or null when it is outside the root, missing, or not a
 * regular file. `urlPath` is the still percent-encoded pathname (so %2F cannot smuggle a separator
 * past the URL parser's dot-segment handling: it is decoded here and then checked like any other).
 */
export async function resolveStatic(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const absRoot = path.resolve(root);
  const candidate = path.resolve(absRoot, `.${path.posix.normalize(`/${decoded}`)}`);
  if (!inside(absRoot, candidate)) return null;
  try {
    const [realRoot, realFile] = await Promise.all([fs.promises.realpath(absRoot), fs.promises.realpath(candidate)]);
    if (!inside(realRoot, realFile)) return null;
    const st = await fs.promises.stat(realFile);
    return st.isFile() ? realFile : null;
  } catch {
    return null;
  }
}

export async function sendFile(res: ServerResponse, file: string, headOnly: boolean): Promise<void> {
  const st = await fs.promises.stat(file);
  const type = contentType(file);
  res.statusCode = 200;
  if (type.startsWith('text/html')) setHtmlHeaders(res);
  else {
    res.setHeader('Content-Type', type);
    // Revalidate rather than trust a cache: a rebuilt renderer must never mix with stale assets.
    res.setHeader('Cache-Control', 'no-cache');
  }
  res.setHeader('Content-Length', st.size);
  if (headOnly) {
    res.end();
    return;
  }
  await pipeline(fs.createReadStream(file), res);
}
