// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

/**
 * Layers, lowest first. A file under src/<layer>/ may import only layers strictly lower than its own rank,
 * or its own layer. `gen/` (generated protobuf code) is importable only from the listed edge layers.
 */
const LAYERS = [
  ['common'],
  ['template', 'occ'],
  ['workflow', 'repos', 'config'],
  ['scheduler', 'engine', 'agent'],
  ['environment', 'plugins'],
  ['cli', 'web', 'server'],
];
const GEN_USERS = new Set(['server', 'agent', 'occ', 'cli', 'web']);
/** Integration plugins talk to external services: each may import only its own service's generated client. */
const PLUGIN_GEN = { plugins: ['ctpd', 'dcs'] };
/** Layers the browser code (src/web) may import: generated clients and shared pure code, nothing with Node in it. */
const WEB_IMPORTS = new Set(['gen', 'common']);

const rank = (layer) => LAYERS.findIndex((names) => names.includes(layer));
const allLayers = LAYERS.flat();

const layerRules = allLayers.map((layer) => {
  const forbidden = allLayers.filter((other) => rank(other) > rank(layer));
  const patterns = forbidden.map((other) => ({
    group: [`../${other}/*`, `../../${other}/*`, `../../../${other}/*`],
    message: `Bad layering: src/${layer} may not import src/${other} (a higher layer).`,
  }));
  if (!GEN_USERS.has(layer)) {
    const allowed = PLUGIN_GEN[layer] ?? [];
    patterns.push({
      ...(allowed.length > 0 ? { regex: `(^|/)gen/(?!(${allowed.join('|')})/)` } : { group: ['**/gen/*'] }),
      message: `Bad layering: only ${[...GEN_USERS].join(', ')} may import gen/${
        allowed.length > 0 ? ` (${layer}: only gen/${allowed.join(', gen/')})` : ''
      }.`,
    });
  }
  if (layer === 'common') {
    patterns.push({ group: ['node:*'], message: 'src/common stays pure: no node:* imports.' });
  }
  if (layer === 'web') {
    for (const other of allLayers.filter((l) => !WEB_IMPORTS.has(l) && l !== 'web' && !forbidden.includes(l)))
      patterns.push({
        group: [`../${other}/*`, `../../${other}/*`, `../../../${other}/*`],
        message: `Bad layering: src/web runs in the browser and may import only src/gen and src/common, not src/${other}.`,
      });
    patterns.push({ group: ['node:*'], message: 'src/web runs in the browser: no node:* imports.' });
  }
  return {
    files: [`src/${layer}/**/*.ts`, `src/${layer}/**/*.tsx`],
    ignores: layer === 'common' ? ['**/*.test.ts'] : [],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.dist-test-*/**', 'src/gen/**', 'examples/**/jit-tool/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after'],
              package: 'node:test',
            },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'import-x/no-cycle': 'error',
    },
  },
  ...layerRules,
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly' },
      parserOptions: { projectService: false, project: null },
    },
  },
);
