import tseslint from 'typescript-eslint';

/**
 * Workflow code runs in Temporal's deterministic sandbox: it may take values only from the workflow runtime, the
 * SDK's `./workflow` entry and its own folder. Types may come from anywhere (they are erased).
 */
const sandboxImports = {
  regex: String.raw`^(?!(@temporalio/(workflow|common)|@apexseo/worker-sdk/workflow|\./[^/]+(/[^/]+)*)$)`,
  allowTypeImports: true,
  message:
    'Workflow code runs in the deterministic sandbox: import values only from @temporalio/workflow, @temporalio/common, @apexseo/worker-sdk/workflow or this folder.',
};

/**
 * The key service's folders, bottom first: a folder may import folders of its own rank or below, never above
 * (packages/key-service/README.md, Layout).
 */
const keyServiceRanks = [
  ['domain', 'config', 'crypto', 'audit', 'logging'],
  ['db', 'metrics', 'kek'],
  ['breaker', 'auth'],
  ['keys'],
  ['http'],
  ['service'],
];
const keyServiceLayering = keyServiceRanks.flatMap((folders, rank) => {
  const above = keyServiceRanks.slice(rank + 1).flat();
  if (above.length === 0) return [];
  return folders.map((folder) => ({
    files: [`packages/key-service/src/${folder}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: above.map((upper) => `../${upper}/*`),
              message: `src/${folder}/ sits below ${above.join(', ')}: move what both need down (e.g. to src/domain/).`,
            },
          ],
        },
      ],
    },
  }));
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.tools/**', '.run/**', 'charts/**', 'coverage/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
    },
  },
  {
    files: [
      'packages/worker-sdk/src/workflow.ts',
      'packages/worker-sdk/src/workflow/**/*.ts',
      'packages/eeat-worker/src/workflows/**/*.ts',
    ],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [sandboxImports] }] },
  },
  ...keyServiceLayering,
  {
    // Tool configuration files are loaded by their tools through a default export.
    files: ['**/*.config.ts', '**/*.config.js', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  { files: ['**/*.js', '**/*.cjs', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
