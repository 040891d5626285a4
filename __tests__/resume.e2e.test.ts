import * as fs from 'node:fs'
import * as path from 'node:path'

import { describe, expect, it } from 'vitest'

import { type ActionRun, runAction } from './support/action.js'
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
})
