// ESLint's configuration for `npm run lint` (eslint -c test/lint/eslint.config.js): typescript-eslint
// with type information over every TypeScript source, so that a promise nobody awaits and a switch
// that forgets a case fail the check; plain JavaScript files get the rules that need no types.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'web/screenshots/', '.stryker-tmp/'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: ROOT } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A leading underscore marks a parameter a signature needs (express's error handler's `next`)
      // or a field left out of a copy on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Migrations take Kysely<any>: they are frozen in time and must not follow today's Database type.
    // The migrator and the whole-store backup work on every table there is, whatever that type says.
    files: ['db/migrations/**', 'db/migrate.ts', 'db/repositories/backup-repository.ts', 'api/services/backup-service.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests build deliberately loose or wrong inputs, and chai asserts with expressions (`.to.be.true`).
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', performance: 'readonly', window: 'readonly', document: 'readonly' } },
  },
);
