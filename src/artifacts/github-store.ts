/**
 * Artifacts in the workflow run, through the official client, so they look and download
 * exactly like those of actions/upload-artifact.
 */
import { DefaultArtifactClient } from '@actions/artifact'

import type { ArtifactRequest, ArtifactStore, StoredArtifact } from './artifact-store.js'

export class GitHubArtifactStore implements ArtifactStore {
  readonly description = "the workflow run's artifacts"
  private readonly client = new DefaultArtifactClient()

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async upload(request: ArtifactRequest): Promise<StoredArtifact> {
    const response = await this.client.uploadArtifact(
      request.name,
      [...request.files],
      request.rootDirectory
    )
    if (response.id === undefined) throw new Error('the artifact service returned no artifact id')

    return { id: response.id, size: response.size ?? 0, url: this.pageOf(response.id) }
  }

  /** The artifact's page, as actions/upload-artifact reports it. */
  private pageOf(id: number): string {
    const server = this.env.GITHUB_SERVER_URL || 'https://github.com'
    const { GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = this.env
    return `${server}/${repository}/actions/runs/${runId}/artifacts/${id}`
  }
}
