/**
 * The step's time limit. A hosted runner kills a job at 6 hours with nothing saved; with a
 * budget the action stops early enough to upload what it has. It starts no iteration that is
 * not expected to finish in time, and stops one that runs into the end of the budget.
 */

// Room kept for the final upload before anything has been uploaded: a tenth of the budget,
// at most this much. Once uploads have been timed, the longest of them is kept instead.
const DEFAULT_RESERVE_CAP_MS = 30_000

export class TimeBudget {
  private longestIterationMs = 0
  private longestUploadMs = 0

  constructor(
    readonly startMs: number,
    readonly limitMs: number,
    private readonly now: () => number = Date.now
  ) {}

  /** Kept free at the end of the budget for the final upload. */
  get reserveMs(): number {
    const guess = Math.min(DEFAULT_RESERVE_CAP_MS, this.limitMs / 10)
    return Math.max(this.longestUploadMs, guess)
  }

  /** When a running iteration is stopped so that the final upload still fits. */
  get stopAtMs(): number {
    return this.startMs + this.limitMs - this.reserveMs
  }

  recordIteration(durationMs: number): void {
    this.longestIterationMs = Math.max(this.longestIterationMs, durationMs)
  }

  recordUpload(durationMs: number): void {
    this.longestUploadMs = Math.max(this.longestUploadMs, durationMs)
  }

  /** Whether a pause of `pauseMs` and then an iteration as long as the longest so far fit. */
  fits(pauseMs: number): boolean {
    return this.now() + pauseMs + this.longestIterationMs <= this.stopAtMs
  }
}
