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
  private carried: Buffer = Buffer.alloc(0)
  /** How far a name and its value can reach: the bytes around a chunk boundary to join. */
  private readonly seamLength: number

  constructor(names: readonly string[]) {
    this.names = names.map((name) => ({ name, bytes: Buffer.from(name) }))
    this.seamLength = Math.max(0, ...this.names.map(({ bytes }) => bytes.length)) + VALUE_WINDOW
  }

  write(chunk: Buffer): void {
    if (this.names.length === 0) return

    const firstEnd = lineBreakAfter(chunk, 0)
    if (firstEnd < 0) {
      this.carryWithoutBreak(chunk)
      return
    }
    // Only the line that straddles the chunks is joined; the rest is searched where it lies,
    // since copying every chunk would double the work and the garbage.
    const lastEnd = Math.max(chunk.lastIndexOf(0x0a), chunk.lastIndexOf(0x0d))
    this.scan(Buffer.concat([this.carried, chunk.subarray(0, firstEnd + 1)]))
    this.scan(chunk.subarray(firstEnd + 1, lastEnd + 1))
    this.carry(chunk.subarray(lastEnd + 1))
  }

  /** The last value of each name seen so far, including a final line without a newline. */
  finish(): Record<string, number> {
    this.scan(this.carried)
    this.carried = Buffer.alloc(0)
    return Object.fromEntries(this.latest)
  }

  /**
   * A chunk inside one long line. While the line is short it is kept whole; once it is
   * overlong, each chunk is searched where it lies and only its end is kept, so a line of
   * gigabytes costs no copies. The end kept from before is searched joined to the start of
   * this chunk, so that a value cut by the boundary is still read whole.
   */
  private carryWithoutBreak(chunk: Buffer): void {
    if (this.carried.length + chunk.length <= LONGEST_CARRIED_LINE) {
      this.carried = Buffer.concat([this.carried, chunk])
      return
    }
    this.scan(Buffer.concat([this.carried, chunk.subarray(0, this.seamLength)]))
    this.scan(chunk)
    this.carry(chunk)
  }

  /** Keeps the unfinished last line (a copy: the chunk's memory can then be freed). */
  private carry(rest: Buffer): void {
    const keptOfOverlong = Math.max(KEPT_OF_OVERLONG_LINE, this.seamLength)
    const kept = rest.length > LONGEST_CARRIED_LINE ? rest.subarray(-keptOfOverlong) : rest
    this.carried = Buffer.from(kept)
  }

  /** For each name, the last valid value in `region`, searching backwards. */
  private scan(region: Buffer): void {
    if (region.length === 0) return
    for (const { name, bytes } of this.names) {
      let position = region.lastIndexOf(bytes)
      while (position >= 0) {
        const value = valueAfter(region, position, bytes.length)
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
function valueAfter(region: Buffer, position: number, nameLength: number): number | undefined {
  if (!startsName(region, position)) return undefined

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

/** Whether the name at `position` stands on its own, perhaps after an opening quote. */
function startsName(region: Buffer, position: number): boolean {
  let before = position - 1
  if (before >= 0 && region[before] === 0x22) before -= 1
  return before < 0 || !NAME_BYTE.test(String.fromCharCode(region[before]))
}
