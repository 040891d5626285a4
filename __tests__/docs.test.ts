import { describe, expect, it } from 'vitest'

import { expectedReadme, renderTables } from '../scripts/readme-tables.js'

describe('README.md', () => {
  it('has the inputs and outputs tables of action.yml (npm run docs)', async () => {
    const { readme, updated } = await expectedReadme()
    expect(readme).toBe(updated)
  })

  it('renders required inputs, defaults and escaped pipes', () => {
    const tables = renderTables(`
inputs:
  name: { description: "a | b", required: true }
  size: { description: "How big.", default: "3" }
outputs:
  done: { description: "Whether\\n it finished." }
`)
    expect(tables.inputs).toContain('| `name` | required | a \\| b |')
    expect(tables.inputs).toContain('| `size` | `3` | How big. |')
    expect(tables.outputs).toContain('| `done` | Whether it finished. |')
  })
})
