/**
 * Where artifacts go. On GitHub, the workflow run's artifact service; anywhere else (a laptop,
 * a plain CI box), a local folder, so the same loop runs and its result can be looked at.
 */
import * as path from 'node:path'

import { LocalArtifactStore } from './local-store.js'

export interface ArtifactRequest {
  readonly name: string
  /** Absolute paths of the files to store. */
  readonly files: readonly string[]
  /** Paths inside the artifact are relative to this folder. */
  readonly rootDirectory: string
}

export interface StoredArtifact {
  /** The service's id; absent for a local folder. */
  readonly id?: number
  readonly size: number
  /** Where a person finds it: a web page on GitHub, a file URL locally. */
  readonly url: string
}

export interface UploadOptions {
  /** Undefined: the repository's default. */
  readonly retentionDays?: number
  readonly compressionLevel: number
  /** Names this step uploaded earlier (in its main run), which it may replace. */
  readonly ownedNames?: readonly string[]
}

export interface ArtifactStore {
  /** Says where artifacts go, for the job log. */
  readonly description: string
  /** Stores the files under the name, replacing what this store stored under it before. */
  upload(request: ArtifactRequest): Promise<StoredArtifact>
}

/** Names the folder used outside GitHub; relative to the workspace. */
export const LOCAL_ARTIFACT_DIR_VARIABLE = 'BACKGROUND_TRAINING_ARTIFACT_DIR'
export const DEFAULT_LOCAL_ARTIFACT_DIR = 'artifacts'

export function chooseArtifactStore(
  env: NodeJS.ProcessEnv,
  workspace: string,
  options: UploadOptions
): ArtifactStore {
  // The runner hands this token to every action step; nothing else has it.
  if (env.ACTIONS_RUNTIME_TOKEN) {
    return new DeferredStore("the workflow run's artifacts", async () => {
      const { GitHubArtifactStore } = await import('./github-store.js')
      return new GitHubArtifactStore(env, options)
    })
  }

  return new LocalArtifactStore(localArtifactFolder({ workspace }, env))
}

/** The folder artifacts go to outside GitHub; never part of an artifact itself. */
export function localArtifactFolder(
  settings: { readonly workspace: string },
  env: NodeJS.ProcessEnv = process.env
): string {
  const folder = env[LOCAL_ARTIFACT_DIR_VARIABLE] || DEFAULT_LOCAL_ARTIFACT_DIR
  return path.resolve(settings.workspace, folder)
}

/**
 * Loads a store's code on its first upload. The artifact client is most of the bundle: loading
 * it at start-up made every run slower to start and bigger in memory, which also made each
 * spawn of the command slower (a fork copies the parent's page tables).
 */
class DeferredStore implements ArtifactStore {
  private store?: Promise<ArtifactStore>

  constructor(
    readonly description: string,
    private readonly load: () => Promise<ArtifactStore>
  ) {}

  async upload(request: ArtifactRequest): Promise<StoredArtifact> {
    this.store ??= this.load()
    return (await this.store).upload(request)
  }
}
