/**
 * The action's inputs: their names, their defaults outside GitHub (where action.yml does not
 * apply them), and the one function that turns raw `with:` values into typed settings.
 */
import * as path from 'node:path'

import { InputError } from '../errors.js'
import { isInside } from '../paths.js'
import { DURATION_FORM, parseDuration } from './duration.js'
import { defaultShellName, parseShell, SHELL_FORM, type ShellSpec } from './shell.js'

export enum Input {
  Command = 'command',
  Iterations = 'iterations',
  Delay = 'delay',
  LogPath = 'log-path',
  ArtifactName = 'artifact-name',
  Shell = 'shell',
  WorkingDirectory = 'working-directory',
  Upload = 'upload',
  RetentionDays = 'retention-days',
  CompressionLevel = 'compression-level',
  ArtifactPaths = 'artifact-paths',
  Metrics = 'metrics',
  IterationTimeout = 'iteration-timeout',
  TimeLimit = 'time-limit',
  KillGrace = 'kill-grace',
  OnFailure = 'on-failure',
  Retries = 'retries',
  RetryDelay = 'retry-delay',
  CheckpointPath = 'checkpoint-path',
  ResumeKey = 'resume-key',
  Redact = 'redact',
  StripAnsi = 'strip-ansi'
}

/** Kept equal to action.yml's defaults by a test, so a local run behaves like the runner. */
export const INPUT_DEFAULTS: Partial<Record<Input, string>> = {
  [Input.Iterations]: '5',
  [Input.Delay]: '60s',
  [Input.LogPath]: 'training.log',
  [Input.ArtifactName]: 'background-training-logs',
  [Input.Upload]: 'every-iteration',
  [Input.CompressionLevel]: '6',
  [Input.KillGrace]: '10s',
  [Input.OnFailure]: 'stop',
  [Input.Retries]: '0',
  [Input.StripAnsi]: 'false'
}

export const MAX_ITERATIONS = 1_000_000

/** When the artifact is refreshed: after each iteration, once at the end, or not at all. */
export type UploadMode = 'every-iteration' | 'end' | 'never'
const UPLOAD_MODES: readonly UploadMode[] = ['every-iteration', 'end', 'never']

/** What a failed iteration does to the loop and the step. */
export type FailurePolicy = 'stop' | 'continue' | 'ignore'
const FAILURE_POLICIES: readonly FailurePolicy[] = ['stop', 'continue', 'ignore']

export const MAX_RETRIES = 100

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
  readonly upload: UploadMode
  /** Undefined: the repository's default retention. */
  readonly retentionDays?: number
  readonly compressionLevel: number
  /** Glob patterns, one per entry, `!` to exclude; relative to the workspace. */
  readonly artifactPaths: readonly string[]
  /** Names of metrics to pick out of the output, in the order given. */
  readonly metrics: readonly string[]
  /** Undefined: an iteration may run as long as it likes. */
  readonly iterationTimeoutMs?: number
  /** Undefined: no budget for the whole step. */
  readonly timeLimitMs?: number
  /** Between SIGTERM and SIGKILL when an iteration is stopped. */
  readonly killGraceMs: number
  readonly onFailure: FailurePolicy
  readonly retries: number
  readonly retryDelayMs: number
  /** Patterns of the training state to carry between runs; empty means no resuming. */
  readonly checkpointPaths: readonly string[]
  /** The family of runs that share progress. */
  readonly resumeKey: string
  /** Values replaced with *** in every file the action writes. */
  readonly redact: readonly string[]
  /** Whether ANSI colour codes are removed from the log file. */
  readonly stripAnsi: boolean
}

/** Reads one raw input; `@actions/core`'s getInput in the action, a map in tests. */
export type InputReader = (name: Input) => string

export interface SettingsContext {
  readonly workspace: string
  readonly platform: NodeJS.Platform
  /** The runner's environment, for defaults built from the workflow and job names. */
  readonly env?: NodeJS.ProcessEnv
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
    workspace,
    upload: parseChoice(Input.Upload, value(Input.Upload), UPLOAD_MODES),
    retentionDays: parseOptionalWholeNumber(Input.RetentionDays, value(Input.RetentionDays), 1, 90),
    compressionLevel: parseWholeNumber(Input.CompressionLevel, value(Input.CompressionLevel), 0, 9),
    artifactPaths: parseArtifactPaths(read(Input.ArtifactPaths), workspace),
    metrics: parseMetricNames(value(Input.Metrics), value(Input.LogPath)),
    iterationTimeoutMs: parseOptionalDuration(
      Input.IterationTimeout,
      value(Input.IterationTimeout)
    ),
    timeLimitMs: parseOptionalDuration(Input.TimeLimit, value(Input.TimeLimit)),
    killGraceMs: parseDurationInput(Input.KillGrace, value(Input.KillGrace)),
    onFailure: parseChoice(Input.OnFailure, value(Input.OnFailure), FAILURE_POLICIES),
    retries: parseWholeNumber(Input.Retries, value(Input.Retries), 0, MAX_RETRIES),
    // A retry waits as long as a normal pause unless told otherwise.
    retryDelayMs: parseDurationInput(
      Input.RetryDelay,
      value(Input.RetryDelay) || value(Input.Delay)
    ),
    checkpointPaths: parsePathList(Input.CheckpointPath, read(Input.CheckpointPath), workspace),
    resumeKey: parseResumeKey(value(Input.ResumeKey), context.env ?? {}),
    redact: parseSecretList(read(Input.Redact)),
    stripAnsi: parseBoolean(Input.StripAnsi, value(Input.StripAnsi))
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
  return parseWholeNumber(Input.Iterations, raw, 1, MAX_ITERATIONS)
}

