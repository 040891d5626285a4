/**
 * Errors that lower layers throw. Each carries the context a person needs to act on it;
 * `run()` is the one place that turns them into the step's failure.
 */

/** A `with:` value that cannot be used. Names the input, the accepted form and the value. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly expected: string,
    readonly received: string
  ) {
    super(`Input '${input}' must be ${expected}; got ${JSON.stringify(received)}.`)
    this.name = 'InputError'
  }
}

/** The log file could not be opened or written. Training output still reached the console. */
export class LogFileError extends Error {
  constructor(
    readonly path: string,
    options: { cause: unknown }
  ) {
    super(
      `Could not write the log file ${path} (input 'log-path'): ${describeCause(options.cause)}`,
      options
    )
    this.name = 'LogFileError'
  }
}

/** The shell that runs the command could not be started. */
export class ProcessStartError extends Error {
  constructor(
    readonly executable: string,
    options: { cause: unknown }
  ) {
    super(`Could not start '${executable}': ${describeCause(options.cause)}`, options)
    this.name = 'ProcessStartError'
  }
}

/** Uploading the artifact failed; the files it would have held are still on disk. */
export class ArtifactUploadError extends Error {
  constructor(
    readonly artifactName: string,
    options: { cause: unknown }
  ) {
    super(
      `Could not upload the artifact '${artifactName}': ${describeCause(options.cause)}`,
      options
    )
    this.name = 'ArtifactUploadError'
  }
}

/**
 * The artifact name is held by an artifact this step did not make (another job's, say).
 * Asking again will not help, and what holds the name must be left alone.
 */
export class ArtifactNameTakenError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options)
    this.name = 'ArtifactNameTakenError'
  }
}

/** The message of anything thrown, without a stack trace. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message
  return String(cause)
}
