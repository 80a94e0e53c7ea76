// Saves text or an image as a file through a Blob and an <a download> link: the same path in Electron
// (its download handler) and in a browser tab, and one Playwright can catch as a 'download' event.
// A data: URL is decoded here rather than fetched, because the page's CSP allows connections to 'self' only.
import { base64ToBytes } from './decode';

export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The click has handed the URL to the download; revoke a little later so slow handlers still read it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function saveText(name: string, text: string, mime: string): void {
  saveBlob(name, new Blob([text], { type: mime }));
}

/** 'data:image/png;base64,...' or 'data:image/svg+xml,<svg ...' (URL-encoded) to a Blob. */
export function dataUrlToBlob(url: string): Blob {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) throw new Error('not a data: URL');
  const head = url.slice(5, comma);
  const body = url.slice(comma + 1);
  const mime = head.split(';')[0] || 'application/octet-stream';
  if (head.endsWith(';base64')) {
    return new Blob([base64ToBytes(body)], { type: mime });
  }
  return new Blob([decodeURIComponent(body)], { type: mime });
}
