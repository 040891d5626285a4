/**
 * Runs one process to completion: its stdout and stderr go, chunk by chunk and undecoded, to an
 * output sink that may push back; a process group it leaves behind is stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { constants as osConstants } from 'node:os'
import type { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'

import { ProcessStartError } from '../errors.js'
import { PipeMemory } from './pipe-memory.js'
import { stopGroup, type StopResult } from './process-group.js'

export type OutputSource = 'stdout' | 'stderr'

// Once the group has been stopped, nothing of it can be holding the pipes for long.
const STOPPED_PIPE_GRACE_MS = 500

/** Receives output as it arrives. A returned promise means "pause the pipes until it settles". */
export interface OutputSink {
  write(chunk: Buffer, source: OutputSource): void | Promise<void>
}

export interface ProcessRequest {
  readonly executable: string
  readonly args: readonly string[]
  readonly cwd: string
  readonly env: NodeJS.ProcessEnv
  readonly verbatimArguments?: boolean
  readonly output: OutputSink
  /** How long to wait for the pipes to close once the process has exited. */
  readonly pipeGraceMs: number
  /** How long processes get between SIGTERM and SIGKILL. */
  readonly killGraceMs: number
  /** Aborted with a StopRequest to stop the process group before it ends by itself. */
  readonly stop?: AbortSignal
  /** Told the process id (also its group's id) as soon as it runs. */
  readonly onSpawn?: (pid: number) => void
}

export type StopCause = 'timeout' | 'time-limit' | 'cancelled'

/** Why and how a running process is to be stopped. */
export interface StopRequest {
  readonly cause: StopCause
  /** The first signal; SIGKILL follows after the grace period. */
  readonly signal: NodeJS.Signals
  readonly graceMs: number
}

export interface ProcessOutcome {
  /** The exit code, or 128 + the signal's number when a signal ended the process. */
  readonly exitCode: number
  readonly signal?: NodeJS.Signals
  /** When the process exited, or its group did when it was being stopped. */
  readonly endedAtMs: number
  /** Whether the pipes were still held open by another process when the grace period ended. */
  readonly pipesHeldOpen: boolean
  /** A process that left the group (setsid) still holds the output; it was left running. */
  readonly escapedProcessHoldsOutput: boolean
  /** What became of processes the command left running. */
  readonly leftovers: StopResult
  /** Set when the process was stopped on request rather than ending by itself. */
  readonly stoppedBy?: StopCause
}

export async function runProcess(request: ProcessRequest): Promise<ProcessOutcome> {
  const child = await spawnStarted(request)
  const pid = child.pid as number
  request.onSpawn?.(pid)
  const pipesClosed = pumpOutput(child, request.output)
  const stopping = stopOnRequest(pid, request.stop)

  const { code, signal } = await exitOf(child)
  // A stop asked for after the exit changes nothing about how the process ended.
  stopping.detach()
  // A stop under way (its SIGKILL still to come) is waited for, not started a second time:
  // the shell may be gone while the training it ran is still saving.
  await stopping.done
  const endedAtMs = Date.now()

  const pipeGraceMs = stopping.cause() ? STOPPED_PIPE_GRACE_MS : request.pipeGraceMs
  const pipesHeldOpen = !(await settlesWithin(pipesClosed, pipeGraceMs))
  const leftovers = await stopGroup(pid, request.killGraceMs)
  const escaped = pipesHeldOpen && !(await closePipes(child, pipesClosed, pipeGraceMs))

  return {
    exitCode: exitCodeOf(code, signal),
    signal: signal ?? undefined,
    endedAtMs,
    pipesHeldOpen,
    escapedProcessHoldsOutput: escaped,
    leftovers,
    stoppedBy: stopping.cause()
  }
}

/** Stops the group when `stop` is aborted; `cause()` says whether that happened. */
function stopOnRequest(pid: number, stop: AbortSignal | undefined) {
  let request: StopRequest | undefined
  let done: Promise<unknown> = Promise.resolve()

  const onAbort = () => {
    request = stop?.reason as StopRequest
    done = stopGroup(pid, request.graceMs, request.signal)
  }
  if (stop?.aborted) onAbort()
  else stop?.addEventListener('abort', onAbort, { once: true })

  return {
    detach: () => stop?.removeEventListener('abort', onAbort),
    get done() {
      return done
    },
    cause: () => request?.cause
  }
}

async function spawnStarted(request: ProcessRequest): Promise<ChildProcess> {
  const child = spawn(request.executable, request.args, {
    cwd: request.cwd,
    env: request.env,
    // The command reads nothing: a prompt for input would otherwise hang the job.
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that stopping it reaches every process it started.
    detached: process.platform !== 'win32',
    windowsHide: true,
    windowsVerbatimArguments: request.verbatimArguments
  })

  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', (error) =>
      reject(new ProcessStartError(request.executable, { cause: error }))
    )
  })
  return child
}

/** Feeds both pipes to the sink, pausing both while the sink catches up. */
function pumpOutput(child: ChildProcess, sink: OutputSink): Promise<void> {
  const pipes = [child.stdout, child.stderr] as Readable[]
  const memory = new PipeMemory()
  let pendingWrites = 0

  const forward = (source: OutputSource) => (chunk: Buffer) => {
    memory.passed(chunk.length)
    const pending = sink.write(chunk, source)
    if (!pending) return

    pendingWrites += 1
    pipes.forEach((pipe) => pipe.pause())
    void pending.finally(() => {
      pendingWrites -= 1
      if (pendingWrites === 0) pipes.forEach((pipe) => pipe.resume())
    })
  }

  child.stdout?.on('data', forward('stdout'))
  child.stderr?.on('data', forward('stderr'))
  return Promise.all(pipes.map(closed)).then(() => undefined)
}

function closed(pipe: Readable): Promise<void> {
  return new Promise((resolve) => {
    if (pipe.closed) resolve()
    else pipe.once('close', () => resolve())
  })
}

function exitOf(
  child: ChildProcess
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode })
      return
    }
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  const timeout = new AbortController()
  const timedOut = sleep(ms, false, { signal: timeout.signal }).catch(() => false)
  const settled = await Promise.race([promise.then(() => true), timedOut])
  timeout.abort()
  return settled
}

/**
 * The group has been stopped, so the pipes close unless a process escaped it (setsid).
 * Destroying them then keeps one stray process from stalling the whole loop. False when the
 * pipes had to be destroyed: that process is still running.
 */
async function closePipes(child: ChildProcess, pipesClosed: Promise<void>, ms: number) {
  if (await settlesWithin(pipesClosed, ms)) return true
  child.stdout?.destroy()
  child.stderr?.destroy()
  return false
}

export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code
  const signalNumber = signal ? osConstants.signals[signal] : undefined
  return signalNumber ? 128 + signalNumber : 1
}
