/**
 * Picks metric values out of training output as it streams past: `loss=0.41`, `loss: 0.41`,
 * `"loss": 0.41`. For each name the last value printed in the iteration wins.
 */

// Lines are scanned whole; a line longer than this with no line break is scanned only in part.
const LONGEST_CARRIED_LINE = 4096
const KEPT_OF_OVERLONG_LINE = 256

const NUMBER = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`

export class MetricScanner {
  private readonly pattern: RegExp | undefined
  private readonly latest = new Map<string, number>()
  private carried = ''

  constructor(names: readonly string[]) {
    if (names.length === 0) return
    // The look-behind keeps `val_loss` and `train/loss` from counting as `loss`.
    const alternatives = names.map(escapeRegExp).join('|')
    this.pattern = new RegExp(
      String.raw`(?<![\w.\-/])"?(${alternatives})"?\s*[:=]\s*(${NUMBER})(?![\w.])`,
      'g'
    )
  }

  /** Feeds a chunk of raw output. Metric names and numbers are ASCII, so latin1 is lossless. */
  write(chunk: Buffer): void {
    if (!this.pattern) return

    const text = this.carried + chunk.toString('latin1')
    const lineEnd = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'))
    this.scan(text.slice(0, lineEnd + 1))
    this.carried = text.slice(lineEnd + 1)
    if (this.carried.length > LONGEST_CARRIED_LINE) {
      this.carried = this.carried.slice(-KEPT_OF_OVERLONG_LINE)
    }
  }

  /** The last value of each name seen so far, including a final line without a newline. */
  finish(): Record<string, number> {
    if (this.pattern) this.scan(this.carried)
    this.carried = ''
    return Object.fromEntries(this.latest)
  }

  private scan(text: string): void {
    if (!this.pattern || text === '') return
    for (const match of text.matchAll(this.pattern)) {
      const value = Number(match[2])
      if (Number.isFinite(value)) this.latest.set(match[1], value)
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}
