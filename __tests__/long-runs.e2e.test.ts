import * as fs from 'node:fs'
import * as path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type ActionRun, runAction } from './support/action.js'
import {
  type ArtifactService,
  type ObservedRequest,
  startArtifactService
} from './support/artifact-service.js'
import { processIsRunning, waitFor } from './support/processes.js'
import { tempFolder } from './support/temp.js'
import { storedFile } from './support/stored.js'

let service: ArtifactService

beforeAll(async () => {
  service = await startArtifactService()
})

afterAll(async () => {
  await service.close()
})

async function storedLog(name: string): Promise<string> {
  return (await storedFile(service, name)).toString()
}

/** A command that fails on the attempts listed, counting its runs in a file. */
function failingOn(attempts: number[], counter = path.join(tempFolder(), 'count')): string {
  return [
    `n=$(($(cat ${counter} 2>/dev/null || echo 0) + 1)); echo $n > ${counter}`,
    'echo "run $n"',
    `case " ${attempts.join(' ')} " in *" $n "*) exit 4;; esac`
  ].join('\n')
}

describe('time-limit', () => {
  it('starts no iteration that would not fit, succeeds with a warning and uploads the log', async () => {
    const started = Date.now()
    const run = await runAction({
      inputs: {
        // Short enough to fit beside start-up on a slow machine, too long for a second one.
        command: 'echo "deadline=$TRAINING_DEADLINE"; sleep 1.5',
        iterations: '5',
        delay: '0',
        'time-limit': '3s',
        'artifact-name': 'budget'
      },
      env: service.env()
    })

    expect(run.exitCode, run.console).toBe(0)
    expect(Date.now() - started).toBeLessThan(3000 + 2500)
    expect(run.outputs['stop-reason']).toBe('time-limit')
    expect(run.outputs['iterations-completed']).toBe('1')
    expect(run.console).toContain(
      '::warning::Stopped at the time limit (3.0s) after 1 of 5 iterations'
    )

    const log = await storedLog('budget')
    expect(log.match(/\| started /g)).toHaveLength(1)
    expect(log).toContain('stopped: the time limit leaves no room for another iteration')
    const deadline = Number(/deadline=(\d+)/.exec(log)?.[1])
    expect(deadline * 1000).toBeGreaterThan(started)
    expect(deadline * 1000).toBeLessThanOrEqual(started + 3000)
  })

  it('stops an iteration that runs into the end of the budget', async () => {
    const run = await runAction({
      inputs: {
        command: "trap 'echo saving; exit 0' TERM\necho working\nsleep 30 &\nwait",
        iterations: '2',
        // The grace before SIGKILL is a tenth of the limit: 500 ms for the trap to run.
        'time-limit': '5s',
        'kill-grace': '2s',
        'artifact-name': 'budget-stop'
      },
      env: service.env()
    })

    expect(run.exitCode, run.console).toBe(0)
    expect(run.outputs['stop-reason']).toBe('time-limit')
    const log = await storedLog('budget-stop')
    expect(log).toContain('working\nsaving\n')
    expect(log).toMatch(/iteration 1\/2 \| stopped: the time limit was reached \(exit code 0\)/)
    expect(JSON.parse(run.outputs.results)[0]).toMatchObject({ stoppedBy: 'time-limit' })
  })
})

describe('iteration-timeout', () => {
  it('kills a script together with its children and grandchildren', async () => {
    const folder = tempFolder()
    const command = [
      `bash -c 'sleep 600 & echo $! > ${folder}/grandchild; sleep 600' &`,
      `echo $! > ${folder}/child`,
      "trap '' TERM",
      'sleep 600'
    ].join('\n')
    const run = await runAction({
      inputs: {
        command,
        iterations: '1',
        'iteration-timeout': '2s',
        'kill-grace': '500ms',
        'artifact-name': 'timeout'
      },
      env: service.env()
    })

    expect(run.exitCode).toBe(1)
    for (const name of ['child', 'grandchild']) {
      const pid = Number(fs.readFileSync(path.join(folder, name), 'utf8'))
      expect(processIsRunning(pid), `${name} ${pid}`).toBe(false)
    }
    const log = await storedLog('timeout')
    expect(log).toMatch(/iteration 1\/1 \| failed: timed out \(killed by SIGKILL, exit code 137\)/)
    expect(run.summary).toContain('❌ failed: timed out')
    expect(run.outputs).toMatchObject({ 'stop-reason': 'failed', 'iterations-failed': '1' })
  })
})

