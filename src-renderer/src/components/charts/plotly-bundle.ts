// The plotly build the app ships: plotly's core (which holds 'scatter') plus only the traces the
// charts draw. The full dist bundle is 4.6 MB of traces nobody here uses (maps, 3-D, finance ...).
// A trace type not registered here draws nothing: add it to TRACES before using it in a chart.
import Plotly from 'plotly.js/lib/core';
import bar from 'plotly.js/lib/bar';
import heatmap from 'plotly.js/lib/heatmap';
import parcoords from 'plotly.js/lib/parcoords';
import scattergl from 'plotly.js/lib/scattergl';

export const TRACES = ['scatter', 'scattergl', 'bar', 'heatmap', 'parcoords'] as const;

Plotly.register([bar, heatmap, parcoords, scattergl]);

export default Plotly;
