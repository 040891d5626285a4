/**
 * Hostile output, processes, files, artifact service faults and inputs, each on the built
 * action: every case must end with a clear message and a complete log.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { type ActionRun, runAction } from './support/action.js'
import { type ArtifactService, startArtifactService } from './support/artifact-service.js'
import { processIsRunning } from './support/processes.js'
import { tempFolder } from './support/temp.js'
import { storedFile } from './support/stored.js'

let service: ArtifactService
let artifactCount = 0

beforeAll(async () => {
  service = await startArtifactService()
})

afterAll(async () => {
  await service.close()
})

/** Runs the action with a fresh artifact name, so runs sharing the service never collide. */
function run(
  inputs: Record<string, string>,
  options: { env?: NodeJS.ProcessEnv; workspace?: string } = {}
) {
  const name = `hostile-${++artifactCount}`
  return runAction({
    inputs: { iterations: '1', delay: '0', 'artifact-name': name, ...inputs },
    env: { ...service.env(), ...options.env },
    workspace: options.workspace
  }).then((result) => ({ ...result, name }))
}

function logOf(result: ActionRun, file = 'training.log'): Buffer {
  return fs.readFileSync(path.join(result.workspace, file))
}

/** The output between an iteration's frames: what the command printed, byte for byte. */
function outputIn(log: Buffer): Buffer {
  const start = log.indexOf('\n') + 1
  const end = log.lastIndexOf(Buffer.from('=== background-training'))
  return log.subarray(start, end)
}

/** A small file system of its own (root only), for a disk that is full or read-only. */
async function withTmpfs(options: string, use: (mount: string) => Promise<void>): Promise<void> {
  const mount = tempFolder()
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mount])
  try {
    await use(mount)
  } finally {
    execFileSync('umount', [mount])
  }
}

function storedLog(name: string): Promise<Buffer> {
  return storedFile(service, name)
}

describe('hostile output', () => {
  it('keeps invalid UTF-8 and characters split across writes, byte for byte', async () => {
    const result = await run({
      command:
        "printf '\\xff\\xfe\\xc3'; sleep 0.05; printf '\\xa9 caf\\xc3'; sleep 0.05; printf '\\xa9\\n'"
    })
    expect(result.exitCode, result.console).toBe(0)
    const expected = Buffer.from([0xff, 0xfe, 0xc3, 0xa9, 0x20, 0x63, 0x61, 0x66, 0xc3, 0xa9, 0x0a])
    expect(outputIn(logOf(result)).equals(expected)).toBe(true)
    expect((await storedLog(result.name)).equals(logOf(result))).toBe(true)
  })

  it('keeps a 200,000-character line whole', async () => {
    const result = await run({ command: "head -c 200000 /dev/zero | tr '\\0' 'a'; echo" })
    expect(result.exitCode, result.console).toBe(0)
    expect(outputIn(logOf(result)).toString()).toBe('a'.repeat(200_000) + '\n')
  })

  it('keeps carriage-return progress bars as printed, and reads the last value', async () => {
    const bar = '  0%%| loss=0.9\\r 50%%| loss=0.5\\r100%%| loss=0.3\\n'
    const result = await run({ command: `printf '${bar}'`, metrics: 'loss' })
    expect(result.exitCode, result.console).toBe(0)
    expect(outputIn(logOf(result)).toString()).toBe(
      '  0%| loss=0.9\r 50%| loss=0.5\r100%| loss=0.3\n'
    )
    expect(JSON.parse(result.outputs.metrics)).toEqual({ loss: 0.3 })
  })

  it('keeps ANSI colours in the console, and in the file unless strip-ansi is set', async () => {
    const command = "printf '\\033[31mred\\033[0m plain\\n'"
    const kept = await run({ command })
    const stripped = await run({ command, 'strip-ansi': 'true' })

    expect(outputIn(logOf(kept)).toString()).toBe('\u001b[31mred\u001b[0m plain\n')
    expect(outputIn(logOf(stripped)).toString()).toBe('red plain\n')
    expect(stripped.console).toContain('\u001b[31mred\u001b[0m plain')
  })

  it('writes 1 GiB of output completely', async () => {
    const result = await run({
      command: "head -c 1073741824 /dev/zero | tr '\\0' 'x'",
      upload: 'never'
    })
    expect(result.exitCode, result.console).toBe(0)
    expect(outputIn(logOf(result)).length).toBe(1024 ** 3 + 1)
  }, 180_000)

  it('gives a command that reads stdin an immediate end of input', async () => {
    const result = await run({ command: 'cat; echo "after cat"' })
    expect(result.exitCode, result.console).toBe(0)
    expect(outputIn(logOf(result)).toString()).toBe('after cat\n')
  })
})

