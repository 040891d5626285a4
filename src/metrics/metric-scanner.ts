/**
 * Picks metric values out of training output as it streams past: `loss=0.41`, `loss: 0.41`,
 * `"loss": 0.41`. For each name the last value printed in the iteration wins, so each chunk
 * is searched from its end with the native byte search, and nothing is decoded but the few
 * bytes after a name: this runs on every chunk of output, which may be gigabytes.
 */

// Lines are searched whole; a line longer than this with no line break is searched in part.
const LONGEST_CARRIED_LINE = 4096
const KEPT_OF_OVERLONG_LINE = 256
// Enough for `": ` and any number worth charting.
const VALUE_WINDOW = 64

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/
const SEPARATOR = /^"?[ \t]*[:=][ \t]*/
// A byte that would make the name part of a longer one: `val_loss`, `train/loss`, `x.loss`.
const NAME_BYTE = /[A-Za-z0-9_.\-/]/

export class MetricScanner {
  private readonly names: Array<{ name: string; bytes: Buffer }>
  private readonly latest = new Map<string, number>()
  /** How far a name and its value can reach: the bytes around a chunk boundary to join. */
  private readonly seamLength: number
  private readonly keptOfOverlongLine: number
  /** The unfinished last line: whole while short, only its end once it is overlong. */
  private carried: Buffer = Buffer.alloc(0)
  /** The byte before `carried` when that is only the end of a line, else undefined. */
  private beforeCarried: number | undefined

  constructor(names: readonly string[]) {
    this.names = names.map((name) => ({ name, bytes: Buffer.from(name) }))
    this.seamLength = Math.max(0, ...this.names.map(({ bytes }) => bytes.length)) + VALUE_WINDOW
    this.keptOfOverlongLine = Math.max(KEPT_OF_OVERLONG_LINE, this.seamLength)
  }

  write(chunk: Buffer): void {
    if (this.names.length === 0) return

    const firstEnd = lineBreakAfter(chunk, 0)
    if (firstEnd < 0) {
      this.continueLine(chunk)
      return
    }
    // Only the line that straddles the chunks is joined; the rest is searched where it lies,
    // since copying every chunk would double the work and the garbage.
    const lastEnd = Math.max(chunk.lastIndexOf(0x0a), chunk.lastIndexOf(0x0d))
    this.scan(Buffer.concat([this.carried, chunk.subarray(0, firstEnd + 1)]), this.beforeCarried)
    this.scan(chunk.subarray(firstEnd + 1, lastEnd + 1))
    this.startLine(chunk.subarray(lastEnd + 1))
  }

  /** The last value of each name seen so far, including a final line without a newline. */
  finish(): Record<string, number> {
    this.scan(this.carried, this.beforeCarried)
    this.startLine(Buffer.alloc(0))
    return Object.fromEntries(this.latest)
  }

  /** The start of a line with no break yet: kept whole (a copy, so the chunk can be freed). */
  private startLine(start: Buffer): void {
    this.beforeCarried = undefined
    if (start.length <= LONGEST_CARRIED_LINE) {
      this.carried = Buffer.from(start)
      return
    }
    this.scan(start)
    this.keepEndOfLine(Buffer.alloc(0), start)
  }

  /**
   * A chunk inside one long line. While the line is short it is kept whole; once it is
   * overlong, each chunk is searched where it lies and only the line's end is kept, so a line
   * of gigabytes costs no copies. That end is searched again joined to the start of the chunk,
   * so that a value cut by the boundary is read whole.
   */
  private continueLine(chunk: Buffer): void {
    if (this.carried.length + chunk.length <= LONGEST_CARRIED_LINE) {
      this.carried = Buffer.concat([this.carried, chunk])
      return
    }
    const seam = Buffer.concat([this.carried, chunk.subarray(0, this.seamLength)])
    this.scan(seam, this.beforeCarried)
    this.scan(chunk, this.carried.at(-1) ?? this.beforeCarried)
    this.keepEndOfLine(this.carried, chunk)
  }

  /** Keeps the last bytes of the line, `earlier` followed by `later`, and the byte before them. */
  private keepEndOfLine(earlier: Buffer, later: Buffer): void {
    const kept = this.keptOfOverlongLine
    const line = later.length > kept ? later : Buffer.concat([earlier, later])
    const start = Math.max(0, line.length - kept)
    if (start > 0) this.beforeCarried = line[start - 1]
    this.carried = Buffer.from(line.subarray(start))
  }

  /**
   * For each name, the last valid value in `region`, searching backwards. `before` is the byte
   * that precedes the region, if the region does not start a line.
   */
  private scan(region: Buffer, before?: number): void {
    if (region.length === 0) return
    for (const { name, bytes } of this.names) {
      let position = region.lastIndexOf(bytes)
      while (position >= 0) {
        const value = valueAfter(region, position, bytes.length, before)
        if (value !== undefined) {
          this.latest.set(name, value)
          break
        }
        position = position === 0 ? -1 : region.lastIndexOf(bytes, position - 1)
      }
    }
  }
}

function lineBreakAfter(data: Buffer, from: number): number {
  const newline = data.indexOf(0x0a, from)
  const carriageReturn = data.indexOf(0x0d, from)
  if (newline < 0) return carriageReturn
  return carriageReturn < 0 ? newline : Math.min(newline, carriageReturn)
}

/** The number written after the name at `position`, or undefined if this is no metric. */
function valueAfter(
  region: Buffer,
  position: number,
  nameLength: number,
  before: number | undefined
): number | undefined {
  if (!startsName(region, position, before)) return undefined

  const after = region.toString(
    'latin1',
    position + nameLength,
    position + nameLength + VALUE_WINDOW
  )
  const separator = SEPARATOR.exec(after)
  if (!separator) return undefined

  const rest = after.slice(separator[0].length)
  const number = NUMBER.exec(rest)
  if (!number || NAME_BYTE.test(rest.charAt(number[0].length))) return undefined
  const value = Number(number[0])
  return Number.isFinite(value) ? value : undefined
}

/**
 * Whether the name at `position` stands on its own, perhaps after an opening quote. `before`
 * stands for the byte at index -1, which lies outside the region.
 */
function startsName(region: Buffer, position: number, before: number | undefined): boolean {
  const byteAt = (index: number) => (index >= 0 ? region[index] : index === -1 ? before : undefined)
  let index = position - 1
  if (byteAt(index) === 0x22) index -= 1
  const byte = byteAt(index)
  return byte === undefined || !NAME_BYTE.test(String.fromCharCode(byte))
}
