/**
 * The training loop with everything that happens around it: the log file, the script file,
 * and after each iteration the metrics file, the job summary and the artifact refresh.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'

import * as core from '@actions/core'

import type { ArtifactPublisher } from './artifacts/publisher.js'
import { describeCause } from './errors.js'
import { runIteration } from './iteration.js'
import { LogWriter } from './log/log-writer.js'
import { writeScriptFile } from './process/script-file.js'
import type { Progress } from './progress.js'
import { reportPause } from './reporting/console.js'
import type { JobSummary } from './reporting/summary.js'
import { runSchedule, type ScheduleOutcome } from './scheduler.js'
import type { Settings } from './settings/inputs.js'

export interface TrainingReporters {
  readonly progress: Progress
  readonly summary: JobSummary
  /** Absent when `upload` is `end` or `never`. */
  readonly refresher?: ArtifactPublisher
}

export interface TrainingOutcome {
  readonly schedule: ScheduleOutcome
  /** Set when the log file could not be written; the output still reached the console. */
  readonly logError?: Error
}

export async function train(settings: Settings, reporters: TrainingReporters) {
  const log = await LogWriter.open(settings.logPath)
  const script = await writeScriptFile(settings.command, settings.shell)
  const { progress } = reporters

  try {
    const schedule = await runSchedule({
      iterations: settings.iterations,
      delayMs: settings.delayMs,
      runIteration: async (iteration) => {
        const record = await runIteration({ settings, script, log }, iteration)
        progress.record(record)
        return record.result
      },
      afterIteration: async () => {
        await log.flush()
        await afterIteration(settings, reporters)
      },
      onPause: (delayMs, next) => reportPause(delayMs, next, settings.iterations)
    })
    return { schedule, logError: log.error } satisfies TrainingOutcome
  } finally {
    await log.close()
    await script.remove()
  }
}

async function afterIteration(settings: Settings, reporters: TrainingReporters): Promise<void> {
  const { progress, summary, refresher } = reporters

  await writeMetricsFile(settings, progress)
  await refresher?.refresh()

  const done = progress.results.length
  await summary.update(progress.summaryState(`Running: ${done} of ${settings.iterations} done`))
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
