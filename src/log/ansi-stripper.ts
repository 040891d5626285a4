/**
 * Removes ANSI colour and cursor sequences from the log file when asked to (`strip-ansi`),
 * so that it reads cleanly in an editor. The job log keeps the colours.
 */
import type { ByteFilter } from './byte-filter.js'

const ESCAPE = 0x1b
// CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL` or `ESC ] ... ESC \`) and two-byte escapes.
// eslint-disable-next-line no-control-regex -- ANSI sequences start with the ESC control byte
const SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g
// An escape this far from the end without its end is not a sequence worth waiting for.
const LONGEST_SEQUENCE = 256

export class AnsiStripper implements ByteFilter {
  private carry = Buffer.alloc(0)

  push(chunk: Buffer): Buffer {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk
    const cut = this.unfinishedSequenceStart(data)
    this.carry = Buffer.from(data.subarray(cut))
    return strip(data.subarray(0, cut))
  }

  flush(): Buffer {
    const rest = this.carry
    this.carry = Buffer.alloc(0)
    return strip(rest)
  }

  /** Where a sequence that the next chunk may finish begins; the data's length if none. */
  private unfinishedSequenceStart(data: Buffer): number {
    const lastEscape = data.lastIndexOf(ESCAPE)
    if (lastEscape < 0 || data.length - lastEscape > LONGEST_SEQUENCE) return data.length
    const tail = data.subarray(lastEscape).toString('latin1')
    SEQUENCE.lastIndex = 0
    const complete = SEQUENCE.exec(tail)
    return complete && complete.index === 0 ? data.length : lastEscape
  }
}

/** latin1 maps bytes one to one, so stripping never touches the bytes around a sequence. */
function strip(data: Buffer): Buffer {
  if (data.indexOf(ESCAPE) < 0) return data
  return Buffer.from(data.toString('latin1').replace(SEQUENCE, ''), 'latin1')
}
