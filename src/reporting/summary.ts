/**
 * The job summary: a page GitHub shows on the run while the job is still going, rewritten
 * after every iteration. It answers "how far along is it, did anything fail, is it learning".
 */
import * as fs from 'node:fs/promises'

import * as core from '@actions/core'

import type { StoredArtifact } from '../artifacts/artifact-store.js'
import { describeEnding } from '../log/frames.js'
import type { MetricsHistory } from '../metrics/metrics-history.js'
import type { ResumePoint } from '../resume/resume.js'
import type { UploadMode } from '../settings/inputs.js'
import { failed, type IterationResult, succeeded } from '../scheduler.js'
import { formatDuration } from '../settings/duration.js'

export interface FailureExcerpt {
  readonly iteration: number
  readonly lines: readonly string[]
}

export interface SummaryState {
  /** One line on where the run stands, e.g. `Running: 3 of 5 iterations done`. */
  readonly status: string
  readonly totalIterations: number
  readonly results: readonly IterationResult[]
  readonly metrics: MetricsHistory
  readonly artifactName: string
  readonly artifact?: StoredArtifact
  readonly failure?: FailureExcerpt
  readonly resumedFrom?: ResumePoint
  readonly uploadMode?: UploadMode
}

// Past this many rows the middle of the table is folded into one line.
const FULL_TABLE_ROWS = 30
const HEAD_ROWS = 10
const TAIL_ROWS = 15
// Mermaid draws every point; past this many the chart shows an even sample.
const MAX_CHART_POINTS = 100

export function renderSummary(state: SummaryState): string {
  return [
    '## Background Training',
    `**${state.status}** · ${describeArtifact(state)}`,
    describeResume(state.resumedFrom),
    renderIterationTable(state.results, state.totalIterations, state.resumedFrom),
    renderMetrics(state.metrics),
    renderFailure(state.failure)
  ]
    .filter((section) => section !== '')
    .join('\n\n')
    .concat('\n')
}

function describeResume(resume?: ResumePoint): string {
  if (!resume) return ''
  const from = resume.origin ? ` from ${resume.origin}` : ''
  return `Resumed after iteration ${resume.previousIterations}${from}.`
}

function describeArtifact(state: SummaryState): string {
  const { artifact, artifactName } = state
  if (state.uploadMode === 'never') return 'no artifact (`upload: never`)'
  if (!artifact) return `artifact \`${artifactName}\`: not uploaded yet`
  return `artifact [\`${artifactName}\`](${artifact.url}) (${formatBytes(artifact.size)})`
}

function renderIterationTable(
  results: readonly IterationResult[],
  total: number,
  resumedFrom?: ResumePoint
): string {
  if (results.length === 0) return ''

  const header = ['| Iteration | Started (UTC) | Duration | Result |', '|---:|---|---:|---|']
  const row = (result: IterationResult) =>
    `| ${iterationLabel(result, total, resumedFrom)} | ${formatStart(result.startedAt)} | ` +
    `${formatDuration(result.durationMs)} | ${describeResult(result)} |`

  if (results.length <= FULL_TABLE_ROWS) return [...header, ...results.map(row)].join('\n')

  const hidden = results.slice(HEAD_ROWS, -TAIL_ROWS)
  const hiddenFailures = hidden.filter(failed).length
  const fold = `| ⋯ | | | ${hidden.length} more iterations, ${hiddenFailures} failed |`
  return [
    ...header,
    ...results.slice(0, HEAD_ROWS).map(row),
    fold,
    ...results.slice(-TAIL_ROWS).map(row)
  ].join('\n')
}

/** `2/5`; after a resume also the number across runs, which the charts and metrics.csv use. */
function iterationLabel(result: IterationResult, total: number, resumedFrom?: ResumePoint): string {
  const label = `${result.iteration}/${total}`
  if (!resumedFrom) return label
  return `${label} (overall ${resumedFrom.previousIterations + result.iteration})`
}

function describeResult(result: IterationResult): string {
  const mark = succeeded(result) ? '✅' : failed(result) ? '❌' : '⏹️'
  const attempt = result.attempt > 1 ? ` (attempt ${result.attempt})` : ''
  return `${mark} ${describeEnding(result)}${attempt}`
}

function formatStart(date: Date): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')
}

function renderMetrics(metrics: MetricsHistory): string {
  const latest = metrics.latest()
  if (Object.keys(latest).length === 0) return ''

  const table = [
    '| Metric | Latest |',
    '|---|---:|',
    ...Object.entries(latest).map(([name, value]) => `| ${name} | ${value} |`)
  ]
  const charts = metrics.names.map((name) => renderChart(name, metrics)).filter(Boolean)
  return ['### Metrics', table.join('\n'), ...charts].join('\n\n')
}

/** A Mermaid line chart, which GitHub renders in job summaries. */
export function renderChart(name: string, metrics: MetricsHistory): string {
  const drawable = metrics
    .series(name)
    .map((point) => ({ ...point, text: chartNumber(point.value) }))
    .filter((point) => point.text !== undefined)
  const points = evenSample(drawable, MAX_CHART_POINTS)
  if (points.length === 0) return ''

  return [
    '```mermaid',
    'xychart-beta',
    `  title "${name}"`,
    `  x-axis "iteration" [${points.map((point) => point.iteration).join(', ')}]`,
    `  y-axis "${name}"`,
    `  line [${points.map((point) => point.text).join(', ')}]`,
    '```'
  ].join('\n')
}

/**
 * A number as Mermaid's chart grammar reads it: digits and a point, no exponent. Learning
 * rates like 1e-7 are written out; values too large to write so are left off the chart.
 */
export function chartNumber(value: number): string | undefined {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e21) return undefined
  const plain = String(value)
  if (!plain.includes('e')) return plain
  return value.toFixed(20).replace(/\.?0+$/, '')
}

/** At most `limit` items, evenly spread, always keeping the first and the last. */
export function evenSample<T>(items: readonly T[], limit: number): T[] {
  if (items.length <= limit) return [...items]
  const step = (items.length - 1) / (limit - 1)
  return Array.from({ length: limit }, (_, index) => items[Math.round(index * step)])
}

function renderFailure(failure?: FailureExcerpt): string {
  if (!failure || failure.lines.length === 0) return ''
  // A fence longer than any run of backticks in the output keeps the block closed.
  const longestRun = Math.max(0, ...failure.lines.map((line) => longestBacktickRun(line)))
  const fence = '`'.repeat(Math.max(3, longestRun + 1))
  return [
    `### Iteration ${failure.iteration} failed: its last lines of output`,
    `${fence}text\n${failure.lines.join('\n')}\n${fence}`
  ].join('\n\n')
}

function longestBacktickRun(line: string): number {
  return Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length))
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/**
 * Writes the summary file, replacing what this step wrote before. Writes are queued so an
 * older state can never land after a newer one.
 */
export class JobSummary {
  private queue: Promise<void> = Promise.resolve()

  constructor(private readonly file: string | undefined) {}

  update(state: SummaryState): Promise<void> {
    if (!this.file) return this.queue
    const file = this.file
    const markdown = renderSummary(state)
    this.queue = this.queue
      .then(() => fs.writeFile(file, markdown))
      .catch((error) => core.warning(`Could not write the job summary: ${String(error)}`))
    return this.queue
  }
}
