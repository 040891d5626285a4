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
  ArtifactOwnership = 'artifact-ownership',
  IterationGroup = 'iteration-group',
  FinalUploadDone = 'final-upload-done',
  StateSaved = 'state-saved'
}

export interface MainStepState {
  /** Whether this process is the post step. */
  readonly isPost: boolean
  /** Whether the main step got as far as training. */
  readonly mainStarted: boolean
  /**
   * Whether an artifact of the step's name may be one the main step created, which the post
   * step may then replace; false when none was attempted or the name is another job's.
   */
  readonly artifactMayBeOwn: boolean
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

/**
 * How far the main step's claim to the artifact name goes. `started` is saved before the
 * first upload rather than after it: a step killed after the service finalized an upload but
 * before the reply arrived did create the artifact, and only a claim made in advance survives
 * that.
 *
 * Known gap: if another job already holds the name and the main step is killed during its very
 * first upload, before the refusal arrives, the claim still says `started`, and the post step
 * replaces the other job's artifact. Both jobs were then set up with one name. The service
 * records which job made each artifact, but the artifact client does not pass that on.
 */
type ArtifactOwnership = 'started' | 'stored' | 'taken'

let artifactOwnership: ArtifactOwnership | undefined

/** Claims the name before the first upload; a refusal already on record stands. */
export function recordArtifactUploadStarting(): void {
  if (artifactOwnership === undefined) setArtifactOwnership('started')
}

export function recordArtifactStored(): void {
  setArtifactOwnership('stored')
}

/** Another job or step holds the name, so the post step must not delete what is there. */
export function recordArtifactNameTaken(): void {
  if (artifactOwnership !== 'stored') setArtifactOwnership('taken')
}

function setArtifactOwnership(ownership: ArtifactOwnership): void {
  if (ownership === artifactOwnership) return
  artifactOwnership = ownership
  save(State.ArtifactOwnership, ownership)
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
    artifactMayBeOwn: ['started', 'stored'].includes(core.getState(State.ArtifactOwnership)),
    iterationGroup: Number.isSafeInteger(group) && group > 0 ? group : undefined,
    finalUploadDone: core.getState(State.FinalUploadDone) === 'true',
    stateSaved: core.getState(State.StateSaved) === 'true'
  }
}
