/**
 * The last few kilobytes of an iteration's output, kept so that the job summary can show why
 * an iteration failed without anyone opening the log.
 */

const KEPT_BYTES = 8192

// Colour and cursor codes mean nothing in a Markdown page.
// eslint-disable-next-line no-control-regex -- ANSI sequences start with the ESC control byte
const ANSI_ESCAPE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g

export class OutputTail {
  private chunks: Buffer[] = []
  private size = 0

  /** Keeps a reference, not a copy: this runs for every chunk of output. */
  write(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.size += chunk.length
    while (this.chunks.length > 1 && this.size - this.chunks[0].length >= KEPT_BYTES) {
      this.size -= (this.chunks.shift() as Buffer).length
    }
  }

  /** The last `count` lines as text, progress-bar redraws collapsed to their final state. */
  lastLines(count: number): string[] {
    const joined = Buffer.concat(this.chunks)
    const kept = joined.subarray(Math.max(0, joined.length - KEPT_BYTES))
    const text = kept.toString('utf8').replace(ANSI_ESCAPE, '')
    const lines = text.split('\n').map((line) => line.split('\r').filter(Boolean).pop() ?? '')
    if (lines.at(-1) === '') lines.pop()
    return lines.slice(-count)
  }
}
