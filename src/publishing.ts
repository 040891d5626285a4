/**
 * Building the artifact publisher from the settings: what goes into the artifact, where it
 * goes, and what the job log says about each upload. Shared by the main and the post step.
 */
import * as core from '@actions/core'

import {
  chooseArtifactStore,
  localArtifactFolder,
  type StoredArtifact
} from './artifacts/artifact-store.js'
import { findExtraFiles } from './artifacts/extra-files.js'
import { ArtifactPublisher } from './artifacts/publisher.js'
import { takeSnapshot } from './artifacts/snapshot.js'
import { ArtifactUploadError, describeCause } from './errors.js'
import { localStateFolder } from './resume/state-store.js'
import type { Settings } from './settings/inputs.js'
import { metricsFilePath } from './training.js'

// Pauses before the second and third attempt of the final upload.
export const FINAL_RETRY_DELAYS_MS = [5_000, 20_000]

export interface PublisherHooks {
  readonly onUploadStarting?: () => void
  readonly onStored?: (artifact: StoredArtifact, durationMs: number) => void
  /** An upload was refused because another job or step holds the artifact name. */
  readonly onNameTaken?: () => void
  /** The artifact may exist already, uploaded by this step's main run, and is to be replaced. */
  readonly replaceExisting?: boolean
}

export function createPublisher(settings: Settings, hooks: PublisherHooks = {}): ArtifactPublisher {
  const store = chooseArtifactStore(process.env, settings.workspace, {
    ...settings,
    ownedNames: hooks.replaceExisting ? [settings.artifactName] : []
  })
  core.info(`The artifact '${settings.artifactName}' goes to ${store.description}`)

  return new ArtifactPublisher({
    name: settings.artifactName,
    store,
    snapshot: () => snapshotArtifact(settings, false),
    finalRetryDelaysMs: FINAL_RETRY_DELAYS_MS,
    onUploadStarting: hooks.onUploadStarting,
    onNameTaken: hooks.onNameTaken,
    onStored: (artifact, durationMs) => {
      core.info(
        `Artifact '${settings.artifactName}' stored (${artifact.size} bytes in ${durationMs} ms): ` +
          artifact.url
      )
      hooks.onStored?.(artifact, durationMs)
    },
    onRefreshFailed: (error) =>
      core.warning(`Refreshing the artifact failed; training goes on: ${describeCause(error)}`),
    onRetry: (error, delayMs) =>
      core.warning(
        `Uploading the artifact failed, retrying in ${delayMs / 1000}s: ${describeCause(error)}`
      )
  })
}

/**
 * The final upload. Returns the artifact, or the failure as a message that says where the log
 * still is.
 */
export async function publishFinal(
  settings: Settings,
  publisher: ArtifactPublisher,
  retryDelaysMs: readonly number[] = FINAL_RETRY_DELAYS_MS
): Promise<{ artifact?: StoredArtifact; error?: string }> {
  try {
    const snapshot = () => snapshotArtifact(settings, true)
    return { artifact: await publisher.finish(snapshot, retryDelaysMs) }
  } catch (error) {
    const failure = new ArtifactUploadError(settings.artifactName, { cause: error })
    return { error: `${failure.message} The log is still on disk at ${settings.logPath}.` }
  }
}

/** The log, metrics.csv and the files of `artifact-paths`, frozen as they are now. */
async function snapshotArtifact(settings: Settings, final: boolean) {
  const extra = await findExtraFiles(settings.artifactPaths, settings.workspace, {
    excludedFolders: [
      localArtifactFolder(settings),
      localStateFolder(settings.workspace, process.env)
    ]
  })
  // Files often appear only after the first iterations, so only the final upload warns.
  for (const pattern of extra.unmatched) {
    const say = final ? core.warning : core.debug
    say(`artifact-paths: no file matches '${pattern}'`)
  }
  for (const file of extra.outside) {
    core.warning(`artifact-paths: ${file} is outside the workspace (through a link); left out`)
  }

  const metricsFile = metricsFilePath(settings)
  return takeSnapshot({
    topLevel: metricsFile ? [settings.logPath, metricsFile] : [settings.logPath],
    nested: extra.files,
    workspace: settings.workspace
  })
}
