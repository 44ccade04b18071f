// @ts-check
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist', '**/node_modules', '**/tmp', '**/coverage', '**/.nx'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Project tags (type:*, scope:*) say who may import whom; see each project.json.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          // The suites in test/ run the API in process, through its public index only.
          allow: ['@lambdaflex/api', '@lambdaflex/reconciler'],
          depConstraints: [
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core'] },
            // What a service links in to run under LambdaFlex (libs/nest): the core, never the infrastructure.
            { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:core'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:core', 'type:runtime', 'type:infra'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:core', 'type:infra'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:app', 'type:core', 'type:runtime', 'type:infra'] },
          ],
        },
      ],
    },
  },
  {
    // The decision core is pure: no AWS SDK, no Nest, no clock or environment reads from here.
    files: ['libs/state/src/core/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@aws-sdk/*', '@nestjs/*', 'node:*', 'fs', 'http', 'https', 'net'], message: 'core/ is pure: effects live in adapters' }] },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'core/ never reads the clock: time comes in with the event' },
        { object: 'process', property: 'env', message: 'core/ never reads the environment' },
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'core/ does no I/O' }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
