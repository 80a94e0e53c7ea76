// Lint for the whole repository (`npm run lint`; `npm test` runs it first and fails on any finding).
// Besides the recommended TypeScript and Svelte rules it enforces the layering the house rules name:
// the renderer imports only the API contract, the Electron shell loads no native addon, the engine
// knows nothing of the store, the server or Electron, and no module imports itself back through a cycle.
// test/unit/lint-rules.test.ts shows each of these rules failing on a file that breaks it.
import { resolve } from 'node:path';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

// The native addons are built for Node's ABI and would throw inside Electron
// (test/integration/electron-bundle.test.ts checks the built bundles for the same thing).
const NATIVE_ADDONS = ['better-sqlite3', 'sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      'test-results/',
      'test/fixtures/',
      'bench/reference/',
      'docs/',
      'resources/',
      '.noisynn-test-*/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { 'import-x': importX },
    settings: {
      // The files an import leads to are read as TypeScript, also when the importer is a .svelte file.
      'import-x/extensions': ['.ts', '.mjs', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mjs', '.js'] },
      // Imports are resolved to files so the path rules below see where an import lands, not how it is spelt.
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.mjs', '.js', '.json', '.node'],
          alias: { '@api': [resolve(root, 'src-main/api')] },
        }),
      ],
    },
    rules: {
      // The renderer keeps plain Map/Set on purpose for caches and temporaries (a reactive copy would re-render
      // on every cache write); state that views read is SvelteMap or $state (queue.svelte.ts).
      'svelte/prefer-svelte-reactivity': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src-renderer',
              from: './src-main',
              except: ['./api/contract.ts'],
              message: 'The renderer imports only the API contract (src-main/api/contract.ts).',
            },
            {
              target: './src-main/electron',
              from: ['./src-main/store', './src-main/engine'],
              message: 'The Electron shell must not reach the store or the engine (native addons).',
            },
            {
              target: './src-main/engine',
              from: ['./src-main/store', './src-main/server', './src-main/electron'],
              message: 'The engine is pure Node + tfjs: no store, server or Electron.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: NATIVE_ADDONS.map((name) => ({ name, message: 'A native addon cannot load in Electron.' })) },
      ],
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  prettier,
  ...svelte.configs.prettier,
);
