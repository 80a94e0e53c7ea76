// Server-Sent Events: the browser-mode channel for the contract's pushed events. SSE needs no
// dependency (unlike WebSocket) and EventSource reconnects by itself. Each message is one `data:` line
// holding {"event", "payload"}, so a single `onmessage` handler sees every event.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiEvent, ApiEvents } from '../api/contract';

/** A client that stopped reading is dropped once this much is queued for it, rather than growing memory. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(heartbeatMs = 15_000) {
    // Proxies and some browsers give up on a silent stream; a comment line keeps it open and
    // surfaces dead sockets (the write fails and 'close' fires).
    this.heartbeat = setInterval(() => this.writeAll(': heartbeat\n\n'), heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  attach(req: IncomingMessage, res: ServerResponse): void {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true);
    // The retry hint makes EventSource reconnect quickly after `noisynn serve` restarts.
    res.write('retry: 2000\n: connected\n\n');
    this.clients.add(res);
    const drop = () => this.clients.delete(res);
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
  }

  emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void {
    if (this.clients.size === 0) return;
    // JSON has no raw newlines outside strings, and JSON.stringify escapes those inside, so one data line suffices.
    this.writeAll(`data: ${JSON.stringify({ event, payload })}\n\n`);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private writeAll(chunk: string): void {
    for (const res of this.clients) {
      if (res.writableEnded || res.destroyed) {
        this.clients.delete(res);
        continue;
      }
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(chunk);
    }
  }
}
