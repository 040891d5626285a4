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

  write(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.size += chunk.length
    if (this.size > 2 * KEPT_BYTES) this.compact()
  }

  /** The last `count` lines as text, progress-bar redraws collapsed to their final state. */
  lastLines(count: number): string[] {
    this.compact()
    const text = Buffer.concat(this.chunks).toString('utf8').replace(ANSI_ESCAPE, '')
    const lines = text.split('\n').map((line) => line.split('\r').filter(Boolean).pop() ?? '')
    if (lines.at(-1) === '') lines.pop()
    return lines.slice(-count)
  }

  private compact(): void {
    const joined = Buffer.concat(this.chunks)
    const kept = joined.subarray(Math.max(0, joined.length - KEPT_BYTES))
    this.chunks = [kept]
    this.size = kept.length
  }
}
