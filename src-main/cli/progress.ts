// A one-line progress bar on a terminal (stderr), plain periodic lines otherwise.

export class Progress {
  private lastDraw = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(private readonly quiet = false) {}

  /** done/total in steps; rate in images per second; perStep images per step (for the ETA). */
  update(done: number, total: number, rate: number, perStep: number, extra: string): void {
    if (this.quiet) return;
    const now = Date.now();
    const final = done >= total;
    if (!final && now - this.lastDraw < (this.tty ? 100 : 10_000)) return;
    this.lastDraw = now;
    const frac = total > 0 ? done / total : 0;
    const eta = rate > 0 ? formatSeconds(((total - done) * perStep) / rate) : '?';
    const width = 28;
    const fill = Math.round(frac * width);
    const bar = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}]`;
    const line = `${bar} ${(frac * 100).toFixed(1).padStart(5)}% ${done}/${total} ${rate.toFixed(0)} img/s ETA ${eta} ${extra}`;
    if (this.tty) process.stderr.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  }

  line(text: string): void {
    if (this.quiet) return;
    if (this.tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(`${text}\n`);
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  const sec = Math.round(s % 60);
  return m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
