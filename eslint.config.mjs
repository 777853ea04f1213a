// Lint rules; the one that matters most keeps the core (ingest, analytics, the CLI) free of `vscode`.
import tseslint from 'typescript-eslint';

const noVscode = {
  'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The core (src/ingest, src/analytics, src/common, src/demo, src/cli*) must run without the editor.' }] }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '.bench/**', 'test/harness/**/*.cjs', 'test/harness/**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name=/^(it|describe|suite|test)$/][callee.property.name='only']", message: 'No focused tests.' },
      ],
    },
  },
  { files: ['src/ingest/**', 'src/analytics/**', 'src/common/**', 'src/demo/**', 'src/cli.ts', 'src/cli/**', 'src/mcp/**'], rules: noVscode },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
