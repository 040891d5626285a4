/**
 * One run of the action, start to end: read the inputs, train while reporting, then publish
 * the final log and results. The same bundle is the post step, which finishes what a
 * cancelled or killed main step could not.
 */
import * as core from '@actions/core'

import { CANCEL_GRACE_MS, Cancellation } from './cancellation.js'
import { describeCause } from './errors.js'
import type { ArtifactPublisher } from './artifacts/publisher.js'
import { describeEnding, runFrame } from './log/frames.js'
import { appendLine } from './log/log-writer.js'
import { Redactor } from './log/redactor.js'
import { FRESH_START, Resumer } from './resume/resume.js'
import { runPostStep } from './post.js'
import { Progress } from './progress.js'
import { createPublisher, publishFinal } from './publishing.js'
import { setArtifactOutputs, setTrainingOutputs } from './reporting/outputs.js'
import { JobSummary } from './reporting/summary.js'
import { failed, type IterationResult, type ScheduleOutcome } from './scheduler.js'
import { checkRunnable } from './settings/checks.js'
import { formatDuration } from './settings/duration.js'
import { readSettings, type Settings } from './settings/read-settings.js'
import {
  readMainStepState,
  recordArtifactNameTaken,
  recordArtifactStored,
  recordArtifactUploadStarting,
  recordPostStepMarker,
  recordFinalUploadDone,
  recordMainStarted,
  recordStateSaved
} from './state.js'
import { TimeBudget } from './time-budget.js'
import { train, type TrainingContext } from './training.js'

export async function run(): Promise<void> {
  if (readMainStepState().isPost) return runPostStep()
  recordPostStepMarker()
  return runMainStep()
}

async function runMainStep(): Promise<void> {
  let cancellation: Cancellation | undefined
  try {
    const settings = readSettings()
    await checkRunnable(settings)
    recordMainStarted()
    cancellation = new Cancellation(Math.min(settings.killGraceMs, CANCEL_GRACE_MS)).install()

    const run = await prepareRun(settings, cancellation)
    const { schedule, logError } = await train(settings, run)
    setTrainingOutputs(schedule.stopReason, run.progress, settings.logPath)

    await saveTrainingState(settings, run)
    const uploadError = await uploadFinalArtifact(settings, run)
    await run.summary.update(run.progress.summaryState(describeStatus(schedule, settings)))
    reportEnd(schedule, settings, [uploadError, logError?.message])
  } catch (error) {
    core.setFailed(describeCause(error))
  } finally {
    cancellation?.uninstall()
  }
}

interface RunContext extends TrainingContext {
  /** Absent when `upload` is `never`. */
  readonly publisher?: ArtifactPublisher
}

/** Everything the loop reports to, starting from where an earlier run left off. */
async function prepareRun(settings: Settings, cancellation: Cancellation): Promise<RunContext> {
  const resumer = settings.checkpointPaths.length > 0 ? new Resumer(settings) : undefined
  const redactor = createRedactor(settings)
  const resume = resumer ? await resumer.restore() : FRESH_START
  const progress = new Progress(settings, resume, (text) => redactor.redactText(text))
  const budget = createBudget(settings)
  const publisher =
    settings.upload === 'never'
      ? undefined
      : createPublisher(settings, {
          onUploadStarting: recordArtifactUploadStarting,
          onStored: (artifact, ms) => {
            progress.artifact = artifact
            budget?.recordUpload(ms)
            recordArtifactStored()
          },
          onNameTaken: recordArtifactNameTaken
        })

  return {
    progress,
    summary: new JobSummary(process.env.GITHUB_STEP_SUMMARY),
    cancellation,
    budget,
    publisher,
    refresher: settings.upload === 'every-iteration' ? publisher : undefined,
    resumer,
    redactor
  }
}

/** The runner masks these in the job log too, once it is told about them. */
function createRedactor(settings: Settings): Redactor {
  settings.redact.forEach((value) => core.setSecret(value))
  return new Redactor(settings.redact)
}

/** Saves what the next run resumes from; a failure is a warning and a line in the log. */
async function saveTrainingState(settings: Settings, run: RunContext): Promise<void> {
  if (!run.resumer) return
  await run.resumer.updateRecord(run.progress.totalIterations, run.progress.metrics.rows)
  const problem = await run.resumer.save()
  if (problem) await appendLine(settings.logPath, runFrame(`note: the ${problem}`))
  else recordStateSaved()
}

/** The last upload of the artifact; returns what went wrong, if anything. */
async function uploadFinalArtifact(settings: Settings, run: RunContext) {
  if (!run.publisher) return undefined

  // After a cancel the runner kills the job within seconds: one try is all there is time for.
  const retries = run.cancellation.cancelled ? [] : undefined
  const upload = await publishFinal(settings, run.publisher, retries)
  if (upload.artifact) {
    setArtifactOutputs(upload.artifact)
    recordFinalUploadDone()
  }
  return upload.error
}

/** The budget counts from the start of this process, which the runner starts with the step. */
function createBudget(settings: Settings): TimeBudget | undefined {
  if (settings.timeLimitMs === undefined) return undefined
  return new TimeBudget(Math.round(performance.timeOrigin), settings.timeLimitMs)
}

function describeStatus(schedule: ScheduleOutcome, settings: Settings): string {
  const done = schedule.results.length
  const total = settings.iterations
  const failures = schedule.results.filter(failed).length
  const failedPart = failures > 0 ? `, ${failures} failed` : ''
  switch (schedule.stopReason) {
    case 'completed':
      return `Completed: ${done} of ${total} iterations ran${failedPart}`
    case 'failed':
      return `Failed: ${done} of ${total} iterations ran${failedPart}`
    case 'time-limit':
      return `Stopped at the time limit: ${done} of ${total} iterations ran${failedPart}`
    case 'cancelled':
      return `Cancelled: ${done} of ${total} iterations ran${failedPart}`
  }
}

/** Sets the step's result: failures, warnings, and why the loop ended early. */
function reportEnd(schedule: ScheduleOutcome, settings: Settings, problems: unknown[]): void {
  problems.filter((problem) => typeof problem === 'string').forEach((p) => core.setFailed(p))

  const failures = schedule.results.filter(failed).length
  if (schedule.stopReason === 'cancelled') {
    core.setFailed(`The run was cancelled after ${schedule.results.length} iteration(s).`)
  } else if (schedule.stopReason === 'failed') {
    core.setFailed(describeFailure(schedule, settings))
  } else if (schedule.stopReason === 'time-limit') {
    const limit = formatDuration(settings.timeLimitMs ?? 0)
    core.warning(
      `Stopped at the time limit (${limit}) after ${schedule.results.length} of ` +
        `${settings.iterations} iterations; the log holds everything up to there.`
    )
    if (failures > 0 && settings.onFailure !== 'ignore')
      core.setFailed(describeFailure(schedule, settings))
  } else if (failures > 0) {
    core.warning(`${failures} iteration(s) failed; on-failure: ignore lets the step succeed.`)
  }
}

/** `Iteration 2 failed: exit code 3. The loop stopped there.` */
function describeFailure(schedule: ScheduleOutcome, settings: Settings): string {
  const failures = schedule.results.filter(failed)
  const last = failures.at(-1) as IterationResult
  const what =
    failures.length === 1
      ? `Iteration ${last.iteration} ${describeEnding(last)}.`
      : `${failures.length} iterations failed, the last iteration ${last.iteration} (${describeEnding(last)}).`
  const stoppedThere = settings.onFailure === 'stop' && schedule.results.at(-1) === last
  return stoppedThere ? `${what} The loop stopped there.` : what
}
