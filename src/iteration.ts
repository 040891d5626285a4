/**
 * One attempt of one iteration: frame it in the log and the console, run the command with its
 * output going to both, stop it if it runs into a timeout, the time limit or a cancel, and
 * describe how it ended.
 */
import type { Cancellation } from './cancellation.js'
import { endFrame, type IterationLabel, noteFrame, startFrame } from './log/frames.js'
import type { LogWriter } from './log/log-writer.js'
import { MetricScanner } from './metrics/metric-scanner.js'
import { commandEnvironment } from './process/command-environment.js'
import type { StopResult } from './process/process-group.js'
import {
  type OutputSink,
  type ProcessOutcome,
  runProcess,
  type StopRequest
} from './process/run-process.js'
import type { ScriptFile } from './process/script-file.js'
import {
  ConsoleEcho,
  reportIterationEnd,
  reportIterationNote,
  reportIterationStart
} from './reporting/console.js'
import { OutputTail } from './reporting/output-tail.js'
import type { AttemptLabel, IterationResult } from './scheduler.js'
import type { Settings } from './settings/inputs.js'
import type { ResumePoint } from './resume/resume.js'
import type { TimeBudget } from './time-budget.js'

/** How long output pipes may stay open after the command exits, held by something it started. */
export const PIPE_GRACE_MS = 3000

export interface IterationContext {
  readonly settings: Settings
  readonly script: ScriptFile
  readonly log: LogWriter
  readonly cancellation: Cancellation
  readonly budget?: TimeBudget
  readonly resume: ResumePoint
  /** Told the process group of each attempt, for a post step that may have to stop it. */
  readonly onSpawn?: (pid: number) => void
  /** Told when the attempt's processes are gone. */
  readonly onEnd?: () => void
}

/** What one attempt left behind besides its exit: its metrics and its last lines. */
export interface IterationRecord {
  readonly result: IterationResult
  readonly metrics: Record<string, number>
  readonly tail: OutputTail
}

export async function runAttempt(
  context: IterationContext,
  attempt: AttemptLabel
): Promise<IterationRecord> {
  const { settings, log } = context
  const overall = context.resume.previousIterations + attempt.iteration
  const label: IterationLabel = {
    ...attempt,
    total: settings.iterations,
    maxAttempts: settings.retries + 1,
    overall: context.resume.resumed ? overall : undefined
  }
  const startedAt = new Date()
  const echo = new ConsoleEcho()
  const scanner = new MetricScanner(settings.metrics)
  const tail = new OutputTail()
  const stop = stopConditions(context, startedAt.getTime())

  reportIterationStart(label)
  await log.writeLine(startFrame(label, startedAt, settings.command))

  const outcome = await runProcess({
    executable: context.script.executable,
    args: context.script.args,
    verbatimArguments: context.script.verbatimArguments,
    cwd: settings.workingDirectory,
    env: commandEnvironment(process.env, {
      ...stop.environment,
      ...placeInTraining(context, attempt.iteration)
    }),
    output: teeTo(echo, log, (chunk) => {
      scanner.write(chunk)
      tail.write(chunk)
    }),
    pipeGraceMs: PIPE_GRACE_MS,
    killGraceMs: settings.killGraceMs,
    stop: stop.signal,
    onSpawn: (pid) => {
      context.cancellation.setActiveGroup(pid)
      context.onSpawn?.(pid)
    }
  }).finally(() => {
    stop.clear()
    context.cancellation.setActiveGroup(undefined)
    context.onEnd?.()
  })

  const result = resultOf(attempt, startedAt, outcome)
  echo.endOpenLines()
  await recordEnding(log, label, result, outcome)
  reportIterationEnd(label, result, settings.onFailure)
  return { result, metrics: scanner.finish(), tail }
}

/**
 * What may stop this attempt early: its own timeout, the end of the time budget, a cancel.
 * The earliest planned stop is also handed to the command as TRAINING_DEADLINE (Unix
 * seconds), so it can save a checkpoint before it.
 */
