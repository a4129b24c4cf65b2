import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', '**/*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...tseslint.configs.stylistic,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
      },
    },
    rules: {
      curly: 'error',
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Browser code of the webviews: DOM globals, plus the API object VS Code injects into a webview.
    files: ['webview/**/*.ts'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        performance: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        HTMLElement: 'readonly',
        MessageEvent: 'readonly',
        acquireVsCodeApi: 'readonly',
      },
    },
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'Webview code runs in the browser: talk to the host by message.' }] },
      ],
    },
  },
  {
    // CommonJS files (build shims) load modules with require().
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // A relative require() in src/ is a lazy feature, loaded on first use (see src/lazy.ts); anything else is imported.
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': ['error', { allow: ['^\\.\\.?/'] }] },
  },
  {
    // Readable sizes: a file a reader can hold, a function that fits on a screen (tests may be longer).
    files: ['src/**/*.ts', 'webview/**/*.ts', 'tools/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 500, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Pure code runs outside VS Code (plain mocha, the pages, other hosts): keep it free of the vscode module.
    files: [
      'src/kling/**/*.ts',
      'src/shared/**/*.ts',
      'src/audio/**/*.ts',
      'src/audioWorker/**/*.ts',
      'src/upload/**/*.ts',
      'src/history/source.ts',
      'src/history/unconfirmedKey.ts',
      'src/history/lease.ts',
      'src/fromFile/batchPool.ts',
      'src/library/snippet.ts',
      'src/ids.ts',
      'src/dispose.ts',
    ],
    ignores: ['src/upload/vscodeUpload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'This folder is pure: it must not depend on VS Code.' }] },
      ],
    },
  },
  {
    // commands/ holds palette commands only: a leaf that nothing but the composition root imports.
    files: ['src/**/*.ts'],
    ignores: [
      'src/commands/**',
      'src/extension.ts',
      'src/kling/**',
      'src/shared/**',
      'src/audio/**',
      'src/upload/**',
      'src/history/source.ts',
      'src/history/unconfirmedKey.ts',
      'src/history/lease.ts',
      'src/fromFile/batchPool.ts',
      'src/library/snippet.ts',
      'src/ids.ts',
      'src/dispose.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/commands/*', '**/commands'],
              message: 'commands/ is a leaf: only src/extension.ts imports it.',
            },
          ],
        },
      ],
    },
  },
);
