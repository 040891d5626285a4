/**
 * What a person watching the job log sees: one collapsible group per iteration holding its
 * output, a result line after it, and failures as annotations.
 */
import * as core from '@actions/core'

import { describeExit, type IterationLabel } from '../log/frames.js'
import type { OutputSink, OutputSource } from '../process/run-process.js'
import type { IterationResult } from '../scheduler.js'
import { formatDuration } from '../settings/duration.js'

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

export function iterationTitle(label: IterationLabel): string {
  return `Iteration ${label.iteration}/${label.total}`
}

export function reportIterationStart(label: IterationLabel): void {
  core.startGroup(iterationTitle(label))
}

export function reportIterationEnd(label: IterationLabel, result: IterationResult): void {
  core.endGroup()

  const took = formatDuration(result.durationMs)
  if (result.exitCode === 0) {
    core.info(`${iterationTitle(label)} succeeded in ${took}`)
    return
  }
  core.error(`${iterationTitle(label)} failed after ${took}: ${describeExit(result)}`, {
    title: `${iterationTitle(label)} failed`
  })
}

export function reportPause(delayMs: number, nextIteration: number, total: number): void {
  core.info(`Waiting ${formatDuration(delayMs)} before iteration ${nextIteration}/${total}`)
}

export function reportIterationNote(label: IterationLabel, note: string): void {
  core.warning(`${iterationTitle(label)}: ${note}`)
}
