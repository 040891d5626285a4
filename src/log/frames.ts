/**
 * The lines the action writes around each iteration in the log file, so a reader (or grep)
 * can find where any run starts and how it ended; and the words used for how an iteration
 * ended, shared by the log, the console and the summary.
 */
import type { StopCause } from '../process/run-process.js'
import { formatDuration } from '../settings/duration.js'

export const FRAME_PREFIX = '=== background-training'

export interface IterationLabel {
  readonly iteration: number
  readonly total: number
  readonly attempt: number
  /** 1 + retries; the attempt is only named when there can be more than one. */
  readonly maxAttempts: number
  /** The number across runs, when this run continues earlier ones. */
  readonly overall?: number
}

export interface IterationEnding {
  readonly exitCode: number
  readonly signal?: string
  readonly stoppedBy?: StopCause
  readonly durationMs: number
}

export function startFrame(label: IterationLabel, startedAt: Date, command: string): string {
  return `${prefix(label)} | started ${startedAt.toISOString()} | ${firstLineOf(command)}`
}

export function endFrame(label: IterationLabel, ending: IterationEnding): string {
  return `${prefix(label)} | ${describeEnding(ending)} | took ${formatDuration(ending.durationMs)}`
}

export function noteFrame(label: IterationLabel, note: string): string {
  return `${prefix(label)} | note: ${note}`
}

/** A line of the action's own that belongs to no iteration. */
export function runFrame(note: string): string {
  return `${FRAME_PREFIX} | ${note}`
}

const STOPPED: Record<StopCause, string> = {
  timeout: 'failed: timed out',
  'time-limit': 'stopped: the time limit was reached',
  cancelled: 'stopped: the run was cancelled'
}

/** `succeeded`, `failed: exit code 3`, `failed: timed out (killed by SIGTERM, exit code 143)`. */
export function describeEnding(ending: Omit<IterationEnding, 'durationMs'>): string {
  if (ending.stoppedBy) return `${STOPPED[ending.stoppedBy]} (${describeExit(ending)})`
  return ending.exitCode === 0 ? 'succeeded' : `failed: ${describeExit(ending)}`
}

/** `exit code 3`, or `killed by SIGKILL (exit code 137)`. */
export function describeExit(ending: { exitCode: number; signal?: string }): string {
  if (ending.signal) return `killed by ${ending.signal}, exit code ${ending.exitCode}`
  return `exit code ${ending.exitCode}`
}

export function iterationName(label: IterationLabel): string {
  const attempt = label.maxAttempts > 1 ? `, attempt ${label.attempt}/${label.maxAttempts}` : ''
  return `iteration ${label.iteration}/${label.total}${attempt}`
}

function prefix(label: IterationLabel): string {
  const overall = label.overall !== undefined ? ` (overall ${label.overall})` : ''
  const attempt = label.maxAttempts > 1 ? ` | attempt ${label.attempt}/${label.maxAttempts}` : ''
  return `${FRAME_PREFIX} | iteration ${label.iteration}/${label.total}${overall}${attempt}`
}

function firstLineOf(command: string): string {
  const lines = command.split(/\r?\n/)
  const first = lines[0].trim()
  return lines.length === 1 ? first : `${first} (+${lines.length - 1} more lines)`
}
