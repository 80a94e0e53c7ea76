// The plotly build the app ships: plotly's core (which holds 'scatter') plus only the traces the
// charts draw. The full dist bundle is 4.6 MB of traces nobody here uses (maps, 3-D, finance ...).
// A trace type not registered here draws nothing: add it to TRACES before using it in a chart.
// The WebGL traces come in plotly's "strict" form (regl shaders precompiled, as its index-strict build does),
// so they draw under a CSP without 'unsafe-eval'; the default forms compile draw calls with new Function.
import Plotly from 'plotly.js/lib/core';
import bar from 'plotly.js/lib/bar';
import heatmap from 'plotly.js/lib/heatmap';
import parcoords from 'plotly.js/src/traces/parcoords/strict';
import scattergl from 'plotly.js/src/traces/scattergl/strict';

export const TRACES = ['scatter', 'scattergl', 'bar', 'heatmap', 'parcoords'] as const;

Plotly.register([bar, heatmap, parcoords, scattergl]);

export default Plotly;
