/**
 * Appends training output to the log file exactly as it arrives, plus the action's own frame
 * lines. Writes are queued in one stream and a full queue pushes back on the caller, so memory
 * stays bounded however fast the command prints.
 */
import { once } from 'node:events'
import * as fs from 'node:fs'
import * as path from 'node:path'

import { LogFileError } from '../errors.js'
import type { ByteFilter } from './byte-filter.js'
import type { Redactor } from './redactor.js'

const NEWLINE = 0x0a

export interface LogWriterOptions {
  /** Hears of the first write error at once, so nobody learns of it only hours later. */
  readonly onFailure?: (error: LogFileError) => void
  /** Applied in order to output on its way into the file. */
  readonly filters?: readonly ByteFilter[]
  /** Applied to the action's own lines. */
  readonly redactor?: Redactor
}

// Large enough that a fast producer is rarely paused, small enough to bound memory.
const QUEUE_LIMIT_BYTES = 1024 * 1024

export class LogWriter {
  private failure?: LogFileError
  private endsWithNewline = true
  private resumeWaiters: Array<() => void> = []

  private constructor(
    readonly path: string,
    private readonly stream: fs.WriteStream,
    private readonly options: LogWriterOptions
  ) {
    stream.on('error', (error) => this.fail(error))
    stream.on('drain', () => this.wakeWaiters())
  }

  /**
   * Opens `logPath` for appending, creating missing folders; never truncates.
   */
  static async open(logPath: string, options: LogWriterOptions = {}): Promise<LogWriter> {
    try {
      await makeFolders(path.dirname(logPath))
      const stream = fs.createWriteStream(logPath, { flags: 'a', highWaterMark: QUEUE_LIMIT_BYTES })
      await once(stream, 'open')
      return new LogWriter(logPath, stream, options)
    } catch (error) {
      throw new LogFileError(logPath, { cause: error })
    }
  }

  /** The first write error, if any; output after it reached the console only. */
  get error(): LogFileError | undefined {
    return this.failure
  }

  /**
   * Appends output bytes, through the filters (redaction, ANSI stripping) if any. The promise,
   * when there is one, resolves once there is room again.
   */
  write(chunk: Buffer): void | Promise<void> {
    const filters = this.options.filters ?? []
    const filtered = filters.reduce((data, filter) => filter.push(data), chunk)
    return this.append(filtered)
  }

  /**
   * Appends one line of the action's own, after whatever the filters still hold, starting a
   * new line first if the output left one open.
   */
  writeLine(text: string): void | Promise<void> {
    this.append(this.flushFilters())
    const lead = this.endsWithNewline ? '' : '\n'
    const line = this.redact(`${lead}${text}\n`)
    return this.append(Buffer.from(line, 'utf8'))
  }

  private append(data: Buffer): void | Promise<void> {
    if (this.failure || data.length === 0) return

    this.endsWithNewline = data[data.length - 1] === NEWLINE
    if (this.stream.write(data)) return
    return new Promise((resolve) => this.resumeWaiters.push(resolve))
  }

  /** Everything the filters hold back, passed through the filters after them. */
  private flushFilters(): Buffer {
    const filters = this.options.filters ?? []
    return filters.reduce<Buffer>((data, filter, index) => {
      const passed = index === 0 ? data : filter.push(data)
      return Buffer.concat([passed, filter.flush()])
    }, Buffer.alloc(0))
  }

  /** The action's own lines quote the command, which may hold a secret too. */
  private redact(text: string): string {
    return this.options.redactor ? this.options.redactor.redactText(text) : text
  }

  /** Waits until everything written so far is in the file (or has failed). */
  async flush(): Promise<void> {
    if (this.failure) return
    // Writes complete in order, so an empty write's callback means all before it are done.
    await new Promise<void>((resolve) => this.stream.write(Buffer.alloc(0), () => resolve()))
  }

  async close(): Promise<void> {
    if (this.stream.closed) return
    await new Promise<void>((resolve) => this.stream.end(resolve))
  }

  private fail(error: Error): void {
    if (!this.failure) {
      this.failure = new LogFileError(this.path, { cause: error })
      this.options.onFailure?.(this.failure)
    }
    this.wakeWaiters()
  }

  private wakeWaiters(): void {
    const waiters = this.resumeWaiters
    this.resumeWaiters = []
    waiters.forEach((wake) => wake())
  }
}

/** Appends one line of the action's own to a log nobody is writing to any more. */
export async function appendLine(logPath: string, text: string): Promise<void> {
  const log = await LogWriter.open(logPath)
  await log.writeLine(text)
  await log.close()
}

/**
 * Creates a folder and its missing parents one level at a time. Node's recursive mkdir spins
 * forever under /proc (seen on Node 24.21), which would hang the step instead of failing it.
 */
async function makeFolders(folder: string): Promise<void> {
  const missing: string[] = []
  let current = folder
  while (!(await fs.promises.stat(current).catch(() => undefined))) {
    missing.unshift(current)
    const parent = path.dirname(current)
    if (parent === current) break
    current = parent
  }
  for (const level of missing) await fs.promises.mkdir(level)
}
