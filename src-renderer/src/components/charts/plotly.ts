// The single lazy import of plotly (about 4.8 MB): loaded the first time a chart is shown, so the
// app starts fast, and shared by every chart. Only files in components/charts import plotly.
type PlotlyModule = typeof import('plotly.js-dist-min');
export type Plotly = PlotlyModule['default'];

let loading: Promise<Plotly> | null = null;

export function loadPlotly(): Promise<Plotly> {
  loading ??= import('plotly.js-dist-min').then((m) => {
    // The UMD bundle arrives as a default export after Vite's CommonJS interop.
    const mod = m as unknown as { default?: Plotly } & Plotly;
    return mod.default ?? mod;
  });
  loading.catch(() => (loading = null));
  return loading;
}

/** Colours from the app's CSS variables, so charts follow the theme. */
export function themeColors(el: HTMLElement): { fg: string; muted: string; grid: string; font: string } {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback;
  return { fg: v('--text', '#1d1d22'), muted: v('--muted', '#6b7280'), grid: v('--border', '#e3e7ee'), font: cs.fontFamily || 'system-ui, sans-serif' };
}

/** Plotly options shared by every chart: no logo, no cloud links, no mode-bar clutter. */
export const PLOT_CONFIG = { displaylogo: false, responsive: true, displayModeBar: false, showTips: false } as const;
