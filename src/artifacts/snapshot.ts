/**
 * A frozen copy of what the artifact holds at one moment. Training goes on writing its files
 * while an upload runs; zipping the live files could capture a checkpoint half-written, or a
 * log cut mid-line.
 */
import { randomUUID } from 'node:crypto'
import { constants as fsConstants } from 'node:fs'
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'

export interface SnapshotSource {
  /** Files stored under their base name, at the top of the artifact (the log, metrics.csv). */
  readonly topLevel: readonly string[]
  /** Files stored at their path relative to `workspace`. */
  readonly nested: readonly string[]
  readonly workspace: string
}

export interface Snapshot {
  readonly rootDirectory: string
  readonly files: readonly string[]
  remove(): Promise<void>
}

export async function takeSnapshot(source: SnapshotSource): Promise<Snapshot> {
  const root = path.join(snapshotFolder(), `background-training-snapshot-${randomUUID()}`)
  const placed = new Map<string, string>()

  for (const file of source.topLevel) placed.set(path.basename(file), file)
  for (const file of source.nested) {
    const relative = path.relative(source.workspace, file)
    // A top-level file of the same name (the log itself, say) is already there.
    if (!placed.has(relative)) placed.set(relative, file)
  }

  const files: string[] = []
  for (const [relative, original] of placed) {
    const copy = path.join(root, relative)
    await fs.mkdir(path.dirname(copy), { recursive: true })
    await freeze(original, copy)
    files.push(copy)
  }
  await fs.mkdir(root, { recursive: true })

  return { rootDirectory: root, files, remove: () => fs.rm(root, { recursive: true, force: true }) }
}

/**
 * A real copy, not a hard link: many frameworks save a checkpoint by truncating and rewriting
 * the same file, which a link would follow. Where the file system supports it (btrfs, XFS,
 * APFS) the copy is a cheap clone.
 */
async function freeze(original: string, copy: string): Promise<void> {
  await fs.copyFile(original, copy, fsConstants.COPYFILE_FICLONE)
}

function snapshotFolder(): string {
  return process.env.RUNNER_TEMP || os.tmpdir()
}
