/**
 * Keeps the artifact up to date while training runs. A refresh freezes the files at once and
 * uploads them in the background, so no iteration waits for an upload; refreshes asked for
 * while one is uploading collapse into one of the newest files. The final upload waits for
 * whatever is in flight, then retries until it succeeds or runs out of attempts.
 */
import { setTimeout as sleep } from 'node:timers/promises'

import { ArtifactNameTakenError } from '../errors.js'
import type { ArtifactStore, StoredArtifact } from './artifact-store.js'
import type { Snapshot } from './snapshot.js'

export interface PublisherOptions {
  readonly name: string
  readonly store: ArtifactStore
  /** Freezes the artifact's current contents. */
  readonly snapshot: () => Promise<Snapshot>
  /** Pauses before the second, third, ... attempt of the final upload. */
  readonly finalRetryDelaysMs: readonly number[]
  /** Called before every upload, so that a claim to the name is on record before it is made. */
  readonly onUploadStarting?: () => void
  readonly onStored?: (artifact: StoredArtifact, durationMs: number) => void
  /** An upload was refused because another job or step holds the artifact name. */
  readonly onNameTaken?: () => void
  /** A background refresh failed; training goes on. */
  readonly onRefreshFailed?: (error: unknown) => void
  /** A final attempt failed and another follows. */
  readonly onRetry?: (error: unknown, delayMs: number) => void
}

export class ArtifactPublisher {
  private inFlight?: Promise<void>
  private queued?: Snapshot
  private stored?: StoredArtifact
  private storedSignature?: string

  constructor(private readonly options: PublisherOptions) {}

  /** The artifact as last stored, if any upload has finished. */
  get latest(): StoredArtifact | undefined {
    return this.stored
  }

  /** Freezes the files now (the returned promise waits only for that) and uploads them later. */
  async refresh(): Promise<void> {
    let snapshot: Snapshot
    try {
      snapshot = await this.options.snapshot()
    } catch (error) {
      this.options.onRefreshFailed?.(error)
      return
    }
    await this.queued?.remove()
    this.queued = snapshot
    this.inFlight ??= this.drainQueue()
  }

  /**
   * The last word: waits for background uploads, then stores the files as they are now,
   * frozen by `snapshot` when given (the final one may say more, such as unmatched patterns).
   */
  async finish(
    snapshot = this.options.snapshot,
    retryDelaysMs = this.options.finalRetryDelaysMs
  ): Promise<StoredArtifact> {
    await this.inFlight
    const frozen = await snapshot()
    try {
      // Replacing an artifact deletes it first; never risk a good one for the same bytes.
      if (this.stored && frozen.signature === this.storedSignature) return this.stored
      return await this.uploadWithRetries(frozen, retryDelaysMs)
    } finally {
      await frozen.remove()
    }
  }

  private async drainQueue(): Promise<void> {
    while (this.queued) {
      const snapshot = this.queued
      this.queued = undefined
      await this.upload(snapshot)
        .catch((error) => this.options.onRefreshFailed?.(error))
        .finally(() => snapshot.remove())
    }
    this.inFlight = undefined
  }

  private async uploadWithRetries(
    snapshot: Snapshot,
    delays: readonly number[]
  ): Promise<StoredArtifact> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.upload(snapshot)
      } catch (error) {
        if (attempt >= delays.length || isPermanent(error)) throw error
        this.options.onRetry?.(error, delays[attempt])
        await sleep(delays[attempt])
      }
    }
  }

  private async upload(snapshot: Snapshot): Promise<StoredArtifact> {
    const started = Date.now()
    this.options.onUploadStarting?.()
    const artifact = await this.options.store
      .upload({
        name: this.options.name,
        files: snapshot.files,
        rootDirectory: snapshot.rootDirectory
      })
      .catch((error: unknown) => {
        if (error instanceof ArtifactNameTakenError) this.options.onNameTaken?.()
        throw error
      })
    this.stored = artifact
    this.storedSignature = snapshot.signature
    this.options.onStored?.(artifact, Date.now() - started)
    return artifact
  }
}

/**
 * A refusal that asking again will not change: a name held by someone else, or what the
 * artifact client reports as non-retryable, 4xx answers other than 408 and 429 (bad name,
 * conflict, quota, authorisation).
 */
export function isPermanent(error: unknown): boolean {
  if (error instanceof ArtifactNameTakenError) return true
  const message = error instanceof Error ? error.message : String(error)
  const status = /\((4\d\d)\)/.exec(message)?.[1]
  return (
    message.includes('non-retryable') || (status !== undefined && !['408', '429'].includes(status))
  )
}
