/**
 * The loop itself: how many iterations, the pause between them, and when to stop. It knows
 * nothing of processes or files; `runIteration` does the work.
 */
import { setTimeout as sleep } from 'node:timers/promises'

export interface IterationResult {
  readonly iteration: number
  readonly startedAt: Date
  readonly durationMs: number
  readonly exitCode: number
  readonly signal?: NodeJS.Signals
}

export type StopReason = 'completed' | 'failed'

export interface ScheduleOutcome {
  readonly results: readonly IterationResult[]
  readonly stopReason: StopReason
}

export interface Schedule {
  readonly iterations: number
  readonly delayMs: number
  readonly runIteration: (iteration: number) => Promise<IterationResult>
  /** Runs before the pause that follows an iteration: reports, uploads. */
  readonly afterIteration?: (result: IterationResult) => Promise<void>
  /** Called before each pause, so a person watching knows the job is waiting, not stuck. */
  readonly onPause?: (delayMs: number, nextIteration: number) => void
}

export function succeeded(result: IterationResult): boolean {
  return result.exitCode === 0
}

/** Runs the iterations in order and stops at the first failure, as a `bash -e` loop would. */
export async function runSchedule(schedule: Schedule): Promise<ScheduleOutcome> {
  const results: IterationResult[] = []

  for (let iteration = 1; iteration <= schedule.iterations; iteration++) {
    if (iteration > 1) await pause(schedule, iteration)

    const result = await schedule.runIteration(iteration)
    results.push(result)
    await schedule.afterIteration?.(result)
    if (!succeeded(result)) return { results, stopReason: 'failed' }
  }

  return { results, stopReason: 'completed' }
}

async function pause(schedule: Schedule, nextIteration: number): Promise<void> {
  if (schedule.delayMs <= 0) return
  schedule.onPause?.(schedule.delayMs, nextIteration)
  await sleep(schedule.delayMs)
}
