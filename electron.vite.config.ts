// One build for the three Electron targets. The renderer output is also what the loopback server
// serves in browser mode, so its asset paths are relative (base './') and it imports nothing from Node.
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      // The shell only: the services, trainers and replica threads run in the backend host under Node
      // (bin/noisynn.mjs serve), never in Electron. test/integration/electron-bundle.test.ts checks that
      // this bundle reaches nothing but Node built-ins and 'electron'.
      rolldownOptions: {
        input: { index: resolve(root, 'src-main/electron/main.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rolldownOptions: {
        input: { index: resolve(root, 'src-main/electron/preload.ts') },
        // A sandboxed preload cannot be an ES module: CommonJS, with an extension that says so
        // (package.json has "type": "module").
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    base: './',
    // resources/ (the app icon) is copied beside index.html: the favicon in browser mode and the window.
    publicDir: resolve(root, 'resources'),
    resolve: { alias: { '@api': resolve(root, 'src-main/api') } },
    // Some of plotly's dependencies (the partial build in components/charts/plotly-bundle.ts) read Node's `global`.
    define: { global: 'globalThis' },
    plugins: [svelte()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: resolve(root, 'src-renderer/index.html') },
      // plotly (1.5 MB minified) is loaded lazily in its own chunk; the warning is noise.
      chunkSizeWarningLimit: 5000,
      // Browser mode serves these files over HTTP: minified, the app chunk is 72 kB instead of 211 kB and plotly's partial build 1.5 MB.
      minify: true,
    },
  },
});
