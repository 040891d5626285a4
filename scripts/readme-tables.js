#!/usr/bin/env node
/**
 * Renders the README's inputs and outputs tables from action.yml, so the two cannot drift.
 *
 *   node scripts/readme-tables.js          rewrite README.md
 *   node scripts/readme-tables.js --check  exit 1 if README.md is out of date
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

import * as prettier from 'prettier'
import { parse as parseYaml } from 'yaml'

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const readmePath = path.join(projectRoot, 'README.md')

export function renderTables(actionYaml) {
  const action = parseYaml(actionYaml)
  const inputs = Object.entries(action.inputs).map(
    ([name, input]) => `| \`${name}\` | ${describeDefault(input)} | ${cell(input.description)} |`
  )
  const outputs = Object.entries(action.outputs).map(
    ([name, output]) => `| \`${name}\` | ${cell(output.description)} |`
  )
  return {
    inputs: ['| input | default | meaning |', '|---|---|---|', ...inputs].join('\n'),
    outputs: ['| output | meaning |', '|---|---|', ...outputs].join('\n')
  }
}

function describeDefault(input) {
  if (input.required) return 'required'
  return input.default === undefined ? '' : `\`${input.default}\``
}

/** One table cell: folded to one line, with pipes escaped. */
function cell(text) {
  return text.trim().replace(/\s+/g, ' ').replace(/\|/g, '\\|')
}

/** README.md with the text between each pair of markers replaced by the rendered table. */
export function updateReadme(readme, tables) {
  let updated = readme
  for (const [name, table] of Object.entries(tables)) {
    const start = `<!-- ${name}:start (generated from action.yml) -->`
    const end = `<!-- ${name}:end -->`
    const pattern = new RegExp(`${escape(start)}[\\s\\S]*?${escape(end)}`)
    if (!pattern.test(updated)) throw new Error(`README.md has no ${start} ... ${end} markers`)
    updated = updated.replace(pattern, () => `${start}\n\n${table}\n\n${end}`)
  }
  return updated
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** README.md as it should be: tables from action.yml, laid out as Prettier lays them out. */
export async function expectedReadme() {
  const tables = renderTables(fs.readFileSync(path.join(projectRoot, 'action.yml'), 'utf8'))
  const readme = fs.readFileSync(readmePath, 'utf8')
  const options = await prettier.resolveConfig(readmePath)
  return {
    readme,
    updated: await prettier.format(updateReadme(readme, tables), {
      ...options,
      filepath: readmePath
    })
  }
}

async function main() {
  const { readme, updated } = await expectedReadme()

  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      console.error('README.md tables differ from action.yml: run npm run docs')
      process.exit(1)
    }
    return
  }
  fs.writeFileSync(readmePath, updated)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
