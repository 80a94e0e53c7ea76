// Response headers every reply carries, and the stricter ones for HTML. No Access-Control-Allow-*
// header is ever sent: the API is for pages this server serves, never for other origins.
import type { ServerResponse } from 'node:http';

// Scripts only from this origin: no inline scripts, no remote hosts, no eval. Plotly's WebGL traces are
// registered in their precompiled ("strict") form for this (components/charts/plotly-bundle.ts).
export const HTML_CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** For non-HTML replies (JSON, assets): nothing in them should ever run as a document. */
const OTHER_CSP = "default-src 'none'; frame-ancestors 'none'";

export function setCommonHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Content-Security-Policy', OTHER_CSP);
}

export function setHtmlHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', HTML_CSP);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  // index.html is the page the token URL opens; never keep it (or the token-bearing URL's reply) in a cache.
  res.setHeader('Cache-Control', 'no-store');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string, code?: string): void {
  sendJson(res, status, { error: code ? { message, code } : { message } });
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small self-contained HTML page (no scripts, no external resources) for 401 / 404 of the app page. */
export function sendHtmlMessage(res: ServerResponse, status: number, title: string, body: string): void {
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body></html>`;
  res.statusCode = status;
  setHtmlHeaders(res);
  res.setHeader('Content-Length', Buffer.byteLength(html));
  res.end(html);
}
