// `pnpm lint`: a small, typed rule set (docs/decisions/0015-lint.md says why these rules).
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['**/dist/', '.cache/', '.bench-out/', 'coverage/'] },
  {
    files: ['**/*.{ts,js,mjs}'],
    languageOptions: {
      parser: tseslint.parser,
      // One program for every file (tsconfig.json): per-tsconfig programs (projectService) took half as long again.
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Promises: a dropped rejection crashes the process or loses an error; a callback that returns a
      // promise where void is expected drops it the same way.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],
      'no-async-promise-executor': 'error',
      // Throw Errors: the error mapping and the logs rely on `instanceof` and a stack.
      '@typescript-eslint/only-throw-error': 'error',
      // No "[object Object]" in a message, a log line or a URL.
      '@typescript-eslint/no-base-to-string': 'error',
      '@typescript-eslint/restrict-template-expressions': 'error',
      // A union that grows (an error format, a provider) must not fall through a switch unnoticed.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // No unused code (knip covers files, exports and dependencies).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-unused-expressions': 'error',
      'prefer-const': 'error',
      'no-fallthrough': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The request path: a getter or setter in an object literal makes a new accessor pair per object, and V8
    // allocates those in the old generation, where they keep the request they reach alive across
    // young-generation GCs (docs/performance.md, "Pass 8"). Accessors belong on a class or a prototype made once.
    files: ['packages/core/src/{server,runtime,proxy,log,router}/**/*.ts', 'packages/plugin-*/src/**/*.ts', 'packages/rate-limits/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: 'ObjectExpression > Property[kind=/^(get|set)$/]', message: 'no getter or setter in an object literal on the request path: put it on a class (each literal makes an old-generation accessor pair)' }],
    },
  },
);
