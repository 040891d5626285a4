/**
 * What a person watching the job log sees: one collapsible group per iteration holding its
 * output, a result line after it, and failures as annotations.
 */
import * as core from '@actions/core'

import { describeEnding, describeExit, type IterationLabel, iterationName } from '../log/frames.js'
import type { OutputSink, OutputSource } from '../process/run-process.js'
import { failed, type AttemptLabel, type IterationResult } from '../scheduler.js'
import { formatDuration } from '../settings/duration.js'
import type { FailurePolicy } from '../settings/inputs.js'

const NEWLINE = 0x0a

/** Echoes output bytes to the job log untouched; the runner masks secrets in it. */
export class ConsoleEcho implements OutputSink {
  private readonly openLine: Record<OutputSource, boolean> = { stdout: false, stderr: false }

  write(chunk: Buffer, source: OutputSource): void | Promise<void> {
    if (chunk.length === 0) return
    this.openLine[source] = chunk[chunk.length - 1] !== NEWLINE

    const stream = process[source]
    if (stream.write(chunk)) return
    return new Promise((resolve) => stream.once('drain', resolve))
  }

  /** Ends a last line left without a newline, or the runner would miss the next command. */
  endOpenLines(): void {
    for (const source of ['stdout', 'stderr'] as const) {
      if (this.openLine[source]) process[source].write('\n')
      this.openLine[source] = false
    }
  }
}

/** `Iteration 3/5`, or `Iteration 3/5, attempt 2/3` when retries are on. */
export function iterationTitle(label: IterationLabel): string {
  const name = iterationName(label)
  return name.charAt(0).toUpperCase() + name.slice(1)
}

export function reportIterationStart(label: IterationLabel): void {
  core.startGroup(iterationTitle(label))
}

export function reportIterationEnd(
  label: IterationLabel,
  result: IterationResult,
  policy: FailurePolicy
): void {
  core.endGroup()

  const title = iterationTitle(label)
  const line = `${title}: ${consoleEnding(result)} after ${formatDuration(result.durationMs)}`
  const retrying = failed(result) && label.attempt < label.maxAttempts
  if (!failed(result)) {
    // A stop for the time limit or a cancel is explained once, where the run ends.
    core.info(line)
  } else if (retrying || policy === 'ignore') {
    core.warning(retrying ? `${line}; retrying` : line, { title: `${title} failed` })
  } else {
    core.error(line, { title: `${title} failed` })
  }
}

export function reportPause(delayMs: number, next: AttemptLabel, total: number): void {
  const what =
    next.attempt > 1
      ? `retrying iteration ${next.iteration}/${total}`
      : `iteration ${next.iteration}/${total}`
  core.info(`Waiting ${formatDuration(delayMs)} before ${what}`)
}

export function reportIterationNote(label: IterationLabel, note: string): void {
  core.warning(`${iterationTitle(label)}: ${note}`)
}

/** As in the log, but a success names its exit code too: the console line stands alone. */
function consoleEnding(result: IterationResult): string {
  const ending = describeEnding(result)
  const endedOnItsOwn = result.exitCode === 0 && result.stoppedBy === undefined
  return endedOnItsOwn ? `${ending} (${describeExit(result)})` : ending
}
