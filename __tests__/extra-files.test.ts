import * as fs from 'node:fs'
import * as path from 'node:path'

import { afterEach, describe, expect, it, vi } from 'vitest'

import { findExtraFiles } from '../src/artifacts/extra-files.js'
import { tempFolder } from './support/temp.js'

afterEach(() => {
  vi.restoreAllMocks()
})

/** Makes the first look at `folder` fail as if it had just been deleted. */
function vanishOnce(folder: string): void {
  const realpath = fs.promises.realpath
  let vanished = false
  vi.spyOn(fs.promises, 'realpath').mockImplementation(async (target, ...rest) => {
    if (!vanished && String(target) === folder) {
      vanished = true
      throw Object.assign(new Error(`ENOENT: no such file or directory, realpath '${folder}'`), {
        code: 'ENOENT'
      })
    }
    return realpath(target, ...rest)
  })
}

describe('findExtraFiles', () => {
  it('walks again when a folder vanishes during the walk', async () => {
    const workspace = tempFolder()
    fs.mkdirSync(path.join(workspace, 'staging'))
    fs.mkdirSync(path.join(workspace, 'checkpoints'))
    fs.writeFileSync(path.join(workspace, 'checkpoints', 'model.bin'), 'weights')
    vanishOnce(path.join(workspace, 'staging'))

    const extra = await findExtraFiles(['.'], workspace)

    expect(extra.files).toEqual([path.join(workspace, 'checkpoints', 'model.bin')])
    expect(vi.mocked(fs.promises.realpath).mock.calls.length).toBeGreaterThan(2)
  })

  it('leaves out excluded folders and reports patterns that match nothing', async () => {
    const workspace = tempFolder()
    fs.mkdirSync(path.join(workspace, 'artifacts'))
    fs.writeFileSync(path.join(workspace, 'artifacts', 'old.zip'), 'old')
    fs.writeFileSync(path.join(workspace, 'plot.png'), 'png')

    const extra = await findExtraFiles(['.', 'missing/*.ckpt'], workspace, {
      excludedFolders: [path.join(workspace, 'artifacts')]
    })

    expect(extra.files).toEqual([path.join(workspace, 'plot.png')])
    expect(extra.unmatched).toEqual(['missing/*.ckpt'])
  })
})
