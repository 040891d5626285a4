/**
 * Artifacts as plain folders: `<folder>/<artifact name>/` holds the files with the same
 * relative paths they would have inside the zip on GitHub.
 */
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'

import { ArtifactNameTakenError } from '../errors.js'
import { isInside } from '../paths.js'
import type { ArtifactRequest, ArtifactStore, StoredArtifact } from './artifact-store.js'

/**
 * Left in every artifact folder this store makes. A folder without it was not made here, and
 * replacing it could destroy someone's files, so the store refuses to.
 */
export const LOCAL_ARTIFACT_MARKER = '.background-training-artifact'

export class LocalArtifactStore implements ArtifactStore {
  constructor(private readonly folder: string) {}

  get description(): string {
    return `the local folder ${this.folder}`
  }

  /** Replaces the artifact's folder as a whole, as a new upload under the same name would. */
  async upload(request: ArtifactRequest): Promise<StoredArtifact> {
    const target = await this.targetFolder(request.name)
    // A fresh name, so that nothing already there is ever removed but the artifact itself.
    const staging = `${target}.partial-${randomUUID()}`
    await fs.mkdir(staging, { recursive: true })

    let size = 0
    for (const file of request.files) {
      const destination = path.join(staging, path.relative(request.rootDirectory, file))
      await fs.mkdir(path.dirname(destination), { recursive: true })
      await fs.copyFile(file, destination)
      size += (await fs.stat(destination)).size
    }
    await fs.writeFile(path.join(staging, LOCAL_ARTIFACT_MARKER), '')

    await fs.rm(target, { recursive: true, force: true })
    await fs.rename(staging, target)
    return { size, url: pathToFileURL(target).href }
  }

  /** The artifact's folder, checked to be one this store may replace. */
  private async targetFolder(name: string): Promise<string> {
    const target = path.join(this.folder, name)
    if (!isInside(target, this.folder) || target === this.folder) {
      throw new Error(`the artifact name '${name}' does not name a folder inside ${this.folder}`)
    }

    const existing = await fs.readdir(target).catch(() => undefined)
    if (existing && existing.length > 0 && !existing.includes(LOCAL_ARTIFACT_MARKER)) {
      throw new ArtifactNameTakenError(
        `${target} already exists and was not made by this action; it is left alone. Choose ` +
          'another artifact-name, or another folder with BACKGROUND_TRAINING_ARTIFACT_DIR.'
      )
    }
    return target
  }
}
