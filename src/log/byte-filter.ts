/**
 * A change made to output on its way into the log file. Output arrives in chunks that may cut
 * through whatever the filter looks for, so a filter may hold bytes back until the next chunk.
 */
export interface ByteFilter {
  /** Takes a chunk; returns the bytes that are ready to be written. */
  push(chunk: Buffer): Buffer
  /** Returns everything still held back, at the end of an iteration. */
  flush(): Buffer
}
