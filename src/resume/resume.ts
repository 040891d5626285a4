/**
 * Continuing training across workflow runs: restore the newest saved state of the family
 * before the first iteration, keep the action's record of progress current, and save it all
 * when the run ends. A failure here is never a reason to lose training: it is a warning.
 */
import * as core from '@actions/core'

import { describeCause } from '../errors.js'
import type { MetricsRow } from '../metrics/metrics-history.js'
import type { Settings } from '../settings/inputs.js'
import { RECORD_PATH, readRecord, type ResumeRecord, writeRecord } from './resume-record.js'
import { chooseStateStore, type StateStore } from './state-store.js'

/** Where this run starts: zero and nothing, or where an earlier run left off. */
export interface ResumePoint {
  readonly resumed: boolean
  /** Iterations the family did before this run; this run's numbering continues from here. */
  readonly previousIterations: number
  readonly metrics: readonly MetricsRow[]
  /** Which run saved the state, and when, for the summary. */
  readonly origin?: string
}

export const FRESH_START: ResumePoint = { resumed: false, previousIterations: 0, metrics: [] }

export class Resumer {
  private readonly store: StateStore

  constructor(private readonly settings: Settings) {
    this.store = chooseStateStore({
      paths: [...settings.checkpointPaths, RECORD_PATH],
      resumeKey: settings.resumeKey,
      workspace: settings.workspace,
      env: process.env
    })
  }

  async restore(): Promise<ResumePoint> {
    const key = this.settings.resumeKey
    try {
      const restored = await this.store.restore()
      if (!restored) {
        core.info(`No saved state for resume-key '${key}' yet: training starts from the beginning.`)
        return FRESH_START
      }
      return this.resumePointFrom(restored, await readRecord(this.settings.workspace))
    } catch (error) {
      core.warning(
        `Could not restore the saved state for '${key}' from ${this.store.description}; ` +
          `training starts from the beginning: ${describeCause(error)}`
      )
      return FRESH_START
    }
  }

  /** Keeps the record on disk current, so a post step can save it if this step cannot. */
  async updateRecord(totalIterations: number, metrics: readonly MetricsRow[]): Promise<void> {
    const { GITHUB_RUN_ID: runId, GITHUB_RUN_ATTEMPT: runAttempt } = process.env
    const record: ResumeRecord = {
      format: 1,
      totalIterations,
      metrics,
      savedAt: new Date().toISOString(),
      runId,
      runAttempt
    }
    await writeRecord(this.settings.workspace, record)
  }

  /** Saves the checkpoints and the record; returns a description of what was not saved. */
  async save(): Promise<string | undefined> {
    try {
      const key = await this.store.save()
      core.info(`Training state saved to ${this.store.description} as '${key}'.`)
      return undefined
    } catch (error) {
      const problem = `training state was not saved to ${this.store.description}: ${describeCause(error)}`
      core.warning(`The ${problem}. The next run resumes from an older state, if any.`)
      return problem
    }
  }

  private resumePointFrom(key: string, record: ResumeRecord | undefined): ResumePoint {
    if (!record) {
      core.warning(`The state '${key}' holds no progress record; iterations are counted from 1.`)
      return { resumed: true, previousIterations: 0, metrics: [], origin: key }
    }
    const origin = record.runId
      ? `run ${record.runId} (attempt ${record.runAttempt ?? 1}), saved ${record.savedAt}`
      : `a run saved ${record.savedAt}`
    core.info(`Resuming after iteration ${record.totalIterations}, from ${origin}.`)
    return {
      resumed: true,
      previousIterations: record.totalIterations,
      metrics: record.metrics,
      origin
    }
  }
}
