/**
 * What the main step hands to the post step. The runner keeps these values even when the main
 * step is cancelled or killed, which is exactly when the post step is needed: to upload a log
 * the main step did not get to upload, and to stop an iteration it left running.
 */
import * as core from '@actions/core'

enum State {
  /** Saved first of all, so that the post step knows it is one even when the main step failed. */
  IsPost = 'is-post',
  MainStarted = 'main-started',
  ArtifactStored = 'artifact-stored',
  IterationGroup = 'iteration-group',
  FinalUploadDone = 'final-upload-done',
  StateSaved = 'state-saved'
}

export interface MainStepState {
  /** Whether this process is the post step. */
  readonly isPost: boolean
  /** Whether the main step got as far as training. */
  readonly mainStarted: boolean
  /** Whether the main step stored the artifact at least once (a refresh, say). */
  readonly artifactStored: boolean
  /** The process group of the last iteration started; it may still be running. */
  readonly iterationGroup?: number
  readonly finalUploadDone: boolean
  /** Whether the training state for resuming was saved. */
  readonly stateSaved: boolean
}

/** Saved by the main step so that the next run of this bundle, the post step, knows it is one. */
export function recordPostStepMarker(): void {
  save(State.IsPost, 'true')
}

export function recordMainStarted(): void {
  save(State.MainStarted, 'true')
}

export function recordArtifactStored(): void {
  save(State.ArtifactStored, 'true')
}

/** The running iteration's process group; undefined once it has ended. */
export function recordIterationGroup(pid: number | undefined): void {
  save(State.IterationGroup, pid === undefined ? '' : String(pid))
}

export function recordFinalUploadDone(): void {
  save(State.FinalUploadDone, 'true')
}

export function recordStateSaved(): void {
  save(State.StateSaved, 'true')
}

/** Without the runner's state file there is no post step, and nothing to hand over. */
function save(name: State, value: string): void {
  if (process.env.GITHUB_STATE) core.saveState(name, value)
}

/** The state as the post step sees it; nothing is set when this is the main step. */
export function readMainStepState(): MainStepState {
  const group = Number(core.getState(State.IterationGroup))
  return {
    isPost: core.getState(State.IsPost) === 'true',
    mainStarted: core.getState(State.MainStarted) === 'true',
    artifactStored: core.getState(State.ArtifactStored) === 'true',
    iterationGroup: Number.isSafeInteger(group) && group > 0 ? group : undefined,
    finalUploadDone: core.getState(State.FinalUploadDone) === 'true',
    stateSaved: core.getState(State.StateSaved) === 'true'
  }
}
