import * as fs from 'node:fs'
import * as path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runAction } from './support/action.js'
import { type ArtifactService, startArtifactService } from './support/artifact-service.js'
import { tempFolder } from './support/temp.js'
import { storedFile } from './support/stored.js'

const EXAMPLE = path.resolve('examples/train.py')
const FRAME = /^=== background-training \| iteration (\d+)\/(\d+) \| (.*)$/gm

let service: ArtifactService

beforeAll(async () => {
  service = await startArtifactService()
})

afterAll(async () => {
  await service.close()
})

function storedLog(name: string, fileName = 'training.log'): Promise<Buffer> {
  return storedFile(service, name, fileName)
}

function lossesIn(log: string): number[] {
  return [...log.matchAll(/^epoch=\d+ loss=([\d.]+)/gm)].map((match) => Number(match[1]))
}

describe('the built action on GitHub (artifact service stand-in)', () => {
  it('trains the example for 3 iterations and uploads the log, loss falling', async () => {
    const run = await runAction({
      inputs: {
        command: `python3 ${EXAMPLE} --mode single`,
        iterations: '3',
        delay: '0',
        'artifact-name': 'example-logs'
      },
      env: { ...service.env(), GITHUB_REPOSITORY: 'owner/repo', GITHUB_RUN_ID: '7' }
    })

    expect(run.exitCode, run.console).toBe(0)
    const logPath = path.join(run.workspace, 'training.log')
    const onDisk = fs.readFileSync(logPath)
    expect((await storedLog('example-logs')).equals(onDisk)).toBe(true)

    const losses = lossesIn(onDisk.toString())
    expect(losses).toHaveLength(3)
    expect(losses[1]).toBeLessThan(losses[0])
    expect(losses[2]).toBeLessThan(losses[1])

    const artifact = service.artifacts().find((stored) => stored.name === 'example-logs')
    expect(run.outputs).toMatchObject({
      'iterations-completed': '3',
      'iterations-failed': '0',
      'exit-code': '0',
      'log-path': logPath,
      'artifact-id': String(artifact?.id),
      'artifact-url': `https://github.com/owner/repo/actions/runs/7/artifacts/${artifact?.id}`
    })
  })

  it('frames every iteration and waits the delay between them', async () => {
    const run = await runAction({
      inputs: {
        command: 'echo "run $RANDOM"',
        iterations: '2',
        delay: '1s',
        'artifact-name': 'framed'
      },
      env: { ...service.env(), GITHUB_REPOSITORY: 'owner/repo', GITHUB_RUN_ID: '42' }
    })
    expect(run.exitCode, run.console).toBe(0)

    const log = (await storedLog('framed')).toString()
    const frames = [...log.matchAll(FRAME)].map(([, iteration, total, rest]) => ({
      iteration,
      total,
      rest
    }))
    expect(frames.map((frame) => `${frame.iteration}/${frame.total}`)).toEqual([
      '1/2',
      '1/2',
      '2/2',
      '2/2'
    ])
    expect(frames[0].rest).toMatch(/^started \S+Z \| echo "run \$RANDOM"$/)
    expect(frames[1].rest).toMatch(/^succeeded \| took \d+ms$/)

    const firstStart = Date.parse(frames[0].rest.split(' ')[1])
    const secondStart = Date.parse(frames[2].rest.split(' ')[1])
    expect(secondStart - firstStart).toBeGreaterThanOrEqual(1000)
    expect(run.outputs['artifact-url']).toMatch(
      /^https:\/\/github\.com\/owner\/repo\/actions\/runs\/42\/artifacts\/\d+$/
    )
    expect(run.console).toContain('::group::Iteration 1/2')
    expect(run.console).toMatch(/^Iteration 1\/2: succeeded \(exit code 0\) after \d/m)
    expect(run.console).toContain('Waiting 1.0s before iteration 2/2')
  })

  it('stops at the first failing iteration, fails the step, and still uploads the log', async () => {
    const counter = path.join(tempFolder(), 'count')
    const command = `n=$(($(cat ${counter} 2>/dev/null || echo 0) + 1)); echo $n > ${counter}\necho "attempt $n"\n[ $n -lt 2 ] || exit 3`
    const run = await runAction({
      inputs: { command, iterations: '5', delay: '0', 'artifact-name': 'failing' },
      env: service.env()
    })

    expect(run.exitCode).toBe(1)
    expect(run.console).toContain('::error')
    expect(run.console).toContain('Iteration 2 failed: exit code 3. The loop stopped there.')
    expect(run.outputs).toMatchObject({
      'iterations-completed': '1',
      'iterations-failed': '1',
      'exit-code': '3'
    })
    const log = (await storedLog('failing')).toString()
    expect(log).toContain('attempt 1\n')
    expect(log).toContain('attempt 2\n')
    expect(log).toMatch(/iteration 2\/5 \| failed: exit code 3 \|/)
    expect(run.outputs['stop-reason']).toBe('failed')
    expect(log).not.toContain('iteration 3/5')
  })

  it('appends to an existing log instead of truncating it', async () => {
    const workspace = tempFolder()
    fs.mkdirSync(path.join(workspace, 'logs'))
    fs.writeFileSync(path.join(workspace, 'logs', 'run.log'), 'from an earlier run\n')

    const run = await runAction({
      workspace,
      inputs: {
        command: 'echo now',
        iterations: '1',
        'log-path': 'logs/run.log',
        'artifact-name': 'appended'
      },
      env: service.env()
    })

    expect(run.exitCode, run.console).toBe(0)
    const log = (await storedLog('appended', 'run.log')).toString()
    expect(log.startsWith('from an earlier run\n=== background-training | iteration 1/1')).toBe(
      true
    )
    expect(log).toContain('\nnow\n')
  })

  it('passes retention-days and compression-level on to the artifact service', async () => {
    // 440 KB of one repeated line: stored compressed, it shrinks to almost nothing.
    const command = `python3 -c "print('loss=0.5 accuracy=0.9\\n' * 20000, end='')"`
    for (const level of ['0', '9']) {
      const run = await runAction({
        inputs: {
          command,
          iterations: '1',
          'artifact-name': `level-${level}`,
          'retention-days': '3',
          'compression-level': level
        },
        env: service.env()
      })
      expect(run.exitCode, run.console).toBe(0)
    }

    const stored = (name: string) => service.artifacts().find((a) => a.name === name)
    const [plain, packed] = [stored('level-0'), stored('level-9')]
    expect(plain?.bytes.length).toBeGreaterThan(400_000)
    expect(packed?.bytes.length).toBeLessThan(50_000)
    const threeDays = 3 * 24 * 60 * 60 * 1000
    const lifetime = (packed?.expiresAt?.getTime() ?? 0) - (packed?.createdAt.getTime() ?? 0)
    expect(Math.abs(lifetime - threeDays)).toBeLessThan(60_000)
  })

  it('gives the command the environment of a run: step, without the action-only tokens', async () => {
    const run = await runAction({
      inputs: { command: 'env', iterations: '1', 'artifact-name': 'environment' },
      env: { ...service.env(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'id-token', KEPT_VARIABLE: 'kept' }
    })

    expect(run.exitCode, run.console).toBe(0)
    const log = (await storedLog('environment')).toString()
    expect(log).toMatch(/^KEPT_VARIABLE=kept$/m)
    expect(log).toMatch(/^PYTHONUNBUFFERED=1$/m)
    expect(log).toMatch(/^GITHUB_WORKSPACE=/m)
    expect(log).not.toMatch(/^(INPUT_|ACTIONS_)/m)
  })

  it('fails with the artifact named when the upload is refused, keeping the log on disk', async () => {
    service.failNext('CreateArtifact', 400, 1, 'quota exceeded')
    const run = await runAction({
      inputs: { command: 'echo kept', iterations: '1', 'artifact-name': 'refused', upload: 'end' },
      env: service.env()
    })

    expect(run.exitCode).toBe(1)
    expect(run.console).toMatch(/Could not upload the artifact 'refused': .*quota exceeded/)
    expect(run.console).toContain('The log is still on disk at')
    expect(fs.readFileSync(path.join(run.workspace, 'training.log'), 'utf8')).toContain('kept\n')
    expect(run.outputs['iterations-completed']).toBe('1')
  })
})

describe('the built action refusing bad input before it runs anything', () => {
  it.each([
    [
      { iterations: 'abc' },
      'Input \'iterations\' must be a whole number from 1 to 1,000,000; got "abc".'
    ],
    [{ iterations: '0' }, "Input 'iterations' must be a whole number"],
    [{ delay: 'soon' }, "Input 'delay' must be a duration such as 90, 90s, 5m, 1h30m or 0"],
    [
      { 'artifact-name': 'logs/run' },
      "Input 'artifact-name' must be a name of 1 to 200 characters"
    ],
    [
      { 'artifact-name': '..' },
      "Input 'artifact-name' must be a name of 1 to 200 characters, not only dots"
    ],
    [
      { 'log-path': 'logs/' },
      'Input \'log-path\' must be the path of a file, not of a folder; got "logs/".'
    ],
    [{ 'log-path': '.' }, "Input 'log-path' must be the path of a file, but"],
    [
      { shell: 'fish' },
      "Input 'shell' must be bash, sh, pwsh, powershell, python, cmd, or a command template"
    ],
    [
      { shell: 'nosuchshell {0}' },
      "Input 'shell' must be a shell that is installed on this runner"
    ],
    [{ 'working-directory': 'missing' }, "Input 'working-directory' must be an existing folder"],
    [{ command: ' ' }, "Input 'command' must be the training command to run"]
  ])('%j', async (inputs, message) => {
    const run = await runAction({
      inputs: { command: 'echo should-not-run', ...inputs },
      env: service.env()
    })

    expect(run.exitCode).toBe(1)
    expect(run.console).toContain(`::error::${message}`)
    expect(run.console).not.toContain('should-not-run')
    expect(fs.existsSync(path.join(run.workspace, 'training.log'))).toBe(false)
  })
})

describe('the built action outside GitHub', () => {
  it('stores the artifact in a local folder', async () => {
    const run = await runAction({ inputs: { command: 'echo local', iterations: '2', delay: '0' } })

    expect(run.exitCode, run.console).toBe(0)
    const stored = path.join(run.workspace, 'artifacts', 'background-training-logs', 'training.log')
    expect(
      fs.readFileSync(stored).equals(fs.readFileSync(path.join(run.workspace, 'training.log')))
    ).toBe(true)
    expect(run.outputs['artifact-url']).toMatch(
      /^file:\/\/.*\/artifacts\/background-training-logs$/
    )
    expect(run.outputs['artifact-id']).toBe('')
  })

  it('uses BACKGROUND_TRAINING_ARTIFACT_DIR when set', async () => {
    const elsewhere = tempFolder()
    const run = await runAction({
      inputs: { command: 'echo local', iterations: '1' },
      env: { BACKGROUND_TRAINING_ARTIFACT_DIR: elsewhere }
    })

    expect(run.exitCode, run.console).toBe(0)
    expect(fs.existsSync(path.join(elsewhere, 'background-training-logs', 'training.log'))).toBe(
      true
    )
  })
})
