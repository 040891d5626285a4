/**
 * The step's outputs, for later steps (`steps.<id>.outputs.<name>`).
 */
import * as core from '@actions/core'

import type { StoredArtifact } from '../artifacts/artifact-store.js'
import type { Progress } from '../progress.js'
import type { IterationResult, StopReason } from '../scheduler.js'

export enum Output {
  IterationsCompleted = 'iterations-completed',
  IterationsFailed = 'iterations-failed',
  ExitCode = 'exit-code',
  LogPath = 'log-path',
  ArtifactId = 'artifact-id',
  ArtifactUrl = 'artifact-url',
  Results = 'results',
  Metrics = 'metrics',
  StopReason = 'stop-reason',
  Resumed = 'resumed',
  TotalIterations = 'total-iterations'
}

/** `progress` holds the same iterations as the outcome, with the counts and metrics. */
export function setTrainingOutputs(
  stopReason: StopReason,
  progress: Progress,
  logPath: string
): void {
  core.setOutput(Output.IterationsCompleted, progress.succeededCount)
  core.setOutput(Output.IterationsFailed, progress.failedCount)
  core.setOutput(Output.StopReason, stopReason)
  core.setOutput(Output.Resumed, String(progress.resume.resumed))
  core.setOutput(Output.TotalIterations, progress.totalIterations)
  core.setOutput(Output.ExitCode, progress.results.at(-1)?.exitCode ?? '')
  core.setOutput(Output.LogPath, logPath)
  core.setOutput(Output.Results, JSON.stringify(progress.results.map(describeResult)))
  core.setOutput(Output.Metrics, JSON.stringify(progress.metrics.latest()))
}

export function setArtifactOutputs(artifact: StoredArtifact): void {
  core.setOutput(Output.ArtifactId, artifact.id ?? '')
  core.setOutput(Output.ArtifactUrl, artifact.url)
}

/** One iteration as later steps read it from the `results` output. */
function describeResult(result: IterationResult) {
  return {
    iteration: result.iteration,
    start: result.startedAt.toISOString(),
    durationSeconds: Math.round(result.durationMs) / 1000,
    exitCode: result.exitCode,
    signal: result.signal ?? null,
    attempt: result.attempt,
    stoppedBy: result.stoppedBy ?? null
  }
}
