/**
 * Durations as people write them in a workflow: `90` (seconds), `90s`, `5m`, `1h30m`,
 * `250ms`, `1.5h`, `0`.
 */

// Largest first: the order parts must come in, each at most once.
const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1
}
const UNIT_ORDER = Object.keys(UNIT_MS)

/** Node's timers overflow past 2^31-1 ms (about 24.8 days) and fire at once instead. */
export const LONGEST_DURATION_MS = 2 ** 31 - 1

export const DURATION_FORM =
  'a duration such as 90, 90s, 5m, 1h30m or 0 (a bare number is seconds; units h, m, s, ms; ' +
  'units in that order, each once; at most 596h, about 24.8 days)'

const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/y

/** Milliseconds for `text`, or undefined when it is not a duration this accepts. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase()

  if (/^\d+(\.\d+)?$/.test(trimmed)) return checkRange(Number(trimmed) * 1000)

  // `1h 30m` reads naturally; spaces are allowed only between two parts.
  return checkRange(sumUnitParts(trimmed.replace(/([a-z])\s+(?=\d)/g, '$1')))
}

function sumUnitParts(text: string): number | undefined {
  if (text === '') return undefined

  let total = 0
  let previousUnit = -1
  PART.lastIndex = 0
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text)
    // `1h1h` or `30s1m` is more likely a slip than a duration.
    const unit = match ? UNIT_ORDER.indexOf(match[2]) : -1
    if (!match || unit <= previousUnit) return undefined
    previousUnit = unit
    total += Number(match[1]) * UNIT_MS[match[2]]
  }
  return total
}

function checkRange(ms: number | undefined): number | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms > LONGEST_DURATION_MS) return undefined
  return Math.round(ms)
}

/** A short, readable form: `850ms`, `12.3s`, `4m05s`, `2h03m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`

  const seconds = ms / 1000
  if (seconds < 60) return `${seconds.toFixed(1)}s`

  const wholeSeconds = Math.round(seconds)
  const hours = Math.floor(wholeSeconds / 3600)
  const minutes = Math.floor((wholeSeconds % 3600) / 60)
  const rest = wholeSeconds % 60
  if (hours === 0) return `${minutes}m${pad(rest)}s`
  return `${hours}h${pad(minutes)}m`
}

function pad(value: number): string {
  return String(value).padStart(2, '0')
}
