/**
 * What a cancelled workflow run does to this step. The runner sends SIGINT to the action's
 * process, SIGTERM 7.5 s later, and kills the whole process tree 2.5 s after that. The command
 * runs in a process group of its own, so it hears none of this unless the action passes it on.
 */
import * as core from '@actions/core'

import { signalGroup } from './process/process-group.js'
import type { StopRequest } from './process/run-process.js'

// The training gets this long to save and exit after the first signal, so that the log can
// still be uploaded before the runner's hard kill 10 s after that signal.
export const CANCEL_GRACE_MS = 4000

// The runner kills everything 10 s after its first signal. Elsewhere (a terminal, `timeout`),
// this is how long a cancelled run may take to wrap up before it exits regardless.
const CANCEL_DEADLINE_MS = 15_000

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']

export class Cancellation {
  private readonly controller = new AbortController()

  /** `graceMs`: between the forwarded signal and SIGKILL for the running iteration. */
  constructor(private readonly graceMs: number) {}

  private group?: number
  private deadline?: NodeJS.Timeout
  private readonly handler = (signal: NodeJS.Signals) => this.receive(signal)

  /** Aborted, with a StopRequest, at the first SIGINT or SIGTERM. */
  get signal(): AbortSignal {
    return this.controller.signal
  }

  get cancelled(): boolean {
    return this.controller.signal.aborted
  }

  /** Takes over SIGINT and SIGTERM, which would otherwise end the action at once. */
  install(): this {
    for (const signal of SIGNALS) process.on(signal, this.handler)
    return this
  }

  uninstall(): void {
    for (const signal of SIGNALS) process.off(signal, this.handler)
    clearTimeout(this.deadline)
  }

  /** The process group of the running iteration, which later signals are passed on to. */
  setActiveGroup(pid: number | undefined): void {
    this.group = pid
  }

  private receive(signal: NodeJS.Signals): void {
    if (!this.cancelled) {
      // The running iteration's stop (if any) passes this first signal on to its group.
      const request: StopRequest = { cause: 'cancelled', signal, graceMs: this.graceMs }
      this.controller.abort(request)
      this.deadline = setTimeout(() => exitAfterCancel(signal), CANCEL_DEADLINE_MS)
      return
    }
    if (this.group !== undefined) signalGroup(this.group, signal)
  }
}

function exitAfterCancel(signal: NodeJS.Signals): never {
  core.error(`Still busy ${CANCEL_DEADLINE_MS / 1000}s after ${signal}; exiting without finishing.`)
  process.exit(1)
}
