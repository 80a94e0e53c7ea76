// plotly.js ships no types; this declares the little the chart components call.
declare module 'plotly.js/lib/core' {
  interface PlotlyStatic {
    react(el: HTMLElement, data: object[], layout?: object, config?: object): Promise<HTMLElement>;
    purge(el: HTMLElement): void;
    register(modules: unknown[]): void;
    Plots: { resize(el: HTMLElement): void };
  }
  const Plotly: PlotlyStatic;
  export default Plotly;
}
declare module 'plotly.js/lib/bar' {
  const trace: unknown;
  export default trace;
}
declare module 'plotly.js/lib/heatmap' {
  const trace: unknown;
  export default trace;
}
declare module 'plotly.js/src/traces/parcoords/strict' {
  const trace: unknown;
  export default trace;
}
declare module 'plotly.js/src/traces/scattergl/strict' {
  const trace: unknown;
  export default trace;
}