describe('cancellation', () => {
  it('passes SIGINT on to the training, logs its last words and uploads the log', async () => {
    const workspace = tempFolder()
    const logPath = path.join(workspace, 'training.log')
    let actionPid = 0

    const running = runAction({
      workspace,
      inputs: {
        command: 'trap \'echo "got SIGINT, saving"; exit 130\' INT\necho ready\nsleep 30 &\nwait',
        iterations: '3',
        'artifact-name': 'cancelled'
      },
      env: service.env(),
      onStart: (pid) => (actionPid = pid)
    })
    await waitFor(() => fs.existsSync(logPath) && /^ready$/m.test(fs.readFileSync(logPath, 'utf8')))
    process.kill(actionPid, 'SIGINT')
    const run = await running

    expect(run.exitCode).toBe(1)
    expect(run.outputs['stop-reason']).toBe('cancelled')
    expect(run.console).toContain('::error::The run was cancelled after 1 iteration(s).')
    const log = await storedLog('cancelled')
    expect(log).toContain('ready\ngot SIGINT, saving\n')
    expect(log).toMatch(/iteration 1\/3 \| stopped: the run was cancelled \(exit code 130\)/)
    expect(log).not.toContain('iteration 2/3')
    expect(run.state['final-upload-done']).toBe('true')
  })

  it('leaves the upload to the post step when the main step is killed', async () => {
    const workspace = tempFolder()
    const logPath = path.join(workspace, 'training.log')
    let actionPid = 0

    const main = await (async () => {
      const running = runAction({
        workspace,
        inputs: { command: 'echo ready; sleep 600', iterations: '1', 'artifact-name': 'post' },
        env: service.env(),
        onStart: (pid) => (actionPid = pid)
      })
      await waitFor(
        () => fs.existsSync(logPath) && /^ready$/m.test(fs.readFileSync(logPath, 'utf8'))
      )
      process.kill(actionPid, 'SIGKILL')
      return running
    })()

    expect(main.signal).toBe('SIGKILL')
    expect(main.state['main-started']).toBe('true')
    const group = Number(main.state['iteration-group'])
    expect(processIsRunning(group)).toBe(true)

    const post = await runAction({
      workspace,
      inputs: { command: 'echo ready; sleep 600', iterations: '1', 'artifact-name': 'post' },
      env: service.env(),
      postState: main.state
    })

    expect(post.exitCode, post.console).toBe(0)
    expect(processIsRunning(group)).toBe(false)
    const log = await storedLog('post')
    expect(log).toContain('ready\n')
    expect(log).toContain('the post step stopped an iteration left running')
    expect(log).toContain('the step ended before its final upload; the post step uploads this log')
  })

  it('does nothing in the post step after a main step that finished its upload', async () => {
    const main = await runAction({
      inputs: { command: 'echo done', iterations: '1', 'artifact-name': 'post-noop' },
      env: service.env()
    })
    const creates = service.requests('CreateArtifact').length
    const post = await runAction({
      workspace: main.workspace,
      inputs: { command: 'echo done', iterations: '1', 'artifact-name': 'post-noop' },
      env: service.env(),
      postState: main.state
    })

    expect(post.exitCode).toBe(0)
    expect(post.console).toContain(
      'The main step saved and uploaded everything; nothing left to do.'
    )
    expect(service.requests('CreateArtifact')).toHaveLength(creates)
  })
})

