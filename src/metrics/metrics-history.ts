/**
 * The metrics of every iteration so far, as a table: the job summary's charts, `metrics.csv`
 * and the `metrics` output all read from here.
 */

export interface MetricsRow {
  readonly iteration: number
  readonly values: Readonly<Record<string, number>>
}

export class MetricsHistory {
  private readonly rowsSoFar: MetricsRow[]

  /** `earlier`: rows of earlier runs of the same training, which the charts continue. */
  constructor(
    readonly names: readonly string[],
    earlier: readonly MetricsRow[] = []
  ) {
    this.rowsSoFar = [...earlier]
  }

  get rows(): readonly MetricsRow[] {
    return this.rowsSoFar
  }

  /** Records an iteration's values; a retry's values replace those of the attempt before. */
  record(iteration: number, values: Record<string, number>): void {
    if (this.rowsSoFar.at(-1)?.iteration === iteration) this.rowsSoFar.pop()
    this.rowsSoFar.push({ iteration, values })
  }

  /** The most recent value of each metric, from whichever iteration last printed it. */
  latest(): Record<string, number> {
    const latest: Record<string, number> = {}
    for (const row of this.rowsSoFar) Object.assign(latest, row.values)
    return Object.fromEntries(this.names.filter((n) => n in latest).map((n) => [n, latest[n]]))
  }

  /** One row per iteration; an iteration that did not print a metric leaves its cell empty. */
  toCsv(): string {
    const header = ['iteration', ...this.names].map(csvField).join(',')
    const lines = this.rowsSoFar.map((row) =>
      [String(row.iteration), ...this.names.map((name) => String(row.values[name] ?? ''))]
        .map(csvField)
        .join(',')
    )
    return [header, ...lines].join('\n') + '\n'
  }

  /** The points of one metric: iterations that printed it, and the values. */
  series(name: string): Array<{ iteration: number; value: number }> {
    return this.rowsSoFar
      .filter((row) => name in row.values)
      .map((row) => ({ iteration: row.iteration, value: row.values[name] }))
  }
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}
