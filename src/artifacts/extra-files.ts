/**
 * The files named by `artifact-paths`: checkpoints, plots, metrics files the training writes
 * beside its log. Matched again at every upload, since training creates them as it goes.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'

import * as glob from '@actions/glob'

import { isInside } from '../settings/inputs.js'

export interface ExtraFiles {
  /** Absolute paths of regular files, each inside the workspace. */
  readonly files: string[]
  /** Include patterns that matched no file. */
  readonly unmatched: string[]
}

export async function findExtraFiles(
  patterns: readonly string[],
  workspace: string
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

  const outside = [...files].find((file) => !isInside(file, workspace))
  if (outside) throw new Error(`artifact-paths matched ${outside}, which is outside the workspace`)
  return { files: [...files].sort(), unmatched }
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

async function matchFiles(patterns: string[]): Promise<string[]> {
  const globber = await glob.create(patterns.join('\n'), { matchDirectories: false })
  const matched = await globber.glob()
  const files: string[] = []
  for (const candidate of matched) {
    const stats = await fs.stat(candidate).catch(() => undefined)
    if (stats?.isFile()) files.push(candidate)
  }
  return files
}
