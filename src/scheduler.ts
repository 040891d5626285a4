/**
 * The loop itself: how many iterations, the pauses, retries, the time budget, and when to
 * stop. It knows nothing of processes or files; `runAttempt` does the work.
 */
import { setTimeout as sleep } from 'node:timers/promises'

import type { StopCause } from './process/run-process.js'
import type { FailurePolicy } from './settings/inputs.js'
import type { TimeBudget } from './time-budget.js'

export interface IterationResult {
  readonly iteration: number
  /** 1 for the first try, 2 for the first retry, ... */
  readonly attempt: number
  readonly startedAt: Date
  readonly durationMs: number
  readonly exitCode: number
  readonly signal?: NodeJS.Signals
  /** Set when the action stopped the iteration instead of letting it end. */
  readonly stoppedBy?: StopCause
}

export type StopReason = 'completed' | 'failed' | 'time-limit' | 'cancelled'

export interface ScheduleOutcome {
  /** The last attempt of each iteration that ran. */
  readonly results: readonly IterationResult[]
  readonly stopReason: StopReason
}

export interface AttemptLabel {
  readonly iteration: number
  readonly attempt: number
}

export interface Schedule {
  readonly iterations: number
  readonly delayMs: number
  readonly retries: number
  readonly retryDelayMs: number
  readonly onFailure: FailurePolicy
  readonly budget?: TimeBudget
  /** Aborted when the run is cancelled: no new attempt starts, a pause ends at once. */
  readonly cancel: AbortSignal
  readonly runAttempt: (label: AttemptLabel) => Promise<IterationResult>
  /** Runs after each iteration's last attempt, before the next pause: reports, uploads. */
  readonly afterIteration?: (result: IterationResult) => Promise<void>
  /** Called before each pause, so a person watching knows the job is waiting, not stuck. */
  readonly onPause?: (delayMs: number, next: AttemptLabel) => void
}

/** Exit code 0, unless a timeout stopped it: one that finished while told to stop did its work. */
export function succeeded(result: IterationResult): boolean {
  return result.exitCode === 0 && result.stoppedBy !== 'timeout'
}

/** A failure counts against the run; an iteration stopped by the time limit or a cancel does not. */
export function failed(result: IterationResult): boolean {
  if (result.stoppedBy === 'timeout') return true
  return result.stoppedBy === undefined && result.exitCode !== 0
}

export async function runSchedule(schedule: Schedule): Promise<ScheduleOutcome> {
  const results: IterationResult[] = []

  for (let iteration = 1; iteration <= schedule.iterations; iteration++) {
    const pause = iteration === 1 ? 0 : schedule.delayMs
    const blocked = await waitToStart(schedule, pause, { iteration, attempt: 1 })
    if (blocked) return { results, stopReason: blocked }

    const { result, stopReason } = await runWithRetries(schedule, iteration)
    results.push(result)
    await schedule.afterIteration?.(result)

    if (stopReason) return { results, stopReason }
    if (failed(result) && schedule.onFailure === 'stop') return { results, stopReason: 'failed' }
  }

  return { results, stopReason: endReason(schedule, results) }
}

/** Runs attempts of one iteration until one succeeds, the retries run out, or the run stops. */
async function runWithRetries(schedule: Schedule, iteration: number) {
  for (let attempt = 1; ; attempt++) {
    const result = await schedule.runAttempt({ iteration, attempt })
    schedule.budget?.recordIteration(result.durationMs)

    const interrupted = stopReasonOf(result)
    if (interrupted || !failed(result) || attempt > schedule.retries) {
      return { result, stopReason: interrupted }
    }

    const next = { iteration, attempt: attempt + 1 }
    const blocked = await waitToStart(schedule, schedule.retryDelayMs, next)
    if (blocked) return { result, stopReason: blocked }
  }
}

function stopReasonOf(result: IterationResult): StopReason | undefined {
  if (result.stoppedBy === 'cancelled') return 'cancelled'
  if (result.stoppedBy === 'time-limit') return 'time-limit'
  return undefined
}

/** Pauses before an attempt; says why the attempt must not start, if it must not. */
async function waitToStart(
  schedule: Schedule,
  pauseMs: number,
  next: AttemptLabel
): Promise<StopReason | undefined> {
  if (schedule.cancel.aborted) return 'cancelled'
  if (schedule.budget && !schedule.budget.fits(pauseMs)) return 'time-limit'
  if (pauseMs <= 0) return undefined

  schedule.onPause?.(pauseMs, next)
  try {
    await sleep(pauseMs, undefined, { signal: schedule.cancel })
    return undefined
  } catch {
    return 'cancelled'
  }
}

function endReason(schedule: Schedule, results: readonly IterationResult[]): StopReason {
  const anyFailed = results.some(failed)
  return anyFailed && schedule.onFailure !== 'ignore' ? 'failed' : 'completed'
}
