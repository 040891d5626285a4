/**
 * The action's inputs: their names, their defaults outside GitHub (where action.yml does not
 * apply them), and the one function that turns raw `with:` values into typed settings.
 */
import * as path from 'node:path'

import { InputError } from '../errors.js'
import { DURATION_FORM, parseDuration } from './duration.js'
import { defaultShellName, parseShell, SHELL_FORM, type ShellSpec } from './shell.js'

export enum Input {
  Command = 'command',
  Iterations = 'iterations',
  Delay = 'delay',
  LogPath = 'log-path',
  ArtifactName = 'artifact-name',
  Shell = 'shell',
  WorkingDirectory = 'working-directory'
}

/** Kept equal to action.yml's defaults by a test, so a local run behaves like the runner. */
export const INPUT_DEFAULTS: Partial<Record<Input, string>> = {
  [Input.Iterations]: '5',
  [Input.Delay]: '60s',
  [Input.LogPath]: 'training.log',
  [Input.ArtifactName]: 'background-training-logs'
}

export const MAX_ITERATIONS = 1_000_000

export interface Settings {
  readonly command: string
  readonly iterations: number
  readonly delayMs: number
  /** Absolute. */
  readonly logPath: string
  readonly artifactName: string
  readonly shell: ShellSpec
  /** Absolute. */
  readonly workingDirectory: string
  /** Absolute; relative paths in inputs are resolved against it. */
  readonly workspace: string
}

/** Reads one raw input; `@actions/core`'s getInput in the action, a map in tests. */
export type InputReader = (name: Input) => string

export interface SettingsContext {
  readonly workspace: string
  readonly platform: NodeJS.Platform
}

/** Validates every input before anything runs, so a typo fails the step in its first second. */
export function parseSettings(read: InputReader, context: SettingsContext): Settings {
  const value = (name: Input): string => read(name).trim() || (INPUT_DEFAULTS[name] ?? '')
  const workspace = path.resolve(context.workspace)

  return Object.freeze({
    command: parseCommand(read(Input.Command)),
    iterations: parseIterations(value(Input.Iterations)),
    delayMs: parseDurationInput(Input.Delay, value(Input.Delay)),
    logPath: parseLogPath(value(Input.LogPath), workspace),
    artifactName: parseArtifactName(value(Input.ArtifactName)),
    shell: parseShellInput(value(Input.Shell) || defaultShellName(context.platform)),
    workingDirectory: path.resolve(workspace, value(Input.WorkingDirectory)),
    workspace
  })
}

function parseCommand(raw: string): string {
  // Only surrounding blank lines go: indentation inside a multi-line script may matter.
  const command = raw.replace(/^\s*\n/, '').trimEnd()
  if (command.trim() === '') {
    throw new InputError(Input.Command, 'the training command to run (it is required)', raw)
  }
  return command
}

export function parseIterations(raw: string): number {
  // `3.0` is a whole number written by a templating tool, so it is accepted as 3.
  const match = /^(\d+)(\.0*)?$/.exec(raw.trim())
  const count = match ? Number(match[1]) : NaN
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_ITERATIONS) {
    throw new InputError(
      Input.Iterations,
      `a whole number from 1 to ${MAX_ITERATIONS.toLocaleString('en-US')}`,
      raw
    )
  }
  return count
}

export function parseDurationInput(input: Input, raw: string): number {
  const ms = parseDuration(raw)
  if (ms === undefined) throw new InputError(input, DURATION_FORM, raw)
  return ms
}

// The artifact service refuses these characters in names and in the paths of uploaded files,
// since some file systems (NTFS) cannot hold them. Checking now saves a failure after hours of
// training.
const FORBIDDEN_IN_FILE_NAMES = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n']
const FORBIDDEN_IN_ARTIFACT_NAMES = [...FORBIDDEN_IN_FILE_NAMES, '\\', '/']

function describeForbidden(characters: string[]): string {
  return characters.map((c) => JSON.stringify(c)).join(' ')
}

export function parseArtifactName(raw: string): string {
  const name = raw.trim()
  const forbidden = FORBIDDEN_IN_ARTIFACT_NAMES.some((c) => name.includes(c))
  if (name === '' || forbidden) {
    throw new InputError(
      Input.ArtifactName,
      `a non-empty name without any of ${describeForbidden(FORBIDDEN_IN_ARTIFACT_NAMES)}`,
      raw
    )
  }
  return name
}

function parseLogPath(raw: string, workspace: string): string {
  const logPath = path.resolve(workspace, raw)
  const baseName = path.basename(logPath)
  const forbidden = FORBIDDEN_IN_FILE_NAMES.some((c) => baseName.includes(c))
  if (raw.endsWith('/') || raw.endsWith('\\') || forbidden) {
    throw new InputError(
      Input.LogPath,
      `a file path whose name has none of ${describeForbidden(FORBIDDEN_IN_FILE_NAMES)}`,
      raw
    )
  }
  return logPath
}

function parseShellInput(raw: string): ShellSpec {
  const shell = parseShell(raw)
  if (!shell) throw new InputError(Input.Shell, SHELL_FORM, raw)
  return shell
}
