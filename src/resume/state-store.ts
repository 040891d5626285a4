/**
 * Where training state waits between workflow runs. On GitHub, the Actions cache: entries
 * cannot be overwritten, so each run saves under a fresh key and the next restores the newest
 * by prefix. Elsewhere, a local folder, so the example can be run twice and continue.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'

import { localArtifactFolder } from '../artifacts/artifact-store.js'
import { findExtraFiles } from '../artifacts/extra-files.js'

export interface StateStore {
  readonly description: string
  /** Puts the newest saved state of the family back in place; its key, or undefined if none. */
  restore(): Promise<string | undefined>
  /** Saves the state as it is now; throws when it could not. */
  save(): Promise<string>
}

export interface StateStoreOptions {
  /** Patterns of the files that make up the state, relative to the workspace. */
  readonly paths: readonly string[]
  readonly resumeKey: string
  readonly workspace: string
  readonly env: NodeJS.ProcessEnv
}

// A separator unlikely inside a resume-key, so that `sweep` never restores `sweep-lr`'s state.
const KEY_SEPARATOR = '--run-'

export function chooseStateStore(options: StateStoreOptions): StateStore {
  if (options.env.ACTIONS_RUNTIME_TOKEN) return new CacheStateStore(options)
  return new LocalStateStore(options, localStateFolder(options.workspace, options.env))
}

/** Where state is kept outside GitHub; never part of the state or an artifact itself. */
export function localStateFolder(workspace: string, env: NodeJS.ProcessEnv): string {
  const folder = env.BACKGROUND_TRAINING_STATE_DIR || '.background-training/saved-state'
  return path.resolve(workspace, folder)
}

class CacheStateStore implements StateStore {
  readonly description = 'the Actions cache'

  constructor(private readonly options: StateStoreOptions) {}

  async restore(): Promise<string | undefined> {
    const prefix = `${this.options.resumeKey}${KEY_SEPARATOR}`
    const cache = await loadCacheClient()
    return cache.restoreCache([...this.options.paths], this.saveKey(), [prefix])
  }

  async save(): Promise<string> {
    const key = this.saveKey()
    // The client reports most failures itself and returns -1 rather than throwing.
    const cache = await loadCacheClient()
    const id = await cache.saveCache([...this.options.paths], key)
    if (id === -1) throw new Error(`the cache did not accept the entry ${key}`)
    return key
  }

  /** One entry per run attempt, as entries are immutable. */
  private saveKey(): string {
    const { GITHUB_RUN_ID: runId = '0', GITHUB_RUN_ATTEMPT: attempt = '1' } = this.options.env
    return `${this.options.resumeKey}${KEY_SEPARATOR}${runId}-${attempt}`
  }
}

/** Loaded only when resuming on GitHub; like the artifact client, it is large. */
function loadCacheClient() {
  return import('@actions/cache')
}

/** Keeps one copy, the newest, in `<folder>/<resume-key>/`. */
class LocalStateStore implements StateStore {
  constructor(
    private readonly options: StateStoreOptions,
    private readonly folder: string
  ) {}

  get description(): string {
    return `the local folder ${this.folder}`
  }

  /** The key as one folder name; dots are encoded too, so `.` and `..` name no other folder. */
  private get saved(): string {
    const name = encodeURIComponent(this.options.resumeKey).replaceAll('.', '%2E')
    return path.join(this.folder, name)
  }

  async restore(): Promise<string | undefined> {
    const exists = await fs.stat(this.saved).catch(() => undefined)
    if (!exists) return undefined
    await fs.cp(this.saved, this.options.workspace, { recursive: true })
    return this.options.resumeKey
  }

  async save(): Promise<string> {
    const { workspace, env } = this.options
    const { files } = await findExtraFiles(this.options.paths, workspace, {
      excludedFolders: [this.folder, localArtifactFolder({ workspace }, env)]
    })
    const staging = `${this.saved}.partial`
    await fs.rm(staging, { recursive: true, force: true })

    for (const file of files) {
      const copy = path.join(staging, path.relative(this.options.workspace, file))
      await fs.mkdir(path.dirname(copy), { recursive: true })
      await fs.copyFile(file, copy)
    }
    await fs.rm(this.saved, { recursive: true, force: true })
    await fs.rename(staging, this.saved)
    return this.options.resumeKey
  }
}
