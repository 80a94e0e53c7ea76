// Who may talk to the server: the holder of a random token (Jupyter-style), from a page served by this
// very server. A loopback port is reachable by every web page the user opens, so three checks apply:
// the token (no other local page or process can guess it), the Origin header (no cross-site request),
// and the Host header (no DNS rebinding, where evil.example resolves to 127.0.0.1 and becomes "same origin").
// A page opened with the token URL trades it once for a session cookie (as Jupyter Server does), so a reload,
// a new tab or a bookmark of the bare origin keeps working; the cookie is HttpOnly and SameSite=Strict, and
// the Origin/Host checks still refuse every other site.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const TOKEN_HEADER = 'x-noisynn-token';

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** Cookies are per host, not per port: the name carries the port so two servers on 127.0.0.1 never mix. */
export function sessionCookieName(port: number): string {
  return `noisynn-session-${port}`;
}

/**
 * The session cookie's value: an HMAC of the port under the server's secret. `noisynn serve` keeps the
 * secret in the data dir, so a restarted server on the same port still accepts an open tab's cookie.
 */
export function sessionValue(secret: string, port: number): string {
  return createHmac('sha256', secret).update(`noisynn-session:${port}`).digest('hex');
}

/** Sets the session cookie (30 days: a bookmark of the bare origin keeps working across browser restarts). */
export function setSessionCookie(res: ServerResponse, port: number, value: string): void {
  res.setHeader('Set-Cookie', `${sessionCookieName(port)}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${30 * 24 * 3600}`);
}

/** The value of one cookie of the request, or undefined. */
export function requestCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Constant-time comparison. Both sides are hashed first so the comparison does not leak the token's
 * length either (timingSafeEqual itself throws on unequal lengths).
 */
export function tokenMatches(given: string | undefined | null, token: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** The exact Host header values this server answers to (it listens on 127.0.0.1 only). */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/** The origins of pages this server itself serves. */
export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

/** Why a request is refused before any routing (403), or null when it may proceed. */
export function refuseReason(req: IncomingMessage, port: number): string | null {
  const host = req.headers.host?.toLowerCase();
  if (!host || !allowedHosts(port).has(host)) return `Host '${req.headers.host ?? ''}' is not served here: use http://127.0.0.1:${port}/`;
  const origin = req.headers.origin;
  // A request without Origin is a same-origin GET or a non-browser client; those carry the token.
  if (origin !== undefined && !allowedOrigins(port).has(origin.toLowerCase()))
    return `cross-origin requests are refused (Origin '${origin}')`;
  if (req.method === 'OPTIONS') return 'cross-origin requests are refused (no CORS preflight is answered)';
  return null;
}

/** The token carried by a request: the header, and for GETs (EventSource, the page URL) the query too. */
export function requestToken(req: IncomingMessage, url: URL, allowQuery: boolean): string | undefined {
  const header = req.headers[TOKEN_HEADER];
  if (typeof header === 'string' && header.length > 0) return header;
  if (allowQuery) return url.searchParams.get('token') ?? undefined;
  return undefined;
}
