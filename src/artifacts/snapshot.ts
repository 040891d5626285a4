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
  /** Names, sizes and modification times of the originals: equal means nothing changed. */
  readonly signature: string
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

  const remove = () => fs.rm(root, { recursive: true, force: true })
  try {
    await fs.mkdir(root, { recursive: true })
    const { files, signature } = await copyAll(placed, root, new Set(source.topLevel))
    return { rootDirectory: root, files, signature, remove }
  } catch (error) {
    await remove()
    throw error
  }
}

async function copyAll(placed: Map<string, string>, root: string, required: Set<string>) {
  const files: string[] = []
  const signature: string[] = []
  for (const [relative, original] of placed) {
    const copy = path.join(root, relative)
    await fs.mkdir(path.dirname(copy), { recursive: true })
    const stats = await fs.stat(original).catch((error) => {
      // Training may delete a file between the match and the copy; only the log must exist.
      if (required.has(original) || error.code !== 'ENOENT') throw error
      return undefined
    })
    if (!stats || !(await freeze(original, copy, required.has(original)))) continue

    files.push(copy)
    signature.push(`${relative}:${stats.size}:${stats.mtimeMs}`)
  }
  return { files, signature: signature.join('\n') }
}

/**
 * A real copy, not a hard link: many frameworks save a checkpoint by truncating and rewriting
 * the same file, which a link would follow. Where the file system supports it (btrfs, XFS,
 * APFS) the copy is a cheap clone.
 */
async function freeze(original: string, copy: string, required: boolean): Promise<boolean> {
  try {
    await fs.copyFile(original, copy, fsConstants.COPYFILE_FICLONE)
    return true
  } catch (error) {
    const vanished = (error as NodeJS.ErrnoException).code === 'ENOENT'
    if (required || !vanished) throw error
    return false
  }
}

function snapshotFolder(): string {
  return process.env.RUNNER_TEMP || os.tmpdir()
}
