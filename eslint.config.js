// ESLint flat config: the recommended rules of ESLint and typescript-eslint for the whole
// repository, and no console output from the action's own code, which reports through
// @actions/core so that the runner can group, annotate and mask what it prints.
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import tseslint from 'typescript-eslint'

// The Node.js globals the plain JavaScript files use. TypeScript files need no such list:
// the compiler knows Node's globals from @types/node, and typescript-eslint turns no-undef off
// for them.
const nodeGlobals = {
  AbortController: 'readonly',
  Buffer: 'readonly',
  URL: 'readonly',
  clearInterval: 'readonly',
  clearTimeout: 'readonly',
  console: 'readonly',
  process: 'readonly',
  setInterval: 'readonly',
  setTimeout: 'readonly'
}

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'coverage/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: nodeGlobals }
  },
  {
    files: ['src/**'],
    rules: {
      'no-console': 'error'
    }
  }
)
