/**
 * Everything the run has learned so far, kept in one place for the reports that read it: the
 * job summary after each iteration, the step's outputs and metrics.csv at the end.
 */
import type { StoredArtifact } from './artifacts/artifact-store.js'
import type { IterationRecord } from './iteration.js'
import { MetricsHistory } from './metrics/metrics-history.js'
import { FRESH_START, type ResumePoint } from './resume/resume.js'
import type { FailureExcerpt, SummaryState } from './reporting/summary.js'
import { failed, type IterationResult, succeeded } from './scheduler.js'
import type { Settings } from './settings/inputs.js'

// Enough to see a traceback's end without turning the summary into a log.
const FAILURE_LINES = 30

export class Progress {
  readonly results: IterationResult[] = []
  readonly metrics: MetricsHistory
  artifact?: StoredArtifact
  private lastFailure?: FailureExcerpt

  constructor(
    private readonly settings: Settings,
    readonly resume: ResumePoint = FRESH_START,
    /** Applied to output quoted in reports, which must not show secrets. */
    private readonly redact: (text: string) => string = (text) => text
  ) {
    this.metrics = new MetricsHistory(settings.metrics, resume.metrics)
  }

  /** Records an attempt; a retry replaces the attempt before it of the same iteration. */
  record(record: IterationRecord): void {
    const { iteration } = record.result
    if (this.results.at(-1)?.iteration === iteration) this.results.pop()
    this.results.push(record.result)
    this.metrics.record(this.resume.previousIterations + iteration, record.metrics)

    if (this.lastFailure?.iteration === iteration && !failed(record.result)) {
      this.lastFailure = undefined
    }
    if (failed(record.result)) {
      this.lastFailure = {
        iteration: record.result.iteration,
        lines: record.tail.lastLines(FAILURE_LINES).map(this.redact)
      }
    }
  }

  get succeededCount(): number {
    return this.results.filter(succeeded).length
  }

  get failedCount(): number {
    return this.results.filter(failed).length
  }

  /** Iterations done by this and earlier runs of the same training. */
  get totalIterations(): number {
    return this.resume.previousIterations + this.succeededCount
  }

  summaryState(status: string): SummaryState {
    return {
      status,
      totalIterations: this.settings.iterations,
      results: this.results,
      metrics: this.metrics,
      artifactName: this.settings.artifactName,
      artifact: this.artifact,
      failure: this.lastFailure,
      resumedFrom: this.resume.resumed ? this.resume : undefined,
      uploadMode: this.settings.upload
    }
  }
}
