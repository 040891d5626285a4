/**
 * The step's outputs, for later steps (`steps.<id>.outputs.<name>`).
 */
import * as core from '@actions/core'

import type { StoredArtifact } from '../artifacts/artifact-store.js'
import { type ScheduleOutcome, succeeded } from '../scheduler.js'

export enum Output {
  IterationsCompleted = 'iterations-completed',
  IterationsFailed = 'iterations-failed',
  ExitCode = 'exit-code',
  LogPath = 'log-path',
  ArtifactId = 'artifact-id',
  ArtifactUrl = 'artifact-url'
}

export function setTrainingOutputs(outcome: ScheduleOutcome, logPath: string): void {
  const failed = outcome.results.filter((result) => !succeeded(result)).length
  const last = outcome.results.at(-1)

  core.setOutput(Output.IterationsCompleted, outcome.results.length - failed)
  core.setOutput(Output.IterationsFailed, failed)
  core.setOutput(Output.ExitCode, last?.exitCode ?? '')
  core.setOutput(Output.LogPath, logPath)
}

export function setArtifactOutputs(artifact: StoredArtifact): void {
  core.setOutput(Output.ArtifactId, artifact.id ?? '')
  core.setOutput(Output.ArtifactUrl, artifact.url)
}
