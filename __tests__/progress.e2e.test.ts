import * as fs from 'node:fs'
import * as path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runAction } from './support/action.js'
import { type ArtifactService, startArtifactService } from './support/artifact-service.js'
import { tempFolder } from './support/temp.js'
import { readZipEntries, readZipEntry } from './support/zip.js'

const EXAMPLE = path.resolve('examples/train.py')
const STARTED_FRAME = /^=== background-training \| iteration \d+\/\d+ \| started/gm

let service: ArtifactService

beforeAll(async () => {
  service = await startArtifactService()
})

afterAll(async () => {
  await service.close()
})

function liveArtifacts(name: string) {
  return service.artifacts().filter((artifact) => artifact.name === name)
}

async function iterationsInArtifact(name: string): Promise<number> {
  const [artifact] = liveArtifacts(name)
  const log = await readZipEntry(artifact.bytes, 'training.log')
  return log.toString().match(STARTED_FRAME)?.length ?? 0
}

describe('the artifact while training runs', () => {
  it('holds exactly one live artifact after each iteration, with every iteration so far', async () => {
    // Each version is looked at just before the refresh that replaces it deletes it, and the
    // live count on every request the service sees: no polling that a slow machine outruns.
    const replacedVersions: number[] = []
    let mostLive = 0
    service.onRequest = async (request) => {
      mostLive = Math.max(mostLive, liveArtifacts('live').length)
      if (request.operation === 'DeleteArtifact') {
        replacedVersions.push(await iterationsInArtifact('live'))
      }
    }

    let run
    try {
      run = await runAction({
        inputs: {
          command: 'echo "working"',
          iterations: '3',
          delay: '1500ms',
          'artifact-name': 'live'
        },
        env: service.env()
      })
    } finally {
      service.onRequest = undefined
    }

    expect(run.exitCode, run.console).toBe(0)
    expect(mostLive).toBe(1)
    // The versions of iterations 1 and 2 were live while the loop was still going.
    expect(replacedVersions.slice(0, 2)).toEqual([1, 2])
    expect(await iterationsInArtifact('live')).toBe(3)
    expect(service.requests('DeleteArtifact')).not.toHaveLength(0)
  })

  it('keeps training when an intermediate upload fails, with a warning', async () => {
    // Five 500s use up the client's own retries for the first refresh.
    service.failNext('CreateArtifact', 500, 5)
    const run = await runAction({
      inputs: { command: 'echo "step"', iterations: '2', delay: '0', 'artifact-name': 'flaky' },
      env: service.env()
    })

    expect(run.exitCode, run.console).toBe(0)
    expect(run.console).toMatch(
      /::warning::Refreshing the artifact failed; training goes on: .*500/
    )
    expect(await iterationsInArtifact('flaky')).toBe(2)
    expect(run.outputs['iterations-completed']).toBe('2')
  }, 90_000)

  it('uploads only once at the end with upload: end, and never with upload: never', async () => {
    const creates = service.requests('CreateArtifact').length
    const atEnd = await runAction({
      inputs: {
        command: 'true',
        iterations: '3',
        delay: '0',
        upload: 'end',
        'artifact-name': 'once'
      },
      env: service.env()
    })
    expect(atEnd.exitCode, atEnd.console).toBe(0)
    expect(service.requests('CreateArtifact').length - creates).toBe(1)

    const never = await runAction({
      inputs: {
        command: 'true',
        iterations: '2',
        delay: '0',
        upload: 'never',
        'artifact-name': 'none'
      },
      env: service.env()
    })
    expect(never.exitCode, never.console).toBe(0)
    expect(liveArtifacts('none')).toHaveLength(0)
    expect(never.outputs['artifact-id']).toBeUndefined()
  })
})