describe('hostile processes', () => {
  it.each([
    ['exit 255', 255, /failed: exit code 255/],
    ['no-such-command-here', 127, /failed: exit code 127/],
    ['kill -9 $$', 137, /failed: killed by SIGKILL, exit code 137/]
  ])('%s fails with exit code %d, named in the log', async (command, code, ending) => {
    const result = await run({ command })
    expect(result.exitCode).toBe(1)
    expect(result.outputs['exit-code']).toBe(String(code))
    expect((await storedLog(result.name)).toString()).toMatch(ending)
  })

  it('stops a fork that outlives the iteration', async () => {
    const folder = tempFolder()
    const result = await run({
      command: `(sleep 600; echo late) & echo $! > ${folder}/fork; echo main done`
    })
    expect(result.exitCode, result.console).toBe(0)
    expect(processIsRunning(Number(fs.readFileSync(path.join(folder, 'fork'), 'utf8')))).toBe(false)
    expect(logOf(result).toString()).toContain('stopped processes the command left running')
  })

  it('waits for a command that closes stdout early and goes on running', async () => {
    const result = await run({
      command: 'echo "before close"; exec 1>&-; sleep 1; echo "still here" >&2'
    })
    expect(result.exitCode, result.console).toBe(0)
    expect(outputIn(logOf(result)).toString()).toBe('before close\nstill here\n')
  })
})

describe('hostile files', () => {
  it('fails at once, naming the input, when the log path is a folder', async () => {
    const workspace = tempFolder()
    fs.mkdirSync(path.join(workspace, 'logs'))
    const result = await run({ command: 'echo should-not-run', 'log-path': 'logs' }, { workspace })
    expect(result.exitCode).toBe(1)
    expect(result.console).toContain("::error::Input 'log-path' must be the path of a file, but")
  })

  it('fails at once, naming the input, when the log cannot be created', async () => {
    const result = await run({
      command: 'echo should-not-run',
      'log-path': '/proc/no-such/training.log'
    })
    expect(result.exitCode).toBe(1)
    expect(result.console).toMatch(/::error::Could not write the log file .* \(input 'log-path'\)/)
    expect(result.console).not.toContain('should-not-run')
  })

  it.skipIf(process.getuid?.() !== 0)('reports a full disk at once and keeps training', () =>
    withTmpfs('size=64k', async (mount) => {
      const result = await run({
        command: "head -c 200000 /dev/zero | tr '\\0' 'y'; echo; echo 'training finished'",
        'log-path': path.join(mount, 'training.log'),
        upload: 'never'
      })
      expect(result.exitCode).toBe(1)
      expect(result.console).toMatch(
        /::error::Could not write the log file .*ENOSPC.*Training goes on/
      )
      expect(result.console).toContain('training finished')
    })
  )

  // As root, folder permissions stop nothing: a read-only mount does.
  it.skipIf(process.getuid?.() !== 0)(
    'fails at once, naming the input, in a read-only folder',
    () =>
      withTmpfs('ro,size=64k', async (mount) => {
        const result = await run({
          command: 'echo should-not-run',
          'log-path': path.join(mount, 'training.log')
        })
        expect(result.exitCode).toBe(1)
        expect(result.console).toMatch(
          /::error::Could not write the log file .* \(input 'log-path'\): .*EROFS/
        )
        expect(result.console).not.toContain('should-not-run')
      })
  )

  it('fails at once, naming the input, when the working directory is missing', async () => {
    const result = await run({ command: 'echo should-not-run', 'working-directory': 'gone' })
    expect(result.exitCode).toBe(1)
    expect(result.console).not.toMatch(/^should-not-run$/m)
    expect(result.console).toContain(
      "::error::Input 'working-directory' must be an existing folder"
    )
  })
})

