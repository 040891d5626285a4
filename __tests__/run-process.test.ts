import * as fs from 'node:fs'
import * as path from 'node:path'
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks'

import { describe, expect, it } from 'vitest'

import { ProcessStartError } from '../src/errors.js'
import { LogWriter } from '../src/log/log-writer.js'
import { groupIsAlive } from '../src/process/process-group.js'
import { COLLECT_EVERY_BYTES, PipeMemory, v8Collector } from '../src/process/pipe-memory.js'
import { type OutputSource, type ProcessOutcome, runProcess } from '../src/process/run-process.js'
import { writeScriptFile } from '../src/process/script-file.js'
import { parseShell, type ShellSpec } from '../src/settings/shell.js'
import { processIsRunning, waitFor } from './support/processes.js'
import { tempFolder } from './support/temp.js'

const bash = parseShell('bash') as ShellSpec

interface Captured {
  outcome: ProcessOutcome
  stdout: Buffer
  stderr: Buffer
  file: Buffer
  elapsedMs: number
  pid?: number
}

/** Runs a bash script the way an iteration does: output to a log file and a collector. */
async function capture(script: string, options: { slowSink?: boolean } = {}): Promise<Captured> {
  const folder = tempFolder()
  const logPath = path.join(folder, 'out.log')
  const log = await LogWriter.open(logPath)
  const file = await writeScriptFile(script, bash, folder)
  const chunks: Record<OutputSource, Buffer[]> = { stdout: [], stderr: [] }
  const started = Date.now()

  const outcome = await runProcess({
    executable: file.executable,
    args: file.args,
    cwd: folder,
    env: process.env,
    pipeGraceMs: 1000,
    killGraceMs: 1000,
    output: {
      write(chunk, source) {
        chunks[source].push(chunk)
        const logged = log.write(chunk)
        if (options.slowSink) return new Promise((resolve) => setTimeout(resolve, 1))
        return logged
      }
    }
  })
  const elapsedMs = Date.now() - started
  await log.close()

  return {
    outcome,
    stdout: Buffer.concat(chunks.stdout),
    stderr: Buffer.concat(chunks.stderr),
    file: fs.readFileSync(logPath),
    elapsedMs
  }
}