describe('the example with metrics and checkpoints', () => {
  it('writes the summary, metrics.csv, outputs, and includes the checkpoint', async () => {
    const run = await runAction({
      inputs: {
        command: `python3 ${EXAMPLE} --mode single`,
        iterations: '3',
        delay: '0',
        metrics: 'loss, accuracy',
        'artifact-paths': 'checkpoints/\nmissing/*.png',
        'artifact-name': 'example-metrics'
      },
      env: service.env()
    })
    expect(run.exitCode, run.console).toBe(0)

    const log = fs.readFileSync(path.join(run.workspace, 'training.log'), 'utf8')
    const printed = [...log.matchAll(/^epoch=(\d+) loss=([\d.]+) accuracy=([\d.]+)$/gm)]
    expect(printed).toHaveLength(3)

    const csv = fs.readFileSync(path.join(run.workspace, 'metrics.csv'), 'utf8')
    const expectedCsv = ['iteration,loss,accuracy']
    printed.forEach(([, , loss, accuracy], index) =>
      expectedCsv.push(`${index + 1},${Number(loss)},${Number(accuracy)}`)
    )
    expect(csv).toBe(expectedCsv.join('\n') + '\n')

    const [, , lastLoss, lastAccuracy] = printed[2]
    expect(JSON.parse(run.outputs.metrics)).toEqual({
      loss: Number(lastLoss),
      accuracy: Number(lastAccuracy)
    })
    const results = JSON.parse(run.outputs.results)
    expect(results.map((result: { iteration: number }) => result.iteration)).toEqual([1, 2, 3])
    expect(results[0]).toMatchObject({ exitCode: 0, signal: null })
    expect(typeof results[0].durationSeconds).toBe('number')
    expect(Date.parse(results[0].start)).not.toBeNaN()

    expect(run.summary.match(/^\| \d\/3 \|/gm)).toHaveLength(3)
    expect(run.summary.match(/```mermaid\nxychart-beta/g)).toHaveLength(2)
    expect(run.summary).toContain('title "loss"')
    expect(run.summary).toContain('x-axis "iteration" [1, 2, 3]')
    expect(run.summary).toContain(`line [${printed.map(([, , loss]) => Number(loss)).join(', ')}]`)
    expect(run.summary).toContain('**Completed: 3 of 3 iterations ran**')

    const [artifact] = liveArtifacts('example-metrics')
    const names = (await readZipEntries(artifact.bytes)).map((entry) => entry.name).sort()
    expect(names).toEqual([
      'checkpoints/checkpoint.json',
      'checkpoints/metrics.json',
      'metrics.csv',
      'training.log'
    ])
    const storedCsv = await readZipEntry(artifact.bytes, 'metrics.csv')
    expect(storedCsv.toString()).toBe(csv)
    expect(run.console).toContain("::warning::artifact-paths: no file matches 'missing/*.png'")
  })

  it('shows the last lines of a failed iteration in the summary', async () => {
    const run = await runAction({
      inputs: {
        command: 'echo "loading"\necho "Traceback: ValueError: bad shape" >&2\nexit 2',
        iterations: '2',
        delay: '0'
      },
      env: service.env()
    })

    expect(run.exitCode).toBe(1)
    expect(run.summary).toContain('**Failed: 1 of 2 iterations ran, 1 failed**')
    expect(run.summary).toContain('| 1/2 |')
    expect(run.summary).toContain('❌ failed: exit code 2')
    expect(run.summary).toContain('### Iteration 1 failed: its last lines of output')
    expect(run.summary).toContain('loading\nTraceback: ValueError: bad shape\n```')
    expect(run.console).toContain(
      '::error title=Iteration 1/2 failed::Iteration 1/2: failed: exit code 2 after'
    )
  })

  it('refuses artifact-paths outside the workspace before training', async () => {
    const outside = tempFolder()
    const run = await runAction({
      inputs: { command: 'echo should-not-run', 'artifact-paths': `${outside}/*.txt` },
      env: service.env()
    })
    expect(run.exitCode).toBe(1)
    expect(run.console).toContain(
      "::error::Input 'artifact-paths' must be files, folders or glob patterns inside the workspace"
    )
    expect(run.console).not.toContain('should-not-run')
  })
})

describe('artifact-paths that lead outside the workspace', () => {
  it('leaves out a link to a file outside, with a warning', async () => {
    const workspace = tempFolder()
    const outside = path.join(tempFolder(), 'secret.txt')
    fs.writeFileSync(outside, 'do not upload\n')
    fs.mkdirSync(path.join(workspace, 'plots'))
    fs.writeFileSync(path.join(workspace, 'plots', 'ok.png'), 'png')
    fs.symlinkSync(outside, path.join(workspace, 'plots', 'leak.png'))

    const run = await runAction({
      workspace,
      inputs: {
        command: 'true',
        iterations: '1',
        'artifact-paths': 'plots/',
        'artifact-name': 'links'
      },
      env: service.env()
    })

    expect(run.exitCode, run.console).toBe(0)
    const [artifact] = liveArtifacts('links')
    const names = (await readZipEntries(artifact.bytes)).map((entry) => entry.name).sort()
    expect(names).toEqual(['plots/ok.png', 'training.log'])
    expect(run.console).toMatch(/::warning::artifact-paths: .*leak\.png is outside the workspace/)
  })
})
