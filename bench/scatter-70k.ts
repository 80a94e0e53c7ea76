// Pan / zoom frame time of the WebGL scatter (plotly scattergl, the app's partial build) for the full
// 70,000-point MNIST train + test projection: PCA fitted on 5,000 training images, every image projected,
// one trace per class as the embedding view draws them. Chromium with the e2e harness's flags (WebGL
// through SwiftShader here: a software rasteriser, so these are upper bounds for a real GPU).
// Frame time = from a range change (plotly relayout) to the next animation frame after plotly drew it;
// the mouse drag reports the intervals between animation frames while plotly pans.
// Run: node --import tsx bench/scatter-70k.ts   (needs `npm run build` and /usr/bin/chromium)
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { loadMnist } from '../src-main/data/mnist';
import { fitPca, transformPca } from '../src-main/engine/embed/pca';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/e2e/harness';

const assets = join(import.meta.dirname, '..', 'out', 'renderer', 'assets');
const chunk = readdirSync(assets).find((f) => /^plotly-bundle-[\w-]+\.js$/.test(f));
if (!chunk) throw new Error(`no plotly-bundle-*.js in ${assets}: run npm run build`);

const t = performance.now();
const mnist = loadMnist();
const dim = 28 * 28;
const fitN = 5000;
const model = fitPca(mnist.splits.train.images.subarray(0, fitN * dim), fitN, dim, 2);
const train = transformPca(model, mnist.splits.train.images, mnist.splits.train.count);
const test = transformPca(model, mnist.splits.test.images, mnist.splits.test.count);
const n = mnist.splits.train.count + mnist.splits.test.count;
const labels = [...mnist.splits.train.labels, ...mnist.splits.test.labels];
const xy = [...train, ...test];
console.log(`projection: ${n.toLocaleString('en-US')} points (PCA, fitted on ${fitN}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const page0 = `<!doctype html><html><body style="margin:0"><div id="p" style="width:1200px;height:800px"></div></body></html>`;
const server = createServer((req, res) => {
  if (req.url === `/${chunk}`) {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(readFileSync(join(assets, chunk)));
  } else {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page0);
  }
}).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const port = (server.address() as { port: number }).port;

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1240, height: 860 } });
await page.goto(`http://127.0.0.1:${port}/`);
const renderer = await page.evaluate(() => {
  const gl = document.createElement('canvas').getContext('webgl');
  const ext = gl?.getExtension('WEBGL_debug_renderer_info');
  return gl && ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : 'no WebGL';
});
console.log(`WebGL: ${renderer}`);

const draw = await page.evaluate(
  async ({ chunk, xy, labels }) => {
    const P = (await import(`/${chunk}`)).default;
    const byClass: { x: number[]; y: number[] }[] = Array.from({ length: 10 }, () => ({ x: [], y: [] }));
    labels.forEach((c, i) => {
      byClass[c].x.push(xy[2 * i]);
      byClass[c].y.push(xy[2 * i + 1]);
    });
    const traces = byClass.map((p, c) => ({
      type: 'scattergl',
      mode: 'markers',
      name: String(c),
      x: p.x,
      y: p.y,
      marker: { size: 3, opacity: 0.6 },
    }));
    const el = document.getElementById('p')!;
    const t0 = performance.now();
    await P.react(el, traces, { dragmode: 'pan', margin: { l: 50, r: 16, t: 16, b: 40 } }, { displayModeBar: false });
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    (window as unknown as { P: unknown }).P = P;
    return { ms: performance.now() - t0, noWebgl: !!el.querySelector('.no-webgl'), points: traces.reduce((a, t) => a + t.x.length, 0) };
  },
  { chunk, xy, labels },
);
if (draw.noWebgl) throw new Error('plotly reports no WebGL: the bench measures nothing');
console.log(`first draw of ${draw.points.toLocaleString('en-US')} points: ${draw.ms.toFixed(0)} ms`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];

for (const kind of ['pan', 'zoom'] as const) {
  const frames = await page.evaluate(async (kind) => {
    const P = (window as unknown as { P: { relayout(el: HTMLElement, u: object): Promise<unknown> } }).P;
    const el = document.getElementById('p') as HTMLElement & { _fullLayout: { xaxis: { range: number[] }; yaxis: { range: number[] } } };
    const [x0, x1] = el._fullLayout.xaxis.range;
    const [y0, y1] = el._fullLayout.yaxis.range;
    const out: number[] = [];
    for (let i = 1; i <= 60; i++) {
      const t0 = performance.now();
      const s = kind === 'pan' ? (x1 - x0) * 0.01 * i : 0;
      const z = kind === 'zoom' ? 0.99 ** i : 1;
      const cx = (x0 + x1) / 2;
      const cy = (y0 + y1) / 2;
      await P.relayout(el, {
        'xaxis.range': [cx + (x0 - cx) * z + s, cx + (x1 - cx) * z + s],
        'yaxis.range': [cy + (y0 - cy) * z, cy + (y1 - cy) * z],
      });
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      out.push(performance.now() - t0);
    }
    return out;
  }, kind);
  console.log(`${kind} (60 range changes): frame median ${median(frames).toFixed(1)} ms, p95 ${p95(frames).toFixed(1)} ms`);
}

// A real mouse drag in pan mode: the animation-frame intervals while plotly follows the pointer.
// A string, not a function: tsx would wrap a named inner function in a helper the page does not have.
await page.evaluate(`(() => {
  window.frames_ = [];
  window.rec = true;
  let last = performance.now();
  const tick = (now) => {
    window.frames_.push(now - last);
    last = now;
    if (window.rec) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`);
await page.mouse.move(400, 400);
await page.mouse.down();
for (let i = 1; i <= 60; i++) await page.mouse.move(400 + i * 5, 400 + i * 2);
await page.mouse.up();
const dragFrames = await page.evaluate(() => {
  const w = window as unknown as { frames_: number[]; rec: boolean };
  w.rec = false;
  return w.frames_.slice(1);
});
console.log(
  `mouse drag (60 moves): ${dragFrames.length} frames, interval median ${median(dragFrames).toFixed(1)} ms, p95 ${p95(dragFrames).toFixed(1)} ms`,
);

await browser.close();
server.close();
