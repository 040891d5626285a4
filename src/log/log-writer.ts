/**
 * Appends training output to the log file exactly as it arrives, plus the action's own frame
 * lines. Writes are queued in one stream and a full queue pushes back on the caller, so memory
 * stays bounded however fast the command prints.
 */
import { once } from 'node:events'
import * as fs from 'node:fs'
import * as path from 'node:path'

import { LogFileError } from '../errors.js'

const NEWLINE = 0x0a

// Large enough that a fast producer is rarely paused, small enough to bound memory.
const QUEUE_LIMIT_BYTES = 1024 * 1024

export class LogWriter {
  private failure?: LogFileError
  private endsWithNewline = true
  private resumeWaiters: Array<() => void> = []

  private constructor(
    readonly path: string,
    private readonly stream: fs.WriteStream,
    private readonly onFailure?: (error: LogFileError) => void
  ) {
    stream.on('error', (error) => this.fail(error))
    stream.on('drain', () => this.wakeWaiters())
  }

  /**
   * Opens `logPath` for appending, creating missing folders; never truncates. `onFailure` hears
   * of the first write error at once, so nobody learns of it only hours later.
   */
  static async open(
    logPath: string,
    onFailure?: (error: LogFileError) => void
  ): Promise<LogWriter> {
    try {
      await fs.promises.mkdir(path.dirname(logPath), { recursive: true })
      const stream = fs.createWriteStream(logPath, { flags: 'a', highWaterMark: QUEUE_LIMIT_BYTES })
      await once(stream, 'open')
      return new LogWriter(logPath, stream, onFailure)
    } catch (error) {
      throw new LogFileError(logPath, { cause: error })
    }
  }

  /** The first write error, if any; output after it reached the console only. */
  get error(): LogFileError | undefined {
    return this.failure
  }

  /** Appends raw bytes. The promise, when there is one, resolves once there is room again. */
  write(chunk: Buffer): void | Promise<void> {
    if (this.failure || chunk.length === 0) return

    this.endsWithNewline = chunk[chunk.length - 1] === NEWLINE
    if (this.stream.write(chunk)) return
    return new Promise((resolve) => this.resumeWaiters.push(resolve))
  }

  /** Appends one line of the action's own, starting a new line first if the output left one open. */
  writeLine(text: string): void | Promise<void> {
    const lead = this.endsWithNewline ? '' : '\n'
    return this.write(Buffer.from(`${lead}${text}\n`, 'utf8'))
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
      this.onFailure?.(this.failure)
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
