/**
 * Path questions asked by the inputs, the artifact stores and the file matching alike.
 */
import * as path from 'node:path'

/** Whether `target` is `folder` or lies somewhere below it. */
export function isInside(target: string, folder: string): boolean {
  const relative = path.relative(folder, target)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}
