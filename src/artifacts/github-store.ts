/**
 * Artifacts in the workflow run, through the official client, so they look and download
 * exactly like those of actions/upload-artifact.
 */
import { ArtifactNotFoundError, DefaultArtifactClient } from '@actions/artifact'

import { ArtifactNameTakenError } from '../errors.js'

import type {
  ArtifactRequest,
  ArtifactStore,
  StoredArtifact,
  UploadOptions
} from './artifact-store.js'

export class GitHubArtifactStore implements ArtifactStore {
  readonly description = "the workflow run's artifacts"
  private readonly client = new DefaultArtifactClient()
  /** Names this step has uploaded: only those may be deleted to make room for a newer one. */
  private readonly uploadedNames: Set<string>

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly options: UploadOptions
  ) {
    this.uploadedNames = new Set(options.ownedNames)
  }

  /**
   * Artifacts cannot be changed once finalized, and a second one of the same name is refused,
   * so a newer version replaces the one this step uploaded before.
   */
  async upload(request: ArtifactRequest): Promise<StoredArtifact> {
    if (this.uploadedNames.has(request.name)) await this.deleteIfPresent(request.name)

    const response = await this.client
      .uploadArtifact(request.name, [...request.files], request.rootDirectory, {
        retentionDays: this.options.retentionDays,
        compressionLevel: this.options.compressionLevel
      })
      .catch((error: unknown) => {
        throw explainConflict(request.name, error)
      })
    if (response.id === undefined) throw new Error('the artifact service returned no artifact id')

    this.uploadedNames.add(request.name)
    return { id: response.id, size: response.size ?? 0, url: this.pageOf(response.id) }
  }

  private async deleteIfPresent(name: string): Promise<void> {
    try {
      await this.client.deleteArtifact(name)
    } catch (error) {
      if (!(error instanceof ArtifactNotFoundError)) throw error
    }
  }

  /** The artifact's page, as actions/upload-artifact reports it. */
  private pageOf(id: number): string {
    const server = this.env.GITHUB_SERVER_URL || 'https://github.com'
    const { GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = this.env
    return `${server}/${repository}/actions/runs/${runId}/artifacts/${id}`
  }
}

/** A 409 means the name is taken in this run, usually by another job of a matrix. */
function explainConflict(name: string, error: unknown): unknown {
  if (!(error instanceof Error) || !/\(409\)|Conflict/.test(error.message)) return error
  return new ArtifactNameTakenError(
    `${error.message}. Another job or step of this workflow run already uploaded an ` +
      `artifact named '${name}': give each job its own artifact-name (for a matrix, include ` +
      'the matrix values in it).',
    { cause: error }
  )
}
