/**
 * One run of the action, start to end: read the inputs, train, then publish the log.
 */
import * as path from 'node:path'

import * as core from '@actions/core'

import { chooseArtifactStore } from './artifacts/artifact-store.js'
import { ArtifactUploadError, describeCause } from './errors.js'
import { runIteration } from './iteration.js'
import { describeExit } from './log/frames.js'
import { LogWriter } from './log/log-writer.js'
import { writeScriptFile } from './process/script-file.js'
import { reportPause } from './reporting/console.js'
import { setArtifactOutputs, setTrainingOutputs } from './reporting/outputs.js'
import { type IterationResult, runSchedule, type ScheduleOutcome } from './scheduler.js'
import { checkRunnable } from './settings/checks.js'
import { parseSettings, type Settings } from './settings/inputs.js'

export async function run(): Promise<void> {
  try {
    const settings = readSettings()
    await checkRunnable(settings)

    const { outcome, logError } = await train(settings)
    setTrainingOutputs(outcome, settings.logPath)
    const uploadError = await uploadLog(settings)

    const problems = [uploadError, logError?.message, describeFailure(outcome)]
    problems
      .filter((problem) => problem !== undefined)
      .forEach((problem) => core.setFailed(problem))
  } catch (error) {
    core.setFailed(describeCause(error))
  }
}

function readSettings(): Settings {
  return parseSettings(
    // A multi-line command keeps its indentation; every other input is trimmed.
    (name) => core.getInput(name, { trimWhitespace: name !== 'command' }),
    { workspace: process.env.GITHUB_WORKSPACE || process.cwd(), platform: process.platform }
  )
}

async function train(settings: Settings) {
  const log = await LogWriter.open(settings.logPath)
  const script = await writeScriptFile(settings.command, settings.shell)
  core.info(`Running ${settings.iterations} iteration(s); output is appended to ${log.path}`)

  try {
    const outcome: ScheduleOutcome = await runSchedule({
      iterations: settings.iterations,
      delayMs: settings.delayMs,
      runIteration: (iteration) => runIteration({ settings, script, log }, iteration),
      onPause: (delayMs, next) => reportPause(delayMs, next, settings.iterations)
    })
    return { outcome, logError: log.error }
  } finally {
    await log.close()
    await script.remove()
  }
}

/** Uploads the log and sets the artifact outputs; returns what went wrong, if anything. */
async function uploadLog(settings: Settings): Promise<string | undefined> {
  const store = chooseArtifactStore(process.env, settings.workspace)
  core.info(`Uploading '${settings.artifactName}' to ${store.description}`)

  try {
    const artifact = await store.upload({
      name: settings.artifactName,
      files: [settings.logPath],
      rootDirectory: path.dirname(settings.logPath)
    })
    setArtifactOutputs(artifact)
    core.info(
      `Artifact '${settings.artifactName}' stored (${artifact.size} bytes): ${artifact.url}`
    )
    return undefined
  } catch (error) {
    const failure = new ArtifactUploadError(settings.artifactName, { cause: error })
    return `${failure.message} The log is still on disk at ${settings.logPath}.`
  }
}

function describeFailure(outcome: ScheduleOutcome): string | undefined {
  if (outcome.stopReason !== 'failed') return undefined
  const failed = outcome.results.at(-1) as IterationResult
  return `Iteration ${failed.iteration} failed (${describeExit(failed)}); the loop stopped there.`
}
