/**
 * Keeps the memory that output costs from growing with the amount of output.
 *
 * Every read from a pipe arrives in a fresh buffer outside V8's heap. The buffer is garbage as
 * soon as the log and the console have it, but its memory comes back only when V8 collects,
 * and V8 waits for tens of MiB of such memory before it does: the peak then depended on how
 * busy the rest of the process happened to be (bench/run.ts measures it). A young-generation
 * collection after every few MiB of output returns those buffers at once; each takes 0.1 to
 * 0.3 ms as a rule (a few ms at worst), and the benchmark shows no loss of throughput.
 */
import * as v8 from 'node:v8'
import { runInNewContext } from 'node:vm'

export const COLLECT_EVERY_BYTES = 4 * 1024 * 1024

export type Collector = (options: { type: 'minor' | 'major' }) => void

export class PipeMemory {
  private bytesSinceCollection = 0

  /** `collect` is looked up only once there is enough output to need it. */
  constructor(private readonly collect: () => Collector | null = v8Collector) {}

  /** Counts output that has passed through; collects once enough has. */
  passed(bytes: number): void {
    this.bytesSinceCollection += bytes
    if (this.bytesSinceCollection < COLLECT_EVERY_BYTES) return

    this.bytesSinceCollection = 0
    this.collect()?.({ type: 'minor' })
  }
}

let cachedCollector: Collector | null | undefined

/**
 * V8's `gc` function, made available without a command-line flag (which a runner's `node`
 * cannot be given): the flag is set now and the function taken from a fresh context, where it
 * appears. Node warns that flags changed after start-up may behave unpredictably; this one only
 * decides what new contexts get, and a test checks that the function still comes. Null if the
 * runtime refuses, in which case V8 collects on its own schedule.
 */
export function v8Collector(): Collector | null {
  if (cachedCollector !== undefined) return cachedCollector
  try {
    v8.setFlagsFromString('--expose-gc')
    const gc: unknown = runInNewContext('gc')
    cachedCollector = typeof gc === 'function' ? (gc as Collector) : null
  } catch {
    cachedCollector = null
  }
  return cachedCollector
}