function parseWholeNumber(input: Input, raw: string, min: number, max: number): number {
  // `3.0` is a whole number written by a templating tool, so it is accepted as 3.
  const match = /^(\d+)(\.0*)?$/.exec(raw.trim())
  const value = match ? Number(match[1]) : NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = `${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`
    throw new InputError(input, `a whole number from ${range}`, raw)
  }
  return value
}

function parseOptionalWholeNumber(input: Input, raw: string, min: number, max: number) {
  return raw === '' ? undefined : parseWholeNumber(input, raw, min, max)
}

function parseChoice<T extends string>(input: Input, raw: string, choices: readonly T[]): T {
  const choice = choices.find((candidate) => candidate === raw.toLowerCase())
  if (!choice) throw new InputError(input, `one of ${choices.join(', ')}`, raw)
  return choice
}

/** Empty means none; a limit of zero would stop everything at once, so it is refused. */
function parseOptionalDuration(input: Input, raw: string): number | undefined {
  if (raw === '' || raw.toLowerCase() === 'none') return undefined
  const ms = parseDuration(raw)
  if (ms === undefined || ms === 0) {
    throw new InputError(input, `empty (no limit) or ${DURATION_FORM.replace(' or 0', '')}`, raw)
  }
  return ms
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

// Long enough for any sensible name; longer ones fail as a folder name outside GitHub.
const MAX_ARTIFACT_NAME_LENGTH = 200

export function parseArtifactName(raw: string): string {
  const name = raw.trim()
  const forbidden = FORBIDDEN_IN_ARTIFACT_NAMES.some((c) => name.includes(c))
  // `.` and `..` would name the artifacts folder itself, or its parent, outside GitHub.
  const onlyDots = /^\.+$/.test(name)
  if (name === '' || forbidden || onlyDots || name.length > MAX_ARTIFACT_NAME_LENGTH) {
    throw new InputError(
      Input.ArtifactName,
      `a name of 1 to ${MAX_ARTIFACT_NAME_LENGTH} characters, not only dots, without any of ` +
        describeForbidden(FORBIDDEN_IN_ARTIFACT_NAMES),
      raw
    )
  }
  return name
}

function parseLogPath(raw: string, workspace: string): string {
  if (raw.endsWith('/') || raw.endsWith('\\')) {
    throw new InputError(Input.LogPath, 'the path of a file, not of a folder', raw)
  }

  const logPath = path.resolve(workspace, raw)
  const baseName = path.basename(logPath)
  if (FORBIDDEN_IN_FILE_NAMES.some((c) => baseName.includes(c))) {
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

/**
 * One pattern per line; `!` excludes. A pattern that points outside the workspace is refused
 * now: its files could not keep a path relative to the workspace inside the artifact.
 */
function parseArtifactPaths(raw: string, workspace: string): string[] {
  return parsePathList(Input.ArtifactPaths, raw, workspace)
}

function parsePathList(input: Input, raw: string, workspace: string): string[] {
  const patterns = raw
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))

  for (const pattern of patterns) {
    const target = path.resolve(workspace, pattern.replace(/^!/, ''))
    if (!isInside(target, workspace)) {
      throw new InputError(
        input,
        `files, folders or glob patterns inside the workspace (${workspace}), one per line`,
        pattern
      )
    }
  }
  return patterns
}

const METRIC_NAME = /^[A-Za-z_][\w.\-/]*$/

function parseMetricNames(raw: string, logPath: string): string[] {
  const names = raw
    .split(/[,\n]/)
    .map((name) => name.trim())
    .filter(Boolean)
  const invalid = names.find((name) => !METRIC_NAME.test(name))
  if (invalid !== undefined) {
    throw new InputError(
      Input.Metrics,
      'metric names separated by commas or new lines, each a letter or _ followed by letters, ' +
        'digits, _ . - or /',
      invalid
    )
  }
  if (names.length > 0 && path.basename(logPath) === 'metrics.csv') {
    throw new InputError(
      Input.LogPath,
      'a file not named metrics.csv when metrics are tracked (metrics.csv is written beside the log)',
      logPath
    )
  }
  return [...new Set(names)]
}

// The cache refuses keys with commas and longer than 512 characters; the run id is added.
const MAX_RESUME_KEY_LENGTH = 400

/** By default one family per workflow and job, which is what a scheduled run continues. */
function parseResumeKey(raw: string, env: NodeJS.ProcessEnv): string {
  const key = raw || defaultResumeKey(env)
  if (key.includes(',') || /[\r\n]/.test(key) || key.length > MAX_RESUME_KEY_LENGTH) {
    throw new InputError(
      Input.ResumeKey,
      `a key of at most ${MAX_RESUME_KEY_LENGTH} characters without commas or line breaks`,
      raw
    )
  }
  return key
}

function defaultResumeKey(env: NodeJS.ProcessEnv): string {
  const parts = ['background-training', env.GITHUB_WORKFLOW, env.GITHUB_JOB].filter(Boolean)
  return parts.map((part) => String(part).replace(/[\s,]+/g, '-')).join('-')
}

/** One value per line, kept exactly: a secret's spaces are part of it. */
function parseSecretList(raw: string): string[] {
  return raw.split(/\r?\n/).filter((line) => line.trim() !== '')
}

/** The YAML 1.2 core schema's booleans, as @actions/core's getBooleanInput reads them. */
function parseBoolean(input: Input, raw: string): boolean {
  if (['true', 'True', 'TRUE'].includes(raw)) return true
  if (['false', 'False', 'FALSE'].includes(raw)) return false
  throw new InputError(input, 'true or false', raw)
}
