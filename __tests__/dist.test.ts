import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

import { describe, expect, it } from 'vitest'

import { tempFolder } from './support/temp.js'

/** The runner runs dist/ as committed; a change to src/ without a rebuild would not ship. */
describe('dist/', () => {
  it('is what a fresh build of src/ produces', () => {
    const fresh = tempFolder('bt-dist-')
    const ncc = path.resolve('node_modules/@vercel/ncc/dist/ncc/cli.js')
    execFileSync(
      process.execPath,
      [ncc, 'build', 'src/index.ts', '-o', fresh, '--license', 'licenses.txt'],
      {
        stdio: 'pipe'
      }
    )

    for (const file of fs.readdirSync(fresh)) {
      const committed = path.join('dist', file)
      expect(fs.existsSync(committed), `dist/${file} is missing: run npm run build`).toBe(true)
      const same = fs.readFileSync(committed).equals(fs.readFileSync(path.join(fresh, file)))
      expect(same, `dist/${file} is stale: run npm run build and commit dist/`).toBe(true)
    }
    expect(fs.readdirSync('dist').sort()).toEqual(fs.readdirSync(fresh).sort())
    // The build takes 20 s of one CPU, much longer on a busy machine.
  }, 180_000)
})
