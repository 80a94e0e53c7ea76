// The one categorical palette: classes in the embedding scatter, runs and groups in every chart.
// Tableau 10 (Tableau's default since 2016, designed so that its ten hues stay distinct from each other,
// also for the common colour-vision deficiencies). Concrete hex values: plotly cannot read CSS variables.
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function color(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];
}
