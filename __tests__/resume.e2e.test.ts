import * as fs from 'node:fs'
import * as path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type ActionRun, runAction } from './support/action.js'
import { type ArtifactService, startArtifactService } from './support/artifact-service.js'
import { waitFor } from './support/processes.js'
import { tempFolder } from './support/temp.js'

const EXAMPLE = path.resolve('examples/train.py')

/** The example's command, which also prints where it stands in the larger training. */
const COMMAND = `echo "place=$TRAINING_ITERATION/$TRAINING_RUN_ITERATION/$TRAINING_ITERATIONS/$TRAINING_RESUMED"
python3 ${EXAMPLE} --mode single`

function placesIn(run: ActionRun): string[] {
  const log = fs.readFileSync(path.join(run.workspace, 'training.log'), 'utf8')
  return [...log.matchAll(/^place=(.*)$/gm)].map((match) => match[1])
}

function lossesIn(run: ActionRun): number[] {
  const log = fs.readFileSync(path.join(run.workspace, 'training.log'), 'utf8')
  return [...log.matchAll(/^epoch=\d+ loss=([\d.]+)/gm)].map((match) => Number(match[1]))
}

describe('resuming outside GitHub (a local state folder)', () => {
  it('continues the example on a fresh workspace where the last run stopped', async () => {
    const stateDir = tempFolder()
    const inputs = {
      command: COMMAND,
      iterations: '2',
      delay: '0',
      metrics: 'loss',
      'checkpoint-path': 'checkpoints/'
    }
    const env = { BACKGROUND_TRAINING_STATE_DIR: stateDir }

    const first = await runAction({ inputs, env })
    const second = await runAction({ inputs, env })

    expect(first.exitCode, first.console).toBe(0)
    expect(second.exitCode, second.console).toBe(0)
    expect(first.console).toContain('No saved state for resume-key')
    expect(first.outputs).toMatchObject({ resumed: 'false', 'total-iterations': '2' })
    expect(second.outputs).toMatchObject({ resumed: 'true', 'total-iterations': '4' })

    expect(placesIn(first)).toEqual(['1/1/2/false', '2/2/2/false'])
    expect(placesIn(second)).toEqual(['3/1/2/true', '4/2/2/true'])
    const losses = [...lossesIn(first), ...lossesIn(second)]
    expect(losses).toHaveLength(4)
    for (let i = 1; i < 4; i++) expect(losses[i]).toBeLessThan(losses[i - 1])

    expect(second.summary).toContain('Resumed after iteration 2')
    expect(second.summary).toContain('x-axis "iteration" [1, 2, 3, 4]')
    const csv = fs.readFileSync(path.join(second.workspace, 'metrics.csv'), 'utf8')
    expect(
      csv
        .trim()
        .split('\n')
        .map((line) => line.split(',')[0])
    ).toEqual(['iteration', '1', '2', '3', '4'])
    expect(fs.readFileSync(path.join(second.workspace, 'training.log'), 'utf8')).toContain(
      '| iteration 1/2 (overall 3) | started'
    )
  })

  it('refuses checkpoint paths outside the workspace and bad keys before training', async () => {
    const badInputs: Array<Record<string, string>> = [
      { 'checkpoint-path': '../elsewhere/' },
      { 'resume-key': 'a,b' }
    ]
    for (const inputs of badInputs) {
      const run = await runAction({ inputs: { command: 'echo should-not-run', ...inputs } })
      expect(run.exitCode).toBe(1)
      expect(run.console).toMatch(/::error::Input '(checkpoint-path|resume-key)' must be/)
      expect(run.console).not.toContain('should-not-run')
    }
  })

  it('keeps every key in a folder of its own, even a key of dots', async () => {
    const stateDir = path.join(tempFolder(), 'states')
    const env = { BACKGROUND_TRAINING_STATE_DIR: stateDir }
    const keep = (key: string, value: string) =>
      runAction({
        inputs: {
          command: `mkdir -p state && echo ${value} > state/value`,
          iterations: '1',
          'checkpoint-path': 'state/',
          'resume-key': key
        },
        env
      })

    for (const [key, value] of [
      ['precious', 'p'],
      ['..', 'd2'],
      ['.', 'd1']
    ]) {
      expect((await keep(key, value)).exitCode).toBe(0)
    }

    expect(fs.readdirSync(stateDir).sort()).toEqual(['%2E', '%2E%2E', 'precious'])
    expect(fs.readFileSync(path.join(stateDir, 'precious', 'state', 'value'), 'utf8')).toBe('p\n')
  })

  it('copies neither its own folders into the state nor the state into the artifact', async () => {
    const workspace = tempFolder()
    const inputs = {
      command: 'echo trained > model.txt',
      iterations: '1',
      'checkpoint-path': '.',
      'artifact-paths': '.'
    }
    for (let run = 1; run <= 3; run++) {
      const result = await runAction({ workspace, inputs })
      expect(result.exitCode, result.console).toBe(0)
      expect(result.console).not.toContain('::warning::')
    }

    const saved = path.join(workspace, '.background-training', 'saved-state')
    const [keyFolder] = fs.readdirSync(saved)
    const savedFiles = fs.readdirSync(path.join(saved, keyFolder), { recursive: true })
    expect(savedFiles).toContain('model.txt')
    expect(savedFiles.filter((file) => String(file).startsWith('artifacts'))).toEqual([])
    const artifact = path.join(workspace, 'artifacts', 'background-training-logs')
    const artifactFiles = fs.readdirSync(artifact, { recursive: true }).map(String)
    expect(artifactFiles).toContain('model.txt')
    expect(artifactFiles.filter((file) => file.includes('saved-state'))).toEqual([])
  })
})

