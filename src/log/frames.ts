/**
 * The lines the action writes around each iteration in the log file, so a reader (or grep)
 * can find where any run starts and how it ended.
 */
import { formatDuration } from '../settings/duration.js'

export const FRAME_PREFIX = '=== background-training'

export interface IterationLabel {
  readonly iteration: number
  readonly total: number
}

export interface IterationEnding extends IterationLabel {
  readonly exitCode: number
  readonly signal?: string
  readonly durationMs: number
}

export function startFrame(label: IterationLabel, startedAt: Date, command: string): string {
  return `${prefix(label)} | started ${startedAt.toISOString()} | ${firstLineOf(command)}`
}

export function endFrame(ending: IterationEnding): string {
  const result = ending.exitCode === 0 ? 'succeeded' : `failed: ${describeExit(ending)}`
  return `${prefix(ending)} | ${result} | took ${formatDuration(ending.durationMs)}`
}

export function noteFrame(label: IterationLabel, note: string): string {
  return `${prefix(label)} | note: ${note}`
}

/** `exit code 3`, or `killed by SIGKILL (exit code 137)`. */
export function describeExit(ending: { exitCode: number; signal?: string }): string {
  if (ending.signal) return `killed by ${ending.signal} (exit code ${ending.exitCode})`
  return `exit code ${ending.exitCode}`
}

function prefix(label: IterationLabel): string {
  return `${FRAME_PREFIX} | iteration ${label.iteration}/${label.total}`
}

function firstLineOf(command: string): string {
  const lines = command.split(/\r?\n/)
  const first = lines[0].trim()
  return lines.length === 1 ? first : `${first} (+${lines.length - 1} more lines)`
}
