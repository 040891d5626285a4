/**
 * The files named by `artifact-paths`: checkpoints, plots, metrics files the training writes
 * beside its log. Matched again at every upload, since training creates them as it goes.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'

import * as glob from '@actions/glob'

import { isInside } from '../paths.js'

export interface ExtraFiles {
  /** Absolute paths of regular files, each inside the workspace. */
  readonly files: string[]
  /** Include patterns that matched no file. */
  readonly unmatched: string[]
  /** Matches that are, or lead through a link to, files outside the workspace: left out. */
  readonly outside: string[]
}

export interface ExtraFilesOptions {
  /** Folders whose files never go in, such as the local artifacts folder itself. */
  readonly excludedFolders?: readonly string[]
}

export async function findExtraFiles(
  patterns: readonly string[],
  workspace: string,
  options: ExtraFilesOptions = {}
): Promise<ExtraFiles> {
  const absolute = patterns.map((pattern) => anchorPattern(pattern, workspace))
  const excludes = absolute.filter((pattern) => pattern.startsWith('!'))
  const includes = absolute.filter((pattern) => !pattern.startsWith('!'))

  const files = new Set<string>()
  const unmatched: string[] = []
  for (const [index, include] of includes.entries()) {
    const matched = await matchFiles([include, ...excludes])
    if (matched.length === 0) unmatched.push(patterns.filter((p) => !p.startsWith('!'))[index])
    matched.forEach((file) => files.add(file))
  }

  const excluded = options.excludedFolders ?? []
  const kept = [...files].filter((file) => !excluded.some((folder) => isInside(file, folder)))
  const { inside, outside } = await splitByRealLocation(kept, workspace)
  return { files: inside.sort(), unmatched, outside }
}

/**
 * A link inside the workspace may point anywhere: to a secret in the home folder, say. What
 * counts is where the file really is.
 */
async function splitByRealLocation(files: string[], workspace: string) {
  const realWorkspace = await fs.realpath(workspace).catch(() => workspace)
  const inside: string[] = []
  const outside: string[] = []
  for (const file of files) {
    const real = await fs.realpath(file).catch(() => undefined)
    if (real && isInside(real, realWorkspace)) inside.push(file)
    else outside.push(file)
  }
  return { inside, outside }
}

/**
 * @actions/glob resolves relative patterns against the process's current folder; anchoring
 * them to the workspace keeps local runs from another folder right.
 */
function anchorPattern(pattern: string, workspace: string): string {
  const negated = pattern.startsWith('!')
  const body = negated ? pattern.slice(1) : pattern
  const anchored = path.isAbsolute(body) ? body : path.join(workspace, body)
  return negated ? `!${anchored}` : anchored
}

// A walk fails when a folder vanishes under it: training rotating its checkpoints, or the
// staging folder of an upload going on at the same time. A fresh walk sees the new state.
const WALK_ATTEMPTS = 3

async function matchFiles(patterns: string[]): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await walk(patterns)
    } catch (error) {
      const vanished = (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
      if (!vanished || attempt >= WALK_ATTEMPTS) throw error
    }
  }
}

async function walk(patterns: string[]): Promise<string[]> {
  const globber = await glob.create(patterns.join('\n'), { matchDirectories: false })
  const matched = await globber.glob()
  const files: string[] = []
  for (const candidate of matched) {
    const stats = await fs.stat(candidate).catch(() => undefined)
    if (stats?.isFile()) files.push(candidate)
  }
  return files
}
