import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

import { tempFolder } from './temp.js'

export interface ActionRun {
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
  /** stdout and stderr, interleaved as they arrived. */
  readonly console: string
  readonly outputs: Record<string, string>
  readonly summary: string
  /** What the step saved for its post step, as the runner hands it back (STATE_* variables). */
  readonly state: Record<string, string>
  readonly workspace: string
}

export interface ActionRunOptions {
  readonly inputs: Record<string, string>
  /** Extra environment, such as the artifact service's. */
  readonly env?: NodeJS.ProcessEnv
  readonly workspace?: string
  /** Called once the process has started, e.g. to signal it. */
  readonly onStart?: (pid: number) => void
  /** Run as the post step, with the state the main step saved. */
  readonly postState?: Record<string, string>
}

const DIST_ENTRY = path.resolve('dist/index.js')

/**
 * Runs the built action the way the runner does: inputs as INPUT_* variables, outputs and the
 * summary as files, the workspace a folder of its own.
 */
export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const workspace = options.workspace ?? tempFolder('bt-workspace-')
  const files = tempFolder('bt-runner-')
  const outputFile = path.join(files, 'output')
  const summaryFile = path.join(files, 'summary')
  const stateFile = path.join(files, 'state')
  for (const file of [outputFile, summaryFile, stateFile]) fs.writeFileSync(file, '')

  const child = spawn(process.execPath, [DIST_ENTRY], {
    cwd: workspace,
    env: {
      ...cleanEnvironment(),
      ...inputVariables(options.inputs),
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_STATE: stateFile,
      RUNNER_TEMP: files,
      ...stateVariables(options.postState ?? {}),
      ...options.env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  options.onStart?.(child.pid as number)

  const consoleText = new BoundedText()
  child.stdout.on('data', (chunk: Buffer) => consoleText.add(chunk))
  child.stderr.on('data', (chunk: Buffer) => consoleText.add(chunk))
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (code, sig) => resolve([code, sig]))
  )

  return {
    exitCode,
    signal,
    console: consoleText.toString(),
    outputs: parseOutputFile(fs.readFileSync(outputFile, 'utf8')),
    summary: fs.readFileSync(summaryFile, 'utf8'),
    state: parseOutputFile(fs.readFileSync(stateFile, 'utf8')),
    workspace
  }
}

/** The test's own environment without anything that would steer the action. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const name of Object.keys(env)) {
    if (name.startsWith('INPUT_') || name.startsWith('ACTIONS_') || name.startsWith('GITHUB_')) {
      delete env[name]
    }
  }
  delete env.BACKGROUND_TRAINING_ARTIFACT_DIR
  return env
}

function inputVariables(inputs: Record<string, string>): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])
  )
}

/**
 * What the action printed, kept whole up to a limit; past it, the start and the end. A test
 * that prints a gigabyte would otherwise build a string longer than V8 allows.
 */
class BoundedText {
  private static readonly PART_LIMIT = 8 * 1024 * 1024
  private head: Buffer[] = []
  private headSize = 0
  private tail: Buffer[] = []
  private tailSize = 0
  private dropped = false

  add(chunk: Buffer): void {
    if (!this.dropped && this.headSize + chunk.length <= BoundedText.PART_LIMIT) {
      this.head.push(chunk)
      this.headSize += chunk.length
      return
    }
    this.tail.push(chunk)
    this.tailSize += chunk.length
    while (this.tail.length > 1 && this.tailSize - this.tail[0].length >= BoundedText.PART_LIMIT) {
      this.tailSize -= (this.tail.shift() as Buffer).length
      this.dropped = true
    }
  }

  toString(): string {
    const gap = this.dropped ? '\n[... output left out by the test harness ...]\n' : ''
    return Buffer.concat(this.head).toString() + gap + Buffer.concat(this.tail).toString()
  }
}

function stateVariables(state: Record<string, string>): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]))
}

/** Reads the `name<<delimiter` blocks @actions/core writes to GITHUB_OUTPUT and GITHUB_STATE. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const pattern = /^(.+?)<<(.+)\r?\n([\s\S]*?)\r?\n\2$/gm
  for (const [, name, , value] of text.matchAll(pattern)) outputs[name] = value
  return outputs
}
