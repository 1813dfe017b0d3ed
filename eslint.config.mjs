/**
 * Lint, run first by `npm test` (and alone by `npm run lint`): promises that are never awaited, the dependency
 * rules between the top-level folders (DESIGN.md "Shape"), and no import cycle. Type-aware: each file is read
 * with the tsconfig.json nearest to it (the server's, or web/'s for the console).
 */
import { builtinModules } from 'node:module';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/** A relative import of the top-level folder `name` (or of a module in it), from any depth: `../api/...`, `../../api`. */
const folder = (name, minUps = 1) => `^(\\.\\./){${minUps},}${name}(/|$)`;

const ACTIVITIES = { regex: folder('activities'), message: 'activities/ is the worker side: reach the data through db/, and workflows only through workflows/definitions.ts' };
const API = { regex: folder('api'), message: 'api/ is the HTTP edge; nothing else depends on it' };
/** SQL is written in db/ alone: a `.query(…)` called with a statement (text, template or config object) elsewhere. */
const SQL_OUTSIDE_DB = {
  selector: "CallExpression[callee.property.name='query'][arguments.0.type=/^(Literal|TemplateLiteral|ObjectExpression)$/]",
  message: 'SQL lives in db/ (the one way into the data): add a function there and call it',
};
const WORKER = { regex: folder('worker'), message: 'worker/ wires the worker process; nothing depends on it' };
/** Everything of workflows/ but its index of definitions and rules; type-only imports are fine. */
const WORKFLOWS_BUT_DEFINITIONS = {
  regex: `${folder('workflows')}(?!definitions$)`,
  allowTypeImports: true,
  message: 'import workflows/ through workflows/definitions.ts (messages, ids, view types and the pure rules); other modules of it are bundled into the workflow sandbox',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', '.temporal/**', '**/*.js', '**/*.cjs', '**/*.mjs', '**/*.mts'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'web/tsconfig.json'], noWarnOnMultipleProjects: true })],
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Deterministic code, bundled into the workflow sandbox: no Node, no I/O, nothing of the other folders.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...NODE_BUILTINS.map((name) => ({ name, message: 'workflow code runs in the deterministic sandbox: no Node built-ins' })),
            ...['@temporalio/activity', '@temporalio/client', '@temporalio/worker'].map((name) => ({ name, message: 'workflow code imports @temporalio/workflow and @temporalio/common only' })),
          ],
          patterns: [
            { regex: folder('activities'), message: 'workflows declare the activities they call (activity-types.ts); activities/ implements them' },
            { regex: folder('api'), message: 'workflows know nothing of the HTTP edge' },
            { regex: folder('db'), message: 'workflows do no I/O: an activity reaches the data' },
            { regex: folder('(config|worker|scripts)'), message: 'workflow code imports only workflows/ and the Temporal workflow SDK' },
          ],
        },
      ],
    },
  },
  {
    files: ['api/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [ACTIVITIES, WORKER, WORKFLOWS_BUT_DEFINITIONS] }],
      'no-restricted-syntax': ['error', SQL_OUTSIDE_DB],
    },
  },
  {
    // The one way into the data: the API and the activities both import it; it imports neither.
    files: ['db/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [ACTIVITIES, API, WORKER, WORKFLOWS_BUT_DEFINITIONS] }] },
  },
  {
    files: ['activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [API, WORKER] }],
      'no-restricted-syntax': ['error', SQL_OUTSIDE_DB],
    },
  },
  {
    files: ['web/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        // From web/src the server's folders are two levels up or more (`../api` from a page is the console's own api.ts).
        { patterns: [{ ...ACTIVITIES, regex: folder('activities', 2) }, { ...API, regex: folder('api', 2) }, { ...WORKER, regex: folder('worker', 2) }, { regex: folder('db', 2), message: 'the console reaches the data through the API' }, { ...WORKFLOWS_BUT_DEFINITIONS, regex: `${folder('workflows', 2)}(?!definitions$|shared/names$)`, message: 'the console imports workflows/definitions.ts for types, and the table of names (shared/names.ts) as the one value it bundles' }] },
      ],
    },
  },
);
