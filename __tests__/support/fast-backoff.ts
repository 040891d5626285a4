import { vi } from 'vitest'

import type { ArtifactService, Operation } from './artifact-service.js'

/**
 * Runs `start` with the Twirp clients' back-off made instant. Between their five attempts they
 * wait 3 s, then 4.5-6.75 s, 6.75-10.1 s and 10.1-15.2 s, each a setTimeout.
 *
 * From the first request of `operation` on, setTimeout is fake and each back-off timer fires
 * as soon as the real HTTP exchange before it is over, until `attempts` requests of
 * `operation` went out; then the real clock takes over for the rest. Faking starts only at
 * that first request because the cache client runs `zstd --version` just before it, and the
 * process runner waits for the child's streams with a setTimeout that must stay real.
 */
export async function withFastBackoff<T>(
  service: ArtifactService,
  operation: Operation,
  attempts: number,
  start: () => Promise<T>
): Promise<T> {
  const previousHook = service.onRequest
  service.onRequest = (request) => {
    // The hook runs before the answer goes out, so the client's next setTimeout is a fake one.
    if (request.operation === operation && !vi.isFakeTimers()) {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    }
    return previousHook?.(request)
  }
  let settled = false
  const pending = start().finally(() => (settled = true))
  try {
    while (!settled && service.requests(operation).length < attempts) {
      await new Promise((resolve) => setImmediate(resolve))
      if (vi.isFakeTimers()) vi.advanceTimersToNextTimer()
    }
  } finally {
    vi.useRealTimers()
    service.onRequest = previousHook
  }
  return pending
}
