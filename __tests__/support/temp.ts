import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

import { afterEach } from 'vitest'

const created: string[] = []

/** A fresh folder, removed after the test that made it. */
export function tempFolder(prefix = 'bt-test-'): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  created.push(folder)
  return folder
}

afterEach(() => {
  for (const folder of created.splice(0)) fs.rmSync(folder, { recursive: true, force: true })
})
