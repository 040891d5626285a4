/**
 * One iteration: frame it in the log and the console, run the command with its output going to
 * both, and describe how it ended.
 */
import { endFrame, type IterationLabel, noteFrame, startFrame } from './log/frames.js'
import type { LogWriter } from './log/log-writer.js'
import { MetricScanner } from './metrics/metric-scanner.js'
import { commandEnvironment } from './process/command-environment.js'
import type { StopResult } from './process/process-group.js'
import { type OutputSink, type ProcessOutcome, runProcess } from './process/run-process.js'
import type { ScriptFile } from './process/script-file.js'
import {
  ConsoleEcho,
  reportIterationEnd,
  reportIterationNote,
  reportIterationStart
} from './reporting/console.js'
import { OutputTail } from './reporting/output-tail.js'
import type { IterationResult } from './scheduler.js'
import type { Settings } from './settings/inputs.js'

/** How long output pipes may stay open after the command exits, held by something it started. */
export const PIPE_GRACE_MS = 3000
export const KILL_GRACE_MS = 5000

export interface IterationContext {
  readonly settings: Settings
  readonly script: ScriptFile
  readonly log: LogWriter
}

/** What one iteration left behind besides its exit: its metrics and its last lines. */
export interface IterationRecord {
  readonly result: IterationResult
  readonly metrics: Record<string, number>
  readonly tail: OutputTail
}

export async function runIteration(
  context: IterationContext,
  iteration: number
): Promise<IterationRecord> {
  const label: IterationLabel = { iteration, total: context.settings.iterations }
  const startedAt = new Date()
  const echo = new ConsoleEcho()
  const scanner = new MetricScanner(context.settings.metrics)
  const tail = new OutputTail()

  reportIterationStart(label)
  await context.log.writeLine(startFrame(label, startedAt, context.settings.command))

  const outcome = await runProcess({
    executable: context.script.executable,
    args: context.script.args,
    verbatimArguments: context.script.verbatimArguments,
    cwd: context.settings.workingDirectory,
    env: commandEnvironment(process.env),
    output: teeTo(echo, context.log, (chunk) => {
      scanner.write(chunk)
      tail.write(chunk)
    }),
    pipeGraceMs: PIPE_GRACE_MS,
    killGraceMs: KILL_GRACE_MS
  })

  const result = resultOf(iteration, startedAt, outcome)
  echo.endOpenLines()
  await recordEnding(context.log, label, result, outcome)
  reportIterationEnd(label, result)
  return { result, metrics: scanner.finish(), tail }
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

function resultOf(iteration: number, startedAt: Date, outcome: ProcessOutcome): IterationResult {
  return {
    iteration,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    exitCode: outcome.exitCode,
    signal: outcome.signal
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
  await log.writeLine(endFrame({ ...label, ...result }))
}

const LEFTOVER_NOTES: Record<StopResult, string | undefined> = {
  'nothing-left': undefined,
  terminated: 'stopped processes the command left running (SIGTERM)',
  killed: 'killed processes the command left running (SIGKILL after SIGTERM was ignored)'
}

function notesOn(outcome: ProcessOutcome): string[] {
  const notes: string[] = []
  if (outcome.pipesHeldOpen) {
    notes.push(
      `output was still held open ${PIPE_GRACE_MS / 1000}s after the command exited, ` +
        'by a process it started in the background'
    )
  }
  const leftover = LEFTOVER_NOTES[outcome.leftovers]
  if (leftover) notes.push(leftover)
  return notes
}
