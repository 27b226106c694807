import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'dist/**', 'web/dist/**', 'coverage/**', 'bench/.bundles/**', '.local-data/**', '.stryker-tmp*/**', 'reports/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  { files: ['scripts/**', 'bench/**', 'test/**'], rules: { 'no-console': 'off' } },
  {
    // The pure domain depends on nothing of ours outside it, and on no AWS code: a build error, not a convention.
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../*', '@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', '@middy/*', '@aws-lambda-powertools/*'], message: 'shared/domain is pure: import only from shared/domain and plain libraries.' }] }],
    },
  },
  {
    // Handlers and flows reach the table through shared/store, which owns every item kind's writes.
    files: ['functions/**/*.ts', 'shared/flows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@aws-sdk/lib-dynamodb', message: 'use the store modules (shared/store/items, shared/store/queries) instead of DynamoDB commands.' }, { name: '@aws-sdk/client-dynamodb', message: 'use the store modules instead of DynamoDB commands.' }] }],
    },
  },
  {
    // The console renders every text as text: customers' messages are attacker-controlled.
    files: ['web/**/*.tsx', 'web/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'never render HTML from data: message bodies, names and templates are text.' }, { selector: "MemberExpression[property.name='innerHTML']", message: 'never set innerHTML: render text.' }],
    },
  },
  {
    // Provider adapters and parsers know their provider only: no flows, no table.
    files: ['shared/providers/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../flows/*', '../store/*', '../store/**'], message: 'providers never import flows or the store.' }] }],
    },
  },
);
