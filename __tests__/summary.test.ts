import { describe, expect, it } from 'vitest'

import { MetricsHistory } from '../src/metrics/metrics-history.js'
import {
  chartNumber,
  evenSample,
  renderSummary,
  type SummaryState
} from '../src/reporting/summary.js'
import type { IterationResult } from '../src/scheduler.js'

function results(count: number, failing: number[] = []): IterationResult[] {
  return Array.from({ length: count }, (_, index) => ({
    iteration: index + 1,
    attempt: 1,
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)),
    durationMs: 1500,
    exitCode: failing.includes(index + 1) ? 1 : 0
  }))
}

function state(overrides: Partial<SummaryState>): SummaryState {
  return {
    status: 'Running',
    totalIterations: 500,
    results: [],
    metrics: new MetricsHistory([]),
    artifactName: 'logs',
    ...overrides
  }
}

describe('renderSummary', () => {
  it('lists every iteration of a short run', () => {
    const markdown = renderSummary(state({ totalIterations: 3, results: results(3, [2]) }))
    expect(markdown).toContain('| 1/3 | 2026-01-01 00:00:00 | 1.5s | ✅ succeeded |')
    expect(markdown).toContain('| 2/3 | 2026-01-01 00:00:01 | 1.5s | ❌ failed: exit code 1 |')
    expect(markdown.match(/^\| \d\/3 \|/gm)).toHaveLength(3)
    expect(markdown).toContain('artifact `logs`: not uploaded yet')
  })

  it('numbers the rows of a resumed run as the charts do, across runs', () => {
    const resumedFrom = { resumed: true, previousIterations: 4, metrics: [] }
    const markdown = renderSummary(state({ totalIterations: 2, results: results(2), resumedFrom }))
    expect(markdown).toContain('Resumed after iteration 4.')
    expect(markdown).toContain('| 1/2 (overall 5) | 2026-01-01 00:00:00 |')
    expect(markdown).toContain('| 2/2 (overall 6) | 2026-01-01 00:00:01 |')
  })

  it('folds the middle of a 500-iteration table into one row', () => {
    const markdown = renderSummary(state({ results: results(500, [7, 200, 300]) }))
    const rows = markdown.match(/^\| \d+\/500 \|/gm) ?? []

    expect(rows).toHaveLength(25)
    expect(markdown).toContain('| 10/500 |')
    expect(markdown).not.toContain('| 11/500 |')
    expect(markdown).toContain('| ⋯ | | | 475 more iterations, 2 failed |')
    expect(markdown).toContain('| 486/500 |')
    expect(markdown).toContain('| 500/500 |')
  })

  it('links the artifact and charts each metric, sampling long series', () => {
    const metrics = new MetricsHistory(['loss', 'accuracy'])
    for (let i = 1; i <= 500; i++) metrics.record(i, { loss: 1 / i })
    const markdown = renderSummary(
      state({ metrics, artifact: { id: 9, size: 2048, url: 'https://example.test/a/9' } })
    )

    expect(markdown).toContain('artifact [`logs`](https://example.test/a/9) (2.0 KiB)')
    expect(markdown).toContain('| loss | 0.002 |')
    expect(markdown.match(/```mermaid/g)).toHaveLength(1)
    const xAxis = /x-axis "iteration" \[([^\]]*)\]/.exec(markdown)?.[1].split(', ') ?? []
    expect(xAxis).toHaveLength(100)
    expect(xAxis[0]).toBe('1')
    expect(xAxis.at(-1)).toBe('500')
  })

  it('fences failure output so backticks in it cannot break the page', () => {
    const markdown = renderSummary(
      state({ failure: { iteration: 4, lines: ['error in ```code```', 'exit'] } })
    )
    expect(markdown).toContain('### Iteration 4 failed: its last lines of output')
    expect(markdown).toContain('````text\nerror in ```code```\nexit\n````')
  })
})

describe('evenSample', () => {
  it('keeps the first and last and spreads the rest', () => {
    expect(evenSample([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)).toEqual([1, 5, 9])
    expect(evenSample([1, 2], 5)).toEqual([1, 2])
  })
})

describe('chartNumber', () => {
  it.each([
    [0.5, '0.5'],
    [-3, '-3'],
    [1e-7, '0.0000001'],
    [-1.5e-7, '-0.00000015'],
    [1e300, undefined],
    [Number.NaN, undefined]
  ])('writes %d as %s', (value, text) => {
    expect(chartNumber(value)).toBe(text)
  })
})
