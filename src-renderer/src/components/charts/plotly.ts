// The single lazy import of plotly (the partial build in plotly-bundle.ts): loaded the first time a
// chart is shown or when the browser is first idle (warmPlotly), so the app starts fast and the first
// chart rarely waits. Shared by every chart; only files in components/charts import plotly.
type PlotlyModule = typeof import('./plotly-bundle');
export type Plotly = PlotlyModule['default'];

let loading: Promise<Plotly> | null = null;

export function loadPlotly(): Promise<Plotly> {
  loading ??= import('./plotly-bundle').then((m) => m.default);
  loading.catch(() => (loading = null));
  return loading;
}

/**
 * Starts loading plotly once the browser has nothing else to do after the first paint, so the user's
 * first chart finds it parsed. Errors are left to the chart that needs it (loadPlotly retries).
 */
export function warmPlotly(): void {
  const start = (): void => void loadPlotly().catch(() => undefined);
  const idle = (globalThis as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number }).requestIdleCallback;
  requestAnimationFrame(() => (idle ? idle(start, { timeout: 5000 }) : setTimeout(start, 200)));
}

/** Colours from the app's CSS variables, so charts follow the theme. */
export function themeColors(el: HTMLElement): { fg: string; muted: string; grid: string; font: string } {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--text', '#1d1d22'),
    muted: v('--muted', '#6b7280'),
    grid: v('--border', '#e3e7ee'),
    font: cs.fontFamily || 'system-ui, sans-serif',
  };
}

/** Plotly options shared by every chart: no logo, no cloud links, no mode-bar clutter. */
export const PLOT_CONFIG = { displaylogo: false, responsive: true, displayModeBar: false, showTips: false } as const;
