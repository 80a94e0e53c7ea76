import { mount } from 'svelte';
import App from './App.svelte';
import { warmPlotly } from './components/charts/plotly';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');

const app = mount(App, { target });
warmPlotly();
export default app;
