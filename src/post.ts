/**
 * The post step, run by the runner after the job's other steps whatever happened to them. It
 * matters only when the main step ended before its final upload (cancelled, crashed or killed):
 * it stops what is left of the last iteration and uploads the log as it is.
 */
import * as core from '@actions/core'

import { describeCause } from './errors.js'
import { runFrame } from './log/frames.js'
import { LogWriter } from './log/log-writer.js'
import { stopGroup } from './process/process-group.js'
import { publishFinal, createPublisher } from './publishing.js'
import { readSettings } from './settings/read-settings.js'
import { readMainStepState } from './state.js'

// The post step has little time either; an iteration left running gets this long to save.
const POST_KILL_GRACE_MS = 2000

export async function runPostStep(): Promise<void> {
  const state = readMainStepState()
  if (state.finalUploadDone) {
    core.info('The main step uploaded the artifact; nothing left to do.')
    return
  }

  try {
    const settings = readSettings()
    const stopped =
      state.iterationGroup && (await stopGroup(state.iterationGroup, POST_KILL_GRACE_MS))
    await noteInLog(settings.logPath, stopped === 'terminated' || stopped === 'killed')
    if (settings.upload === 'never') return

    core.info('The main step ended before its final upload; uploading the log now.')
    const upload = await publishFinal(settings, createPublisher(settings))
    if (upload.error) core.setFailed(upload.error)
  } catch (error) {
    core.setFailed(`The post step could not upload the log: ${describeCause(error)}`)
  }
}

async function noteInLog(logPath: string, stoppedIteration: boolean): Promise<void> {
  const log = await LogWriter.open(logPath)
  if (stoppedIteration)
    await log.writeLine(runFrame('the post step stopped an iteration left running'))
  await log.writeLine(
    runFrame('the step ended before its final upload; the post step uploaded this log')
  )
  await log.close()
}
