/**
 * The post step, run by the runner after the job's other steps whatever happened to them. It
 * matters only when the main step ended early (cancelled, crashed or killed): it stops what is
 * left of the last iteration, saves the training state and uploads the log as they are.
 */
import * as core from '@actions/core'

import { describeCause } from './errors.js'
import { runFrame } from './log/frames.js'
import { appendLine } from './log/log-writer.js'
import { stopGroup } from './process/process-group.js'
import { createPublisher, publishFinal } from './publishing.js'
import { Resumer } from './resume/resume.js'
import { readSettings, type Settings } from './settings/read-settings.js'
import { readMainStepState } from './state.js'

// The post step has little time either; an iteration left running gets this long to save.
const POST_KILL_GRACE_MS = 2000

export async function runPostStep(): Promise<void> {
  const state = readMainStepState()
  if (!state.mainStarted) {
    core.info('The main step did not get as far as training; nothing to do.')
    return
  }

  try {
    const settings = readSettings()
    const stateToSave = settings.checkpointPaths.length > 0 && !state.stateSaved
    const logToUpload = settings.upload !== 'never' && !state.finalUploadDone
    if (!stateToSave && !logToUpload) {
      core.info('The main step saved and uploaded everything; nothing left to do.')
      return
    }

    const stopped = state.iterationGroup
      ? await stopGroup(state.iterationGroup, POST_KILL_GRACE_MS)
      : 'nothing-left'
    if (stopped !== 'nothing-left') {
      await appendLine(
        settings.logPath,
        runFrame('the post step stopped an iteration left running')
      )
    }
    if (stateToSave) await saveStateLeftBehind(settings)
    if (logToUpload) await uploadLogLeftBehind(settings, state.artifactMayBeOwn)
  } catch (error) {
    core.setFailed(`The post step could not finish the main step's work: ${describeCause(error)}`)
  }
}

/** Saves the training state the main step could not, so the next run still resumes. */
async function saveStateLeftBehind(settings: Settings): Promise<void> {
  const problem = await new Resumer(settings).save()
  if (problem) await appendLine(settings.logPath, runFrame(`note: the ${problem}`))
}

/** `replace`: the main step may have stored a version already, which this one replaces. */
async function uploadLogLeftBehind(settings: Settings, replace: boolean): Promise<void> {
  core.info('The main step ended before its final upload; uploading the log now.')
  await appendLine(
    settings.logPath,
    runFrame('the step ended before its final upload; the post step uploads this log')
  )
  const publisher = createPublisher(settings, { replaceExisting: replace })
  const upload = await publishFinal(settings, publisher)
  if (upload.error) core.setFailed(upload.error)
}
