// Lint rules; the ones that matter most keep the layers (docs/ARCHITECTURE.md): only src/views and src/extension.ts
// import `vscode`, no import runs up a layer, adapters import only the core and common, and no import cycle.
import tseslint from 'typescript-eslint';
import layers from './scripts/eslintLayers.mjs';

const noVscode = {
  'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Everything but src/views and src/extension.ts (core, analytics, ingest, common, demo, the CLI and MCP adapters) runs without the editor.' }] }],
};

const noFocusedTests = { selector: "CallExpression[callee.object.name=/^(it|describe|suite|test)$/][callee.property.name='only']", message: 'No focused tests.' };
const SQL = '/^\\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|WITH|CREATE|ALTER|DROP)\\s/';
const sqlMessage = 'SQL lives in src/analytics (DESIGN section 2): add a function there and call it.';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '.bench/**', 'test/harness/**/*.cjs', 'test/harness/**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', noFocusedTests],
    },
  },
  { files: ['src/ingest/**', 'src/analytics/**', 'src/common/**', 'src/demo/**', 'src/core/**', 'src/cli.ts', 'src/cli/**', 'src/mcp/**'], rules: noVscode },
  { files: ['src/**/*.ts', 'media/**/*.ts'], plugins: { layers }, rules: { 'layers/direction': 'error', 'layers/no-cycle': 'error' } },
  {
    // Our database is spoken to only from src/analytics (the SQLite readers of input files and the demo writer speak SQLite).
    files: ['src/**/*.ts'],
    ignores: ['src/analytics/**', 'src/ingest/readers/skillsDb.ts', 'src/demo/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        noFocusedTests,
        { selector: `Literal[value=${SQL}]`, message: sqlMessage },
        { selector: `TemplateElement[value.raw=${SQL}]`, message: sqlMessage },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
