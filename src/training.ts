/**
 * The training loop with everything that happens around it: the log file, the script file,
 * and after each iteration the metrics file, the job summary and the artifact refresh.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'

import * as core from '@actions/core'

import type { ArtifactPublisher } from './artifacts/publisher.js'
import type { Cancellation } from './cancellation.js'
import { describeCause } from './errors.js'
import { runAttempt } from './iteration.js'
import { LogWriter } from './log/log-writer.js'
import { AnsiStripper } from './log/ansi-stripper.js'
import { runFrame } from './log/frames.js'
import type { Redactor } from './log/redactor.js'
import { writeScriptFile } from './process/script-file.js'
import type { Progress } from './progress.js'
import type { Resumer } from './resume/resume.js'
import { reportPause } from './reporting/console.js'
import type { JobSummary } from './reporting/summary.js'
import { runSchedule, type ScheduleOutcome, type StopReason } from './scheduler.js'
import type { Settings } from './settings/inputs.js'
import { recordIterationGroup } from './state.js'
import type { TimeBudget } from './time-budget.js'

export interface TrainingContext {
  readonly progress: Progress
  readonly summary: JobSummary
  readonly cancellation: Cancellation
  readonly budget?: TimeBudget
  /** Absent when `upload` is `end` or `never`. */
  readonly refresher?: ArtifactPublisher
  /** Absent unless `checkpoint-path` turns resuming on. */
  readonly resumer?: Resumer
  /** Keeps secrets out of the log file and the summary. */
  readonly redactor: Redactor
}

export interface TrainingOutcome {
  readonly schedule: ScheduleOutcome
  /** Set when the log file could not be written; the output still reached the console. */
  readonly logError?: Error
}

export async function train(
  settings: Settings,
  context: TrainingContext
): Promise<TrainingOutcome> {
  const log = await LogWriter.open(settings.logPath, {
    onFailure: (error) =>
      core.error(`${error.message}. Training goes on; its output still reaches this job log.`),
    filters: settings.stripAnsi ? [new AnsiStripper(), context.redactor] : [context.redactor],
    redactor: context.redactor
  })
  const script = await writeScriptFile(settings.command, settings.shell)
  const { progress, cancellation, budget } = context
  const attemptContext = {
    settings,
    script,
    log,
    cancellation,
    budget,
    resume: progress.resume,
    onSpawn: recordIterationGroup,
    onEnd: () => recordIterationGroup(undefined)
  }

  try {
    const schedule = await runSchedule({
      ...settings,
      budget,
      cancel: cancellation.signal,
      runAttempt: async (attempt) => {
        const record = await runAttempt(attemptContext, attempt)
        progress.record(record)
        return record.result
      },
      afterIteration: async () => {
        await log.flush()
        await afterIteration(settings, context)
      },
      onPause: (delayMs, next) => reportPause(delayMs, next, settings.iterations)
    })
    await noteEarlyStop(log, schedule.stopReason)
    return { schedule, logError: log.error }
  } finally {
    await log.close()
    await script.remove()
  }
}

async function afterIteration(settings: Settings, context: TrainingContext): Promise<void> {
  const { progress, summary, refresher, resumer } = context

  await writeMetricsFile(settings, progress)
  await resumer?.updateRecord(progress.totalIterations, progress.metrics.rows)
  // After a cancel the final upload follows at once; a refresh would only delay it.
  if (!context.cancellation.cancelled) await refresher?.refresh()

  const done = progress.results.length
  await summary.update(progress.summaryState(`Running: ${done} of ${settings.iterations} done`))
}

const EARLY_STOP_NOTES: Partial<Record<StopReason, string>> = {
  'time-limit': 'stopped: the time limit leaves no room for another iteration',
  cancelled: 'stopped: the run was cancelled'
}

/** Says in the log why iterations are missing, for whoever reads it later. */
async function noteEarlyStop(log: LogWriter, reason: StopReason): Promise<void> {
  const note = EARLY_STOP_NOTES[reason]
  if (note) await log.writeLine(runFrame(note))
}

/** Where metrics.csv goes: beside the log, so it travels with it. */
export function metricsFilePath(settings: Settings): string | undefined {
  if (settings.metrics.length === 0) return undefined
  return path.join(path.dirname(settings.logPath), 'metrics.csv')
}

async function writeMetricsFile(settings: Settings, progress: Progress): Promise<void> {
  const file = metricsFilePath(settings)
  if (!file) return
  // Losing the metrics file is no reason to stop training; the log still holds every value.
  await fs
    .writeFile(file, progress.metrics.toCsv())
    .catch((error) => core.warning(`Could not write ${file}: ${describeCause(error)}`))
}
