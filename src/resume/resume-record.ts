/**
 * The action's own record of progress, saved with the checkpoints: how many iterations the
 * family of runs has done and the metrics of each, so that numbering and charts continue.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'

import type { MetricsRow } from '../metrics/metrics-history.js'

export interface ResumeRecord {
  readonly format: 1
  /** Iterations that succeeded across every run of the family so far. */
  readonly totalIterations: number
  /** One row per iteration, numbered across runs. */
  readonly metrics: readonly MetricsRow[]
  readonly savedAt: string
  /** The run that saved it, for the summary: "resumed from run 1234". */
  readonly runId?: string
  readonly runAttempt?: string
}

/** Lives in the workspace so the cache, which stores paths relative to it, can carry it. */
export const RECORD_PATH = path.join('.background-training', 'resume-record.json')

export function recordFile(workspace: string): string {
  return path.join(workspace, RECORD_PATH)
}

export async function readRecord(workspace: string): Promise<ResumeRecord | undefined> {
  const text = await fs.readFile(recordFile(workspace), 'utf8').catch(() => undefined)
  if (text === undefined) return undefined

  const record = JSON.parse(text) as Partial<ResumeRecord>
  if (record.format !== 1 || !Number.isSafeInteger(record.totalIterations)) {
    throw new Error(`${recordFile(workspace)} is not a record this version understands`)
  }
  return record as ResumeRecord
}

export async function writeRecord(workspace: string, record: ResumeRecord): Promise<void> {
  const file = recordFile(workspace)
  await fs.mkdir(path.dirname(file), { recursive: true })
  await fs.writeFile(file, JSON.stringify(record, null, 2) + '\n')
}
