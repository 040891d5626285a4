/**
 * Every workflow this repository runs or ships as an example, and action.yml itself, checked
 * with GitHub's own parser and schema for workflows and action manifests
 * (@actions/workflow-parser): a misspelt key, a missing `runs-on` or a bad `runs.using` fails
 * here instead of on the first push. It also checks that every action a workflow takes from
 * another repository is pinned to a full commit SHA, with the version named in a comment.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { registerHooks } from 'node:module'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'
import { isScalar, parseDocument, visit } from 'yaml'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

// The parser's own modules import its schema files as `import schema from './x.json'`, with no
// `with { type: 'json' }`, which Node's ESM loader refuses. Adding the attribute for those
// files, and only those, lets Node load the package unchanged. The hook must be in place before
// the first import of the package, hence the dynamic imports below.
registerHooks({
  load(url, context, nextLoad) {
    if (url.includes('/@actions/workflow-parser/') && url.endsWith('.json')) {
      const importAttributes = { ...context.importAttributes, type: 'json' }
      return nextLoad(url, { ...context, importAttributes })
    }
    return nextLoad(url, context)
  }
})
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } =
  await import('@actions/workflow-parser')
const { parseAction, convertActionTemplate } =
  await import('@actions/workflow-parser/actions/index')

const WORKFLOW_FOLDERS = ['.github/workflows', 'examples/workflows']

function workflowFiles(): string[] {
  return WORKFLOW_FOLDERS.flatMap((folder) =>
    readdirSync(path.join(root, folder))
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => `${folder}/${name}`)
  )
}

function read(file: string): string {
  return readFileSync(path.join(root, file), 'utf8')
}

/** The parser's complaints about a workflow: schema errors, then those of the conversion. */
async function workflowErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter())
  const errors = parsed.context.errors.getErrors().map((error) => error.message)
  if (errors.length > 0 || !parsed.value) return errors.length > 0 ? errors : ['nothing parsed']
  // Conversion finds what the schema alone cannot: `needs` naming no job, a bad cron line,
  // expressions that do not parse.
  const template = await convertWorkflowTemplate(parsed.context, parsed.value)
  return (template.errors ?? []).map((error) => error.Message)
}

function parseManifest(content: string) {
  const parsed = parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter())
  const errors = parsed.context.errors.getErrors().map((error) => error.message)
  const template =
    errors.length === 0 && parsed.value
      ? convertActionTemplate(parsed.context, parsed.value)
      : undefined
  return { errors, template }
}

interface ActionReference {
  readonly uses: string
  /** The whole line the reference is on, comment included. */
  readonly line: string
}

/** Every `uses:` value in a workflow (steps and reusable-workflow jobs) with its line. */
function actionReferences(content: string): ActionReference[] {
  const references: ActionReference[] = []
  visit(parseDocument(content), {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.value !== 'uses' || !isScalar(pair.value)) return
      const start = pair.value.range?.[0] ?? 0
      const lineStart = content.lastIndexOf('\n', start) + 1
      const lineEnd = content.indexOf('\n', start)
      const line = content.slice(lineStart, lineEnd === -1 ? undefined : lineEnd)
      references.push({ uses: String(pair.value.value), line })
    }
  })
  return references
}

/**
 * Actions from another repository. Left out: local actions (`./`), Docker images, and this
 * action itself, which the examples name by its release tag (`OWNER/background-training@v1`)
 * the way its users do.
 */
function isThirdParty(uses: string): boolean {
  return (
    !uses.startsWith('./') && !uses.startsWith('docker://') && !/\/background-training@/.test(uses)
  )
}

const PINNED = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}\s+#\s*v\d+(\.\d+)*\s*$/

describe('workflow files', () => {
  const files = workflowFiles()

  it('are found in both folders', () => {
    for (const folder of WORKFLOW_FOLDERS) {
      expect(files.some((file) => file.startsWith(`${folder}/`))).toBe(true)
    }
  })

  it.each(files)('%s is a valid workflow', async (file) => {
    expect(await workflowErrors(file, read(file))).toEqual([])
  })

  it.each(files)('%s pins every third-party action to a commit SHA', (file) => {
    const unpinned = actionReferences(read(file))
      .filter(({ uses }) => isThirdParty(uses))
      .filter(({ line }) => !PINNED.test(line.replace(/^\s*(-\s+)?uses:\s*/, '')))
      .map(({ line }) => line.trim())
    expect(unpinned).toEqual([])
  })

  it('reports a misspelt key, so a passing check means something', async () => {
    const content = read('.github/workflows/ci.yml')
    expect(content).toContain('runs-on:')
    const errors = await workflowErrors('typo.yml', content.replace('runs-on:', 'runs-onn:'))
    expect(errors.join('\n')).toMatch(/Unexpected value 'runs-onn'/)
  })

  it('finds unpinned references', () => {
    const content = [
      'steps:',
      '  - uses: actions/checkout@v4',
      '  - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020',
      '  - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0',
      '  - uses: ./'
    ].join('\n')
    const references = actionReferences(content).filter(({ uses }) => isThirdParty(uses))
    const pinned = references.map(({ line }) =>
      PINNED.test(line.replace(/^\s*(-\s+)?uses:\s*/, ''))
    )
    expect(pinned).toEqual([false, false, true])
  })
})

describe('action.yml', () => {
  const content = read('action.yml')
  const { errors, template } = parseManifest(content)

  it('is a valid action manifest', () => {
    expect(errors).toEqual([])
    expect(template).toBeDefined()
  })

  it('runs dist/index.js on node24 as main and post step', () => {
    const runs = template?.runs
    expect(runs?.using).toBe('node24')
    if (runs?.using !== 'node24') return
    expect(runs.main).toBe('dist/index.js')
    expect(runs.post).toBe('dist/index.js')
    expect(runs.postIf).toBe('always()')
    expect(existsSync(path.join(root, runs.main))).toBe(true)
  })

  it('describes every input and output', () => {
    expect(template?.inputs?.length).toBeGreaterThan(0)
    for (const input of template?.inputs ?? []) expect(input.description, input.id).toBeTruthy()
    expect(template?.outputs?.length).toBeGreaterThan(0)
    for (const output of template?.outputs ?? []) {
      expect(output.description, output.id).toBeTruthy()
    }
  })

  it('reports a misspelt key, so a passing check means something', () => {
    const broken = content.replace(/^ {2}using: node24$/m, '  usingg: node24')
    expect(broken).not.toBe(content)
    expect(parseManifest(broken).errors.join('\n')).toMatch(/Unexpected value 'usingg'/)
  })
})
