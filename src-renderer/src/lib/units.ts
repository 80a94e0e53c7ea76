// How metric values are shown: accuracies (stored as fractions 0..1) in percent, everything else as
// stored. The one place that decides, so tables, the compare charts, the run page and the live chart agree.

/** Accuracy-like metric keys: train/acc, epoch/train_acc, test/top1, test/top5, a top-1 column. */
export function isAccuracyKey(key: string): boolean {
  return /(acc|top1|top5|top-1|top-5)/i.test(key);
}

/** The unit a key is displayed in ('%' for accuracies, '' otherwise). */
export const unitOf = (key: string): string => (isAccuracyKey(key) ? '%' : '');

/** A stored value on the display scale: accuracies times 100. */
export const toDisplay = (key: string, v: number): number => (isAccuracyKey(key) ? v * 100 : v);

export const seriesToDisplay = (key: string, values: readonly number[]): number[] =>
  isAccuracyKey(key) ? values.map((v) => v * 100) : values.slice();

/** "82.34%" for accuracies, "0.4123" for the rest, "—" for a missing value. */
export function formatMetric(key: string, v: number): string {
  if (!Number.isFinite(v)) return '—';
  return isAccuracyKey(key) ? `${(v * 100).toFixed(2)}%` : v.toFixed(4);
}

/** Mean ± std on the display scale: "82.34 ± 0.51%". */
export function formatMeanStd(key: string, mean: number, std: number): string {
  if (!Number.isFinite(mean)) return '—';
  return isAccuracyKey(key) ? `${(mean * 100).toFixed(2)} ± ${(std * 100).toFixed(2)}%` : `${mean.toFixed(4)} ± ${std.toFixed(4)}`;
}

/** An axis title with its unit: "test/top1 (%)". */
export const withUnit = (title: string, key: string): string => (unitOf(key) ? `${title} (${unitOf(key)})` : title);