describe('resuming on GitHub (Actions cache stand-in)', () => {
  let service: ArtifactService

  beforeAll(async () => {
    service = await startArtifactService()
  })

  afterAll(async () => {
    await service.close()
  })

  /** Each run is a new workflow run on a fresh runner: a new run id and an empty workspace. */
  function runOnGitHub(
    runId: string,
    inputs: Record<string, string>,
    onStart?: (pid: number) => void
  ) {
    const env = { ...service.env(), GITHUB_RUN_ID: runId, GITHUB_RUN_ATTEMPT: '1' }
    return runAction({ inputs: { 'artifact-name': `logs-${runId}`, ...inputs }, env, onStart })
  }

  it('continues the example from the cache, numbering and charts going on', async () => {
    const inputs = {
      command: COMMAND,
      iterations: '2',
      delay: '0',
      metrics: 'loss',
      'checkpoint-path': 'checkpoints/',
      'resume-key': 'nightly'
    }
    const first = await runOnGitHub('101', inputs)
    const second = await runOnGitHub('102', inputs)

    expect(first.exitCode, first.console).toBe(0)
    expect(second.exitCode, second.console).toBe(0)
    expect(service.cacheEntries().map((entry) => entry.key)).toEqual([
      'nightly--run-101-1',
      'nightly--run-102-1'
    ])
    expect(second.outputs).toMatchObject({ resumed: 'true', 'total-iterations': '4' })
    expect(placesIn(second)).toEqual(['3/1/2/true', '4/2/2/true'])

    const losses = [...lossesIn(first), ...lossesIn(second)]
    for (let i = 1; i < 4; i++) expect(losses[i]).toBeLessThan(losses[i - 1])
    expect(second.summary).toContain('Resumed after iteration 2 from run 101 (attempt 1)')
    expect(second.summary).toContain('x-axis "iteration" [1, 2, 3, 4]')
  })

  it('keeps matrix legs apart by resume-key', async () => {
    const leg = (key: string, runId: string) =>
      runOnGitHub(runId, {
        command: COMMAND,
        iterations: '1',
        'checkpoint-path': 'checkpoints/',
        'resume-key': key
      })
    await leg('sweep-lr-0.1', '201')
    const other = await leg('sweep-lr-0.01', '202')
    const same = await leg('sweep-lr-0.1', '203')

    expect(other.outputs.resumed).toBe('false')
    expect(same.outputs).toMatchObject({ resumed: 'true', 'total-iterations': '2' })
  })

  it('saves the state of a cancelled run, and the next run resumes from it', async () => {
    const inputs = {
      // The second iteration waits, so the cancel surely lands in it.
      command: `${COMMAND}\n[ "$TRAINING_RUN_ITERATION" = 1 ] || sleep 30`,
      iterations: '3',
      delay: '0',
      'checkpoint-path': 'checkpoints/',
      'resume-key': 'cancelled-family'
    }
    let pid = 0
    const running = runOnGitHub('301', inputs, (started) => (pid = started))
    await waitFor(() => service.artifacts().some((artifact) => artifact.name === 'logs-301'))
    process.kill(pid, 'SIGINT')
    const cancelled = await running

    expect(cancelled.outputs).toMatchObject({ 'stop-reason': 'cancelled', 'total-iterations': '1' })
    expect(service.cacheEntries().map((entry) => entry.key)).toContain(
      'cancelled-family--run-301-1'
    )

    const next = await runOnGitHub('302', { ...inputs, iterations: '1' })
    expect(next.outputs).toMatchObject({ resumed: 'true', 'total-iterations': '2' })
    expect(placesIn(next)).toEqual(['2/1/1/true'])
    expect(lossesIn(next)).toHaveLength(1)
  })

  it('goes on from the beginning, with a warning, when the cache cannot be read', async () => {
    service.failNext('GetCacheEntryDownloadURL', 400, 1, 'cache unavailable')
    const run = await runOnGitHub('401', {
      command: 'echo step',
      iterations: '1',
      'checkpoint-path': 'checkpoints/',
      'resume-key': 'unreadable'
    })

    expect(run.exitCode, run.console).toBe(0)
    expect(run.outputs.resumed).toBe('false')
  })
})