describe('hostile artifact service', () => {
  afterEach(() => service.clearFaults())

  it.each([
    ["500s that use up the client's own retries", 500, 5],
    ['a dropped connection', 0, 1]
  ])(
    'recovers from %s on create, with a warning',
    async (_, status, times) => {
      service.failNext('CreateArtifact', status, times, 'injected fault')
      const result = await run({ command: 'echo trained', upload: 'end' })

      expect(result.exitCode, result.console).toBe(0)
      expect(result.console).toContain('::warning::Uploading the artifact failed, retrying in 5s')
      expect((await storedLog(result.name)).toString()).toContain('trained\n')
    },
    120_000
  )

  it.each([
    ['a quota refusal', 403],
    ['a conflict', 409]
  ])('fails the step on %s, naming the artifact, the log on disk', async (_, status) => {
    service.failNext('CreateArtifact', status, 1, 'injected refusal')
    const result = await run({ command: 'echo trained', upload: 'end' })

    expect(result.exitCode).toBe(1)
    expect(result.console).toMatch(new RegExp(`Could not upload the artifact '${result.name}'`))
    expect(result.console).toContain('The log is still on disk at')
    expect(outputIn(logOf(result)).toString()).toBe('trained\n')
    expect(result.outputs['iterations-completed']).toBe('1')
  })

  it('recovers from a stalled upload on the next attempt', async () => {
    let stalled = false
    service.onRequest = async (request) => {
      if (request.operation !== 'PutBlock' || stalled) return
      stalled = true
      await new Promise((resolve) => setTimeout(resolve, 4000))
    }
    try {
      const result = await run(
        { command: 'echo trained', upload: 'end' },
        { env: { ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS: '1000' } }
      )
      expect(result.exitCode, result.console).toBe(0)
      expect(result.console).toContain('Uploading the artifact failed, retrying in 5s')
      expect((await storedLog(result.name)).toString()).toContain('trained\n')
    } finally {
      service.onRequest = undefined
    }
  }, 60_000)
})

describe('hostile inputs', () => {
  // Every input but the command (checked above), with values that are negative, huge or
  // malformed; each must fail before training with the input named in the message. An empty
  // value means the input's default, as on the runner.
  it.each([
    ['iterations', ['-1', '0', '1000001', '1e9', 'five', '2.5']],
    ['delay', ['-1s', '25d', '99999999999', '5 minutes', '1h30']],
    ['log-path', ['logs/', 'a?b.log', 'x|y.log']],
    ['artifact-name', ['..', 'a/b', 'x'.repeat(201), 'name:1']],
    ['shell', ['fish', '{0}', 'bash "{0}', 'nosuchshell {0}']],
    ['working-directory', ['does/not/exist']],
    ['upload', ['always', '1']],
    ['retention-days', ['0', '-3', '91', 'forever']],
    ['compression-level', ['-1', '10', 'best']],
    ['artifact-paths', ['../up/*.pt', '/etc/*']],
    ['metrics', ['2loss', 'loss;acc', 'a b']],
    ['iteration-timeout', ['0', '-5m', 'later']],
    ['time-limit', ['0', '-1h', '30d']],
    ['kill-grace', ['-1', 'soon', '25d']],
    ['on-failure', ['retry', 'never']],
    ['retries', ['-1', '101', 'many']],
    ['retry-delay', ['-2s', 'x']],
    ['checkpoint-path', ['../outside']],
    ['resume-key', ['a,b', 'k'.repeat(401)]],
    ['strip-ansi', ['yes', '1']]
  ])('%s', async (input, values) => {
    for (const value of values) {
      const result = await run({ command: 'echo should-not-run', [input]: value })
      expect(result.exitCode, `${input}=${value}`).toBe(1)
      expect(result.console, `${input}=${value}`).toContain(`::error::Input '${input}' must be`)
      expect(result.console).not.toContain('should-not-run')
    }
  })
})

describe('secrets', () => {
  it('keeps redacted values and ::add-mask:: values out of everything stored', async () => {
    const secret = 'tok-3f9a7c1e55'
    const masked = 'pw-778899aabb'
    const command = [
      `echo "token is ${secret}"`,
      `printf 'split: tok-3f9'; sleep 0.05; printf 'a7c1e55\\n'`,
      `echo "::add-mask::${masked}"`,
      `echo "password ${masked} loss=0.5"`,
      'exit 3'
    ].join('\n')
    const result = await run({ command, redact: secret, metrics: 'loss' })

    expect(result.exitCode).toBe(1)
    const stored = await storedLog(result.name)
    const everything = [
      stored,
      logOf(result),
      Buffer.from(result.summary),
      logOf(result, 'metrics.csv')
    ]
    for (const text of everything) {
      expect(text.includes(secret)).toBe(false)
      expect(text.includes(masked)).toBe(false)
      expect(text.includes('tok-3f9')).toBe(false)
    }
    expect(stored.toString()).toContain(
      'token is ***\nsplit: ***\n::add-mask::***\npassword *** loss=0.5\n'
    )
    expect(stored.toString()).toContain(`| echo "token is ***" (+4 more lines)`)
    expect(result.summary).toContain('password *** loss=0.5')
    expect(result.console).toContain(`::add-mask::${secret}`)
  })
})
