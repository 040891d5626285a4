/**
 * Replaces secret values with `***` in what the action writes to files. The runner masks
 * secrets in the job log, but not in files an action writes and uploads. Values come from the
 * `redact` input and from `::add-mask::` commands the training itself prints. Output arrives
 * in chunks, so the last few bytes of each chunk wait for the next one: a value split across
 * two chunks is still found.
 */
import type { ByteFilter } from './byte-filter.js'

const MASK_COMMAND = Buffer.from('::add-mask::')
const REPLACEMENT = Buffer.from('***')
const NEWLINE = 0x0a
// An `::add-mask::` line longer than this is not waited for to the end.
const LONGEST_MASK_LINE = 64 * 1024

export class Redactor implements ByteFilter {
  private secrets: Buffer[] = []
  private longest = 0
  private carry = Buffer.alloc(0)

  constructor(values: readonly string[] = []) {
    values.forEach((value) => this.add(value))
  }

  add(value: string): void {
    const secret = Buffer.from(value, 'utf8')
    if (secret.length === 0 || this.secrets.some((known) => known.equals(secret))) return
    // Longest first, so that a value containing a shorter one is replaced whole.
    this.secrets = [...this.secrets, secret].sort((a, b) => b.length - a.length)
    this.longest = this.secrets[0].length
  }

  push(chunk: Buffer): Buffer {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk
    const unfinishedMask = this.learnMasks(data)

    let limit = data.length - Math.max(0, this.longest - 1, partialCommandAtEnd(data))
    if (unfinishedMask >= 0) limit = Math.min(limit, unfinishedMask)
    const { output, consumed } = this.replaceBefore(data, Math.max(0, limit))
    this.carry = Buffer.from(data.subarray(consumed))
    return output
  }

  flush(): Buffer {
    const rest = this.carry
    this.carry = Buffer.alloc(0)
    this.learnMasks(Buffer.concat([rest, Buffer.from('\n')]))
    return this.replaceBefore(rest, rest.length).output
  }

  /** Text with every known value replaced, for reports built from output (the summary). */
  redactText(text: string): string {
    return this.replaceBefore(Buffer.from(text), Buffer.byteLength(text)).output.toString()
  }

  /**
   * Learns the values of complete `::add-mask::` lines. Returns where an unfinished one
   * starts, so nothing from there on is written before its value is known, or -1.
   */
  private learnMasks(data: Buffer): number {
    let from = data.indexOf(MASK_COMMAND)
    while (from >= 0) {
      const lineEnd = data.indexOf(NEWLINE, from)
      if (lineEnd < 0) return data.length - from > LONGEST_MASK_LINE ? -1 : from

      const value = data.subarray(from + MASK_COMMAND.length, lineEnd).toString('utf8')
      this.add(unescapeCommandValue(value.replace(/\r$/, '').trim()))
      from = data.indexOf(MASK_COMMAND, lineEnd)
    }
    return -1
  }

  /** Replaces every value that starts before `limit`; returns the output and how far it went. */
  private replaceBefore(data: Buffer, limit: number): { output: Buffer; consumed: number } {
    if (this.secrets.length === 0) {
      return { output: data.subarray(0, limit), consumed: limit }
    }
    const parts: Buffer[] = []
    let position = 0
    for (;;) {
      const match = this.nextMatch(data, position, limit)
      if (!match) break
      parts.push(data.subarray(position, match.start), REPLACEMENT)
      position = match.start + match.length
    }
    const consumed = Math.max(position, limit)
    parts.push(data.subarray(position, consumed))
    return { output: Buffer.concat(parts), consumed }
  }

  private nextMatch(data: Buffer, from: number, limit: number) {
    let best: { start: number; length: number } | undefined
    for (const secret of this.secrets) {
      const start = data.indexOf(secret, from)
      if (start < 0 || start >= limit) continue
      if (!best || start < best.start) best = { start, length: secret.length }
    }
    return best
  }
}

/** How many bytes at the end of `data` could be the start of an `::add-mask::` command. */
function partialCommandAtEnd(data: Buffer): number {
  // Every chunk passes here: a command starts with ':', so without one near the end, no work.
  const from = Math.max(0, data.length - (MASK_COMMAND.length - 1))
  if (data.indexOf(0x3a, from) < 0) return 0
  for (let length = Math.min(MASK_COMMAND.length - 1, data.length); length > 0; length--) {
    if (data.subarray(data.length - length).equals(MASK_COMMAND.subarray(0, length))) return length
  }
  return 0
}

/** Workflow command values escape `%`, CR and LF; see @actions/core's toCommandValue. */
function unescapeCommandValue(value: string): string {
  return value.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}
