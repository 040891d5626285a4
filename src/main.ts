/**
 * One run of the action, start to end: read the inputs, train while reporting, then publish
 * the final log and results.
 */

import * as core from '@actions/core'

import { chooseArtifactStore, type StoredArtifact } from './artifacts/artifact-store.js'
import { findExtraFiles } from './artifacts/extra-files.js'
import { ArtifactPublisher } from './artifacts/publisher.js'
import { takeSnapshot } from './artifacts/snapshot.js'
import { ArtifactUploadError, describeCause } from './errors.js'
import { describeExit } from './log/frames.js'
import { Progress } from './progress.js'
import { setArtifactOutputs, setTrainingOutputs } from './reporting/outputs.js'
import { JobSummary } from './reporting/summary.js'
import type { IterationResult, ScheduleOutcome } from './scheduler.js'
import { checkRunnable } from './settings/checks.js'
import { parseSettings, type Settings } from './settings/inputs.js'
import { metricsFilePath, train } from './training.js'

// Pauses before the second and third attempt of the final upload.
const FINAL_RETRY_DELAYS_MS = [5_000, 20_000]

export async function run(): Promise<void> {
  try {
    const settings = readSettings()
    await checkRunnable(settings)

    const progress = new Progress(settings)
    const summary = new JobSummary(process.env.GITHUB_STEP_SUMMARY)
    const publisher = settings.upload === 'never' ? undefined : createPublisher(settings, progress)
    const refresher = settings.upload === 'every-iteration' ? publisher : undefined

    const { schedule, logError } = await train(settings, { progress, summary, refresher })
    setTrainingOutputs(schedule, progress, settings.logPath)
    const uploadError = publisher && (await publishFinal(settings, publisher))

    await summary.update(progress.summaryState(describeStatus(schedule, settings)))
    const problems = [uploadError, logError?.message, describeFailure(schedule)]
    problems
      .filter((problem) => problem !== undefined)
      .forEach((problem) => core.setFailed(problem))
  } catch (error) {
    core.setFailed(describeCause(error))
  }
}

function readSettings(): Settings {
  return parseSettings(
    // A multi-line value keeps its indentation; every other input is trimmed.
    (name) => core.getInput(name, { trimWhitespace: name !== 'command' }),
    { workspace: process.env.GITHUB_WORKSPACE || process.cwd(), platform: process.platform }
  )
}

function createPublisher(settings: Settings, progress: Progress): ArtifactPublisher {
  const store = chooseArtifactStore(process.env, settings.workspace, settings)
  core.info(`The artifact '${settings.artifactName}' goes to ${store.description}`)

  return new ArtifactPublisher({
    name: settings.artifactName,
    store,
    snapshot: () => snapshotArtifact(settings, false),
    finalRetryDelaysMs: FINAL_RETRY_DELAYS_MS,
    onStored: (artifact, durationMs) => recordStored(settings, progress, artifact, durationMs),
    onRefreshFailed: (error) =>
      core.warning(`Refreshing the artifact failed; training goes on: ${describeCause(error)}`),
    onRetry: (error, delayMs) =>
      core.warning(
        `Uploading the artifact failed, retrying in ${delayMs / 1000}s: ${describeCause(error)}`
      )
  })
}

/** The log, metrics.csv and the files of `artifact-paths`, frozen as they are now. */
async function snapshotArtifact(settings: Settings, final: boolean) {
  const extra = await findExtraFiles(settings.artifactPaths, settings.workspace)
  // Files often appear only after the first iterations, so only the final upload warns.
  for (const pattern of extra.unmatched) {
    const say = final ? core.warning : core.debug
    say(`artifact-paths: no file matches '${pattern}'`)
  }

  const metricsFile = metricsFilePath(settings)
  return takeSnapshot({
    topLevel: metricsFile ? [settings.logPath, metricsFile] : [settings.logPath],
    nested: extra.files,
    workspace: settings.workspace
  })
}

function recordStored(
  settings: Settings,
  progress: Progress,
  artifact: StoredArtifact,
  durationMs: number
): void {
  progress.artifact = artifact
  core.info(
    `Artifact '${settings.artifactName}' stored (${artifact.size} bytes in ${durationMs} ms): ${artifact.url}`
  )
}

/** Uploads the final artifact and sets its outputs; returns what went wrong, if anything. */
async function publishFinal(settings: Settings, publisher: ArtifactPublisher) {
  try {
    const artifact = await publisher.finish(() => snapshotArtifact(settings, true))
    setArtifactOutputs(artifact)
    return undefined
  } catch (error) {
    const failure = new ArtifactUploadError(settings.artifactName, { cause: error })
    return `${failure.message} The log is still on disk at ${settings.logPath}.`
  }
}

function describeStatus(schedule: ScheduleOutcome, settings: Settings): string {
  const done = schedule.results.length
  if (schedule.stopReason === 'completed') {
    return `Completed: ${done} of ${settings.iterations} iterations succeeded`
  }
  const failed = schedule.results.at(-1) as IterationResult
  return `Failed: iteration ${failed.iteration} of ${settings.iterations} (${describeExit(failed)})`
}

function describeFailure(schedule: ScheduleOutcome): string | undefined {
  if (schedule.stopReason !== 'failed') return undefined
  const failed = schedule.results.at(-1) as IterationResult
  return `Iteration ${failed.iteration} failed (${describeExit(failed)}); the loop stopped there.`
}
