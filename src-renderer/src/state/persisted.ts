// Form state kept in the browser's localStorage, so a reload, a new tab or a restarted server brings the
// user back to what they typed. What is restored is checked against the defaults: only keys the defaults
// have, only values of the same type, so an older or hand-edited entry can never break the form.
type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `saved` over `defaults`, key by key, where the types agree (plain objects merged the same way). */
export function mergeSaved<T extends object>(defaults: T, saved: unknown): T {
  if (!isPlain(saved)) return defaults;
  const out: Plain = { ...(defaults as Plain) };
  for (const [k, d] of Object.entries(defaults as Plain)) {
    const v = saved[k];
    if (v === undefined) continue;
    if (isPlain(d)) out[k] = mergeSaved(d, v);
    else if (d === undefined || d === null ? typeof v !== 'object' : typeof v === typeof d && Array.isArray(v) === Array.isArray(d))
      out[k] = v;
  }
  // Optional keys the defaults leave out but the form may carry (e.g. a ResNet site's stage).
  for (const [k, v] of Object.entries(saved))
    if (!(k in out) && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')) out[k] = v;
  return out as T;
}

export function restore<T extends object>(key: string, defaults: T): T {
  try {
    const text = localStorage.getItem(key);
    return text ? mergeSaved(defaults, JSON.parse(text)) : defaults;
  } catch {
    return defaults;
  }
}

export function persist(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: the form simply is not kept */
  }
}
