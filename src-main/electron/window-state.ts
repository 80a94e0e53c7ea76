// The window's size and position, kept across starts in the user-data folder. A bad or missing file
// means the default size; a saved position that no display shows any more is dropped.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { app, screen, type BrowserWindow, type Rectangle } from 'electron';

const file = (): string => join(app.getPath('userData'), 'window-state.json');

export interface WindowState {
  bounds: Partial<Rectangle>;
  maximized: boolean;
}

export function loadWindowState(): WindowState {
  try {
    const s = JSON.parse(readFileSync(file(), 'utf8')) as WindowState;
    const b = s.bounds;
    const ok = [b.width, b.height].every((v) => typeof v === 'number' && v >= 600 && v <= 10000);
    if (!ok) return { bounds: { width: 1400, height: 900 }, maximized: false };
    const onScreen =
      typeof b.x === 'number' &&
      typeof b.y === 'number' &&
      screen
        .getAllDisplays()
        .some((d) => b.x! >= d.bounds.x && b.y! >= d.bounds.y && b.x! < d.bounds.x + d.bounds.width && b.y! < d.bounds.y + d.bounds.height);
    return { bounds: onScreen ? b : { width: b.width, height: b.height }, maximized: s.maximized === true };
  } catch {
    return { bounds: { width: 1400, height: 900 }, maximized: false };
  }
}

export function saveWindowState(win: BrowserWindow): void {
  try {
    const state: WindowState = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
    writeFileSync(file(), JSON.stringify(state));
  } catch {
    /* losing the window position is not worth an error */
  }
}