describe('on-failure and retries', () => {
  it('continue: runs the remaining iterations, then fails the step', async () => {
    const run = await runAction({
      inputs: {
        command: failingOn([2]),
        iterations: '3',
        delay: '0',
        'on-failure': 'continue',
        'artifact-name': 'continued'
      },
      env: service.env()
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({
      'stop-reason': 'failed',
      'iterations-completed': '2',
      'iterations-failed': '1',
      'exit-code': '0'
    })
    expect(run.console).toContain('::error::Iteration 2 failed: exit code 4.')
  })

  it('ignore: runs them all, warns, and succeeds', async () => {
    const run = await runAction({
      inputs: {
        command: failingOn([1, 3]),
        iterations: '3',
        delay: '0',
        'on-failure': 'ignore',
        'artifact-name': 'ignored'
      },
      env: service.env()
    })
    expect(run.exitCode, run.console).toBe(0)
    expect(run.outputs).toMatchObject({ 'stop-reason': 'completed', 'iterations-failed': '2' })
    expect(run.console).toContain('::warning title=Iteration 1/3 failed::')
    expect(run.console).toContain(
      '::warning::2 iteration(s) failed; on-failure: ignore lets the step succeed.'
    )
    expect(run.console).not.toContain('::error')
  })

  it('retries a failed iteration and frames each attempt', async () => {
    const run = await runAction({
      inputs: {
        command: failingOn([1, 2]),
        iterations: '2',
        delay: '0',
        retries: '2',
        'retry-delay': '200ms',
        'artifact-name': 'retried'
      },
      env: service.env()
    })

    expect(run.exitCode, run.console).toBe(0)
    const log = await storedLog('retried')
    expect(log).toMatch(/iteration 1\/2 \| attempt 1\/3 \| failed: exit code 4/)
    expect(log).toMatch(/iteration 1\/2 \| attempt 2\/3 \| failed: exit code 4/)
    expect(log).toMatch(/iteration 1\/2 \| attempt 3\/3 \| succeeded/)
    expect(log).toMatch(/iteration 2\/2 \| attempt 1\/3 \| succeeded/)
    expect(JSON.parse(run.outputs.results).map((r: { attempt: number }) => r.attempt)).toEqual([
      3, 1
    ])
    expect(run.console).toContain('Waiting 200ms before retrying iteration 1/2')
  })

  it('fails once the retries are used up', async () => {
    const run = await runAction({
      inputs: {
        command: 'echo nope; exit 9',
        iterations: '2',
        delay: '0',
        retries: '1',
        'retry-delay': '0'
      },
      env: service.env()
    })
    expect(run.exitCode).toBe(1)
    expect(run.console.match(/^nope$/gm)).toHaveLength(2)
    expect(run.outputs).toMatchObject({
      'stop-reason': 'failed',
      'iterations-failed': '1',
      'exit-code': '9'
    })
  })
})

/** Two iterations: the first ends and gets refreshed into the artifact, the second hangs. */
function refreshedThenStuck(artifactName: string): Record<string, string> {
  return {
    command: 'echo "iteration $TRAINING_ITERATION"; [ "$TRAINING_ITERATION" = 1 ] || sleep 600',
    iterations: '2',
    delay: '0',
    'artifact-name': artifactName
  }
}

/**
 * Runs the main step and kills it with SIGKILL when the service receives the request `isFatal`
 * picks, before the service handles that request.
 */
async function killedAtRequest(
  workspace: string,
  inputs: Record<string, string>,
  isFatal: (request: ObservedRequest) => boolean
): Promise<ActionRun> {
  let actionPid = 0
  service.onRequest = async (request) => {
    if (!actionPid || !isFatal(request)) return
    process.kill(actionPid, 'SIGKILL')
    await waitFor(() => !processIsRunning(actionPid))
  }
  try {
    const main = await runAction({
      workspace,
      inputs,
      env: service.env(),
      onStart: (pid) => (actionPid = pid)
    })
    expect(main.signal).toBe('SIGKILL')
    return main
  } finally {
    service.onRequest = undefined
  }
}

describe('the post step in the cases that must not go wrong', () => {
  it('does nothing after a main step that failed its input checks', async () => {
    const workspace = tempFolder()
    const inputs = { command: 'echo ran >> marker', 'working-directory': 'sub' }
    const main = await runAction({ workspace, inputs, env: service.env() })
    expect(main.exitCode).toBe(1)

    fs.mkdirSync(path.join(workspace, 'sub'))
    const post = await runAction({ workspace, inputs, env: service.env(), postState: main.state })

    expect(post.exitCode).toBe(0)
    expect(post.console).toContain('The main step did not get as far as training; nothing to do.')
    expect(fs.existsSync(path.join(workspace, 'sub', 'marker'))).toBe(false)
  })

  it('forgets an iteration once it has ended', async () => {
    const main = await runAction({
      inputs: { command: 'true', iterations: '1', upload: 'never' },
      env: service.env()
    })
    expect(main.state['iteration-group']).toBe('')
  })

  it('replaces the artifact the main step refreshed before it was killed', async () => {
    const workspace = tempFolder()
    const logPath = path.join(workspace, 'training.log')
    const inputs = refreshedThenStuck('post-replace')
    let actionPid = 0
    const running = runAction({
      workspace,
      inputs,
      env: service.env(),
      onStart: (pid) => (actionPid = pid)
    })
    await waitFor(
      () => fs.existsSync(logPath) && /^iteration 2$/m.test(fs.readFileSync(logPath, 'utf8'))
    )
    await waitFor(() => service.artifacts().some((artifact) => artifact.name === 'post-replace'))
    process.kill(actionPid, 'SIGKILL')
    const main = await running

    const post = await runAction({ workspace, inputs, env: service.env(), postState: main.state })

    expect(post.exitCode, post.console).toBe(0)
    const log = await storedLog('post-replace')
    expect(log).toContain('iteration 2\n')
    expect(log).toContain('the post step uploads this log')
  })

  it('replaces an artifact the main step was killed before hearing was stored', async () => {
    const workspace = tempFolder()
    const inputs = refreshedThenStuck('post-unheard')
    // The service finalizes the upload after the kill, answering a process already dead.
    const main = await killedAtRequest(workspace, inputs, (request) => {
      return request.operation === 'FinalizeArtifact'
    })
    await waitFor(() => service.artifacts().some((artifact) => artifact.name === 'post-unheard'))

    const post = await runAction({ workspace, inputs, env: service.env(), postState: main.state })

    expect(post.exitCode, post.console).toBe(0)
    const log = await storedLog('post-unheard')
    expect(log).toContain('the post step uploads this log')
  })

  it("leaves alone another job's artifact that holds the name", async () => {
    const name = 'post-taken'
    const otherJob = await runAction({
      inputs: { command: 'echo the other job', iterations: '1', 'artifact-name': name },
      env: service.env(service.runId, 'another-job')
    })
    expect(otherJob.exitCode, otherJob.console).toBe(0)

    // The refresh after iteration 1 is refused; the step is killed while asking again after
    // iteration 2, before the second refusal arrives.
    const workspace = tempFolder()
    const inputs = {
      command: 'echo "iteration $TRAINING_ITERATION"; [ "$TRAINING_ITERATION" -lt 3 ] || sleep 600',
      iterations: '3',
      delay: '0',
      'artifact-name': name
    }
    let creates = 0
    const main = await killedAtRequest(workspace, inputs, (request) => {
      return request.operation === 'CreateArtifact' && ++creates === 2
    })
    expect(main.state['artifact-ownership']).toBe('taken')

    const post = await runAction({ workspace, inputs, env: service.env(), postState: main.state })

    expect(post.exitCode).toBe(1)
    expect(post.console).toContain(
      `Another job or step of this workflow run already uploaded an artifact named '${name}'`
    )
    const holders = service.artifacts().filter((artifact) => artifact.name === name)
    expect(holders.map((artifact) => artifact.jobId)).toEqual(['another-job'])
    expect(await storedLog(name)).toContain('the other job\n')
  })
})