describe('runProcess', () => {
  it('keeps the order of lines within each stream', async () => {
    const result = await capture('for i in $(seq 1 300); do echo "out $i"; echo "err $i" >&2; done')

    const expected = (name: string) =>
      Array.from({ length: 300 }, (_, i) => `${name} ${i + 1}\n`).join('')
    expect(result.stdout.toString()).toBe(expected('out'))
    expect(result.stderr.toString()).toBe(expected('err'))

    const fileLines = result.file.toString().split('\n').filter(Boolean)
    expect(fileLines.filter((line) => line.startsWith('out'))).toEqual(
      expected('out').split('\n').filter(Boolean)
    )
    expect(fileLines.filter((line) => line.startsWith('err'))).toEqual(
      expected('err').split('\n').filter(Boolean)
    )
    expect(result.outcome.exitCode).toBe(0)
  })

  it('keeps a last line that has no newline', async () => {
    const result = await capture("printf 'first\\nlast line without newline'")
    expect(result.file.toString()).toBe('first\nlast line without newline')
  })

  it('stores invalid UTF-8 and a character written one byte at a time byte for byte', async () => {
    const script = [
      "printf '\\xff\\xfe\\x00bad\\n'",
      // The euro sign (e2 82 ac), one byte per write with pauses, so each is its own chunk.
      "printf '\\xe2'; sleep 0.05; printf '\\x82'; sleep 0.05; printf '\\xac'; sleep 0.05",
      "printf ' end\\n'"
    ].join('\n')
    const result = await capture(script)

    const expected = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00]),
      Buffer.from('bad\n'),
      Buffer.from([0xe2, 0x82, 0xac]),
      Buffer.from(' end\n')
    ])
    expect(result.file.equals(expected)).toBe(true)
    expect(result.stdout.equals(expected)).toBe(true)
  })

  it('stores 200,000 lines completely', async () => {
    const result = await capture('seq 1 200000')
    const expected = Array.from({ length: 200_000 }, (_, i) => `${i + 1}\n`).join('')
    expect(result.file.length).toBe(Buffer.byteLength(expected))
    expect(result.file.toString() === expected).toBe(true)
  })

  it('pauses the pipes while the sink is slow and loses nothing', async () => {
    const result = await capture('head -c 3000000 /dev/zero | tr "\\0" "x"', { slowSink: true })
    expect(result.file.length).toBe(3_000_000)
    expect(result.stdout.length).toBe(3_000_000)
  })

  it('ends an iteration whose background process holds stdout, and stops that process', async () => {
    const folder = tempFolder()
    const pidFile = path.join(folder, 'pid')
    const result = await capture(`sleep 600 & echo $! > ${pidFile}; echo started`)

    expect(result.outcome.exitCode).toBe(0)
    expect(result.outcome.pipesHeldOpen).toBe(true)
    expect(result.outcome.leftovers).toBe('terminated')
    expect(result.elapsedMs).toBeLessThan(5000)
    expect(processIsRunning(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false)
  })

  it('stops a background process that does not hold the output', async () => {
    const folder = tempFolder()
    const pidFile = path.join(folder, 'pid')
    const result = await capture(`sleep 600 >/dev/null 2>&1 & echo $! > ${pidFile}`)

    expect(result.outcome.pipesHeldOpen).toBe(false)
    expect(result.outcome.leftovers).toBe('terminated')
    expect(processIsRunning(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false)
  })

  it('kills with SIGKILL what ignores SIGTERM', async () => {
    // The script ends only once the background shell has its trap in place.
    const ready = path.join(tempFolder(), 'ready')
    const result = await capture(
      `bash -c 'trap "" TERM; touch ${ready}; sleep 600' >/dev/null 2>&1 &\n` +
        `until [ -e ${ready} ]; do sleep 0.01; done`
    )
    expect(result.outcome.leftovers).toBe('killed')
  })

  it('reports a process killed by a signal with its name and 128 + n', async () => {
    const result = await capture('echo before; kill -9 $$')
    expect(result.outcome).toMatchObject({ exitCode: 137, signal: 'SIGKILL' })
    expect(result.file.toString()).toBe('before\n')
  })

  it('reports the exit code of a failing command', async () => {
    expect((await capture('exit 3')).outcome).toMatchObject({ exitCode: 3, signal: undefined })
  })

  it('reports a command that is not found as 127', async () => {
    const result = await capture('no-such-command-anywhere --flag')
    expect(result.outcome.exitCode).toBe(127)
    expect(result.stderr.toString()).toContain('no-such-command-anywhere')
  })

  it('gives the command no stdin', async () => {
    const result = await capture(
      'if read -r line; then echo "read: $line"; else echo "no input"; fi'
    )
    expect(result.file.toString()).toBe('no input\n')
  })

  it('throws a ProcessStartError when the shell itself cannot start', async () => {
    const run = runProcess({
      executable: 'no-such-shell-here',
      args: [],
      cwd: tempFolder(),
      env: process.env,
      pipeGraceMs: 100,
      killGraceMs: 100,
      output: { write: () => undefined }
    })
    await expect(run).rejects.toThrow(ProcessStartError)
    await expect(run).rejects.toThrow(/Could not start 'no-such-shell-here'/)
  })
})

describe('groupIsAlive', () => {
  it('is false for a group that does not exist', () => {
    expect(groupIsAlive(2 ** 22 + 12345)).toBe(false)
  })
})

describe('PipeMemory', () => {
  it('collects young garbage once every 4 MiB of output, not before', () => {
    const collections: string[] = []
    const memory = new PipeMemory(() => (options) => collections.push(options.type))

    memory.passed(COLLECT_EVERY_BYTES - 1)
    expect(collections).toEqual([])
    memory.passed(1)
    expect(collections).toEqual(['minor'])
    memory.passed(COLLECT_EVERY_BYTES - 1)
    expect(collections).toEqual(['minor'])
  })

  it('collects while a process streams output through runProcess', async () => {
    const forced: number[] = []
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const { flags } = (entry as unknown as { detail: { flags: number } }).detail
        if (flags & perfConstants.NODE_PERFORMANCE_GC_FLAGS_FORCED) forced.push(entry.startTime)
      }
    })
    observer.observe({ entryTypes: ['gc'] })
    try {
      // 16 MiB: four times the amount after which a collection is due.
      await capture('head -c 16777216 /dev/zero')
      // The observer hears of collections a little later, in a task of its own.
      await waitFor(() => forced.length >= 2, 5000)
    } finally {
      observer.disconnect()
    }
    expect(forced.length).toBeGreaterThanOrEqual(2)
  })

  it("gets V8's collector on this Node without a command-line flag", () => {
    const collect = v8Collector()
    expect(typeof collect).toBe('function')
    // A real collection of the young generation returns normally.
    collect?.({ type: 'minor' })
  })
})
