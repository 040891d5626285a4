/**
 * Artifacts as plain folders: `<folder>/<artifact name>/` holds the files with the same
 * relative paths they would have inside the zip on GitHub.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'

import type { ArtifactRequest, ArtifactStore, StoredArtifact } from './artifact-store.js'

export class LocalArtifactStore implements ArtifactStore {
  constructor(private readonly folder: string) {}

  get description(): string {
    return `the local folder ${this.folder}`
  }

  /** Replaces the artifact's folder as a whole, as a new upload under the same name would. */
  async upload(request: ArtifactRequest): Promise<StoredArtifact> {
    const target = path.join(this.folder, request.name)
    const staging = `${target}.partial`
    await fs.rm(staging, { recursive: true, force: true })
    await fs.mkdir(staging, { recursive: true })

    let size = 0
    for (const file of request.files) {
      const destination = path.join(staging, path.relative(request.rootDirectory, file))
      await fs.mkdir(path.dirname(destination), { recursive: true })
      await fs.copyFile(file, destination)
      size += (await fs.stat(destination)).size
    }

    await fs.rm(target, { recursive: true, force: true })
    await fs.rename(staging, target)
    return { size, url: pathToFileURL(target).href }
  }
}
