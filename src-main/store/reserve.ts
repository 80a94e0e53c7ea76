// Room to record that the disk is full. When the disk holding the store fills up, SQLite cannot write
// anything, not even the row that says a run failed because of it; the trainer would die leaving its run
// 'running'. So a writable store keeps a small reserve file beside the database, and a run's final status
// that meets SQLITE_FULL deletes the reserve and is written into the space it frees. The next open
// makes the reserve again once there is room; until then the app's queue starts no trainer (it would
// fill the disk again with no room left to record its end).
import fs from 'node:fs';
import path from 'node:path';

export const RESERVE_FILE = 'disk-reserve';
export const RESERVE_BYTES = 1 << 20;

export const reservePath = (dataDir: string): string => path.join(dataDir, RESERVE_FILE);

export const isDiskFull = (e: unknown): boolean => String((e as { code?: unknown }).code ?? '') === 'SQLITE_FULL';

/**
 * Makes the reserve when it is missing and the disk has room for it twice over (never the write that fills it).
 * False only when the disk is too full for it; a filesystem that cannot say how full it is does not block anything.
 */
export function ensureReserve(dataDir: string): boolean {
  const file = reservePath(dataDir);
  if (fs.existsSync(file)) return true;
  try {
    const st = fs.statfsSync(dataDir);
    if (st.bavail * st.bsize < 2 * RESERVE_BYTES) return false;
    fs.writeFileSync(`${file}.tmp`, Buffer.alloc(RESERVE_BYTES));
    fs.renameSync(`${file}.tmp`, file);
    return true;
  } catch (e) {
    fs.rmSync(`${file}.tmp`, { force: true });
    return (e as NodeJS.ErrnoException).code !== 'ENOSPC' && (e as NodeJS.ErrnoException).code !== 'EDQUOT';
  }
}

/** Frees the reserve; true when there was one to free. */
export function releaseReserve(dataDir: string): boolean {
  try {
    fs.unlinkSync(reservePath(dataDir));
    return true;
  } catch {
    return false;
  }
}
