/**
 * The command as a script file, run by the chosen shell the way a `run:` step runs it.
 */
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'

import { SCRIPT_PLACEHOLDER, type ShellSpec } from '../settings/shell.js'

export interface ScriptFile {
  readonly path: string
  readonly executable: string
  readonly args: readonly string[]
  readonly verbatimArguments: boolean
  remove(): Promise<void>
}

export async function writeScriptFile(
  command: string,
  shell: ShellSpec,
  folder: string = scriptFolder()
): Promise<ScriptFile> {
  await fs.mkdir(folder, { recursive: true })
  const scriptPath = path.join(folder, `background-training-${randomUUID()}${shell.extension}`)
  await fs.writeFile(scriptPath, scriptText(command, shell))

  return {
    path: scriptPath,
    executable: shell.executable,
    args: shell.args.map((arg) => arg.replaceAll(SCRIPT_PLACEHOLDER, scriptPath)),
    verbatimArguments: shell.verbatimArguments,
    remove: () => fs.rm(scriptPath, { force: true })
  }
}

export function scriptText(command: string, shell: ShellSpec): string {
  const body = `${shell.prologue}${command}\n${shell.epilogue}`
  return body.replace(/\r?\n/g, shell.lineEnding)
}

/** RUNNER_TEMP is emptied by the runner after each job; elsewhere the system's temp folder. */
function scriptFolder(): string {
  return process.env.RUNNER_TEMP || os.tmpdir()
}