function stopConditions(context: IterationContext, startMs: number) {
  const { settings, budget, cancellation } = context
  const timers: NodeJS.Timeout[] = []
  const signals = [cancellation.signal]
  const deadlines: number[] = []

  const stopAt = (atMs: number, request: StopRequest) => {
    const controller = new AbortController()
    timers.push(setTimeout(() => controller.abort(request), Math.max(0, atMs - Date.now())))
    signals.push(controller.signal)
    deadlines.push(atMs)
  }
  const graceMs = settings.killGraceMs
  if (settings.iterationTimeoutMs !== undefined) {
    stopAt(startMs + settings.iterationTimeoutMs, { cause: 'timeout', signal: 'SIGTERM', graceMs })
  }
  if (budget) {
    // SIGKILL must come before the reserve for the upload is used up, so the grace is short.
    const budgetGraceMs = Math.min(graceMs, budget.limitMs / 10)
    stopAt(budget.stopAtMs - budgetGraceMs, {
      cause: 'time-limit',
      signal: 'SIGTERM',
      graceMs: budgetGraceMs
    })
  }

  const environment: Record<string, string> =
    deadlines.length > 0
      ? { TRAINING_DEADLINE: String(Math.floor(Math.min(...deadlines) / 1000)) }
      : {}
  return {
    signal: AbortSignal.any(signals),
    environment,
    clear: () => timers.forEach((timer) => clearTimeout(timer))
  }
}

/** Where this iteration stands in the larger training, for a command that wants to know. */
function placeInTraining(context: IterationContext, iteration: number): Record<string, string> {
  const { resume, settings } = context
  return {
    TRAINING_ITERATION: String(resume.previousIterations + iteration),
    TRAINING_RUN_ITERATION: String(iteration),
    TRAINING_ITERATIONS: String(settings.iterations),
    TRAINING_RESUMED: String(resume.resumed)
  }
}

/** Every chunk goes to the console, the log, and the readers that keep what they need. */
function teeTo(echo: ConsoleEcho, log: LogWriter, observe: (chunk: Buffer) => void): OutputSink {
  return {
    write(chunk, source) {
      observe(chunk)
      const echoed = echo.write(chunk, source)
      const logged = log.write(chunk)
      if (!echoed && !logged) return
      return Promise.all([echoed, logged]).then(() => undefined)
    }
  }
}

function resultOf(
  attempt: AttemptLabel,
  startedAt: Date,
  outcome: ProcessOutcome
): IterationResult {
  return {
    ...attempt,
    startedAt,
    durationMs: outcome.endedAtMs - startedAt.getTime(),
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    stoppedBy: outcome.stoppedBy
  }
}

async function recordEnding(
  log: LogWriter,
  label: IterationLabel,
  result: IterationResult,
  outcome: ProcessOutcome
): Promise<void> {
  for (const note of notesOn(outcome)) {
    await log.writeLine(noteFrame(label, note))
    reportIterationNote(label, note)
  }
  await log.writeLine(endFrame(label, result))
}

const LEFTOVER_NOTES: Record<StopResult, string | undefined> = {
  'nothing-left': undefined,
  terminated: 'stopped processes the command left running (SIGTERM)',
  killed: 'killed processes the command left running (SIGKILL after SIGTERM was ignored)'
}

function notesOn(outcome: ProcessOutcome): string[] {
  const notes: string[] = []
  if (outcome.pipesHeldOpen && !outcome.stoppedBy) {
    notes.push(
      `output was still held open ${PIPE_GRACE_MS / 1000}s after the command exited, ` +
        'by a process it started in the background'
    )
  }
  const leftover = LEFTOVER_NOTES[outcome.leftovers]
  if (leftover) notes.push(leftover)
  if (outcome.escapedProcessHoldsOutput) {
    notes.push(
      "a process that left the iteration's process group (setsid, a daemon) still holds the " +
        'output and was left running; the action stopped reading from it'
    )
  }
  return notes
}
