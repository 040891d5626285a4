/**
 * Checks that need the file system, made before the first iteration so a wrong path or a
 * missing shell fails the step at once instead of after the first training run.
 */
import * as fs from 'node:fs/promises'

import * as core from '@actions/core'
import * as io from '@actions/io'

import { InputError } from '../errors.js'
import { Input, type Settings } from './inputs.js'

export async function checkRunnable(settings: Settings): Promise<void> {
  await checkWorkingDirectory(settings.workingDirectory)
  await checkLogPathIsNoFolder(settings.logPath)
  await checkShellFound(settings.shell.executable, settings.shell.label)
}

async function checkWorkingDirectory(folder: string): Promise<void> {
  const stats = await fs.stat(folder).catch(() => undefined)
  if (!stats?.isDirectory()) {
    const raw = core.getInput(Input.WorkingDirectory) || folder
    throw new InputError(Input.WorkingDirectory, `an existing folder (looked for ${folder})`, raw)
  }
}

async function checkLogPathIsNoFolder(logPath: string): Promise<void> {
  const stats = await fs.stat(logPath).catch(() => undefined)
  if (stats?.isDirectory()) {
    const raw = core.getInput(Input.LogPath) || logPath
    throw new InputError(Input.LogPath, `the path of a file, but ${logPath} is a folder`, raw)
  }
}

async function checkShellFound(executable: string, label: string): Promise<void> {
  if (await io.which(executable, false)) return
  throw new InputError(
    Input.Shell,
    `a shell that is installed on this runner ('${executable}' was not found on PATH)`,
    label
  )
}
