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
const CARRIAGE_RETURN = 0x0d
// A line longer than this is let through unfinished rather than held in memory.
const LONGEST_HELD_LINE = 64 * 1024
const EMPTY = Buffer.alloc(0)

/**
 * Echoes output bytes to the job log untouched; the runner masks secrets in it.
 *
 * Output after the last line break is held back until its line ends. The runner shows only
 * whole lines anyway, and it reads a command (`::add-mask::`, `::warning::`) only at the start
 * of a line: the action's own lines, and those of the artifact client uploading in the
 * background, would otherwise be glued to an unfinished line of the training and come out as
 * plain text, a mask's secret included.
 */
export class ConsoleEcho implements OutputSink {
  private readonly held: Record<OutputSource, Buffer> = { stdout: EMPTY, stderr: EMPTY }
  /** Whether bytes of a line too long to hold went out with no line break after them yet. */
  private readonly openLine: Record<OutputSource, boolean> = { stdout: false, stderr: false }

  write(chunk: Buffer, source: OutputSource): void | Promise<void> {
    if (chunk.length === 0) return

    const pending = this.held[source]
    const lineEnd = Math.max(chunk.lastIndexOf(NEWLINE), chunk.lastIndexOf(CARRIAGE_RETURN))
    const complete = lineEnd < 0 ? [] : [pending, chunk.subarray(0, lineEnd + 1)]
    const unfinished = lineEnd < 0 ? [pending, chunk] : [chunk.subarray(lineEnd + 1)]

    if (totalLength(unfinished) <= LONGEST_HELD_LINE) {
      // Held as a copy, so that the chunk's memory can be freed.
      this.held[source] = Buffer.concat(unfinished)
      if (lineEnd >= 0) this.openLine[source] = false
      return this.emit(source, complete)
    }
    this.held[source] = EMPTY
    this.openLine[source] = true
    return this.emit(source, [...complete, ...unfinished])
  }

  /** Lets out what is held and ends the line, or the runner would miss the next command. */
  endOpenLines(): void {
    for (const source of ['stdout', 'stderr'] as const) {
      const pending = this.held[source]
      if (pending.length > 0 || this.openLine[source]) {
        process[source].write(Buffer.concat([pending, Buffer.from('\n')]))
      }
      this.held[source] = EMPTY
      this.openLine[source] = false
    }
  }

  private emit(source: OutputSource, parts: Buffer[]): void | Promise<void> {
    const stream = process[source]
    let flowing = true
    for (const part of parts) if (part.length > 0) flowing = stream.write(part)
    if (flowing) return
    return new Promise((resolve) => stream.once('drain', resolve))
  }
}

function totalLength(parts: readonly Buffer[]): number {
  return parts.reduce((sum, part) => sum + part.length, 0)
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
