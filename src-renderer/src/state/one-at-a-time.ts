// Calls made while a load is in flight share it: views that open at the same moment (or a view and the
// shell) send one request, not one each.
export function oneAtATime<T>(load: () => Promise<T>): () => Promise<T> {
  let inflight: Promise<T> | null = null;
  return () => (inflight ??= load().finally(() => (inflight = null)));
}
