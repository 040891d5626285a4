import type { Reporter, SerializedError, TestModule } from 'vitest/node'

/**
 * Ends a run with one plain line, `N passed, N failed`, that tools reading the output can
 * count on whatever the default reporter's layout becomes.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>
  ): void {
    let passed = 0
    // An error outside any test fails the run just the same, so it counts as a failure here.
    let failed = unhandledErrors.length
    for (const testModule of testModules) {
      // A file that fails to load has no test cases; it still counts as a failure.
      if (testModule.state() === 'failed' && [...testModule.children.allTests()].length === 0) {
        failed += 1
      }
      for (const test of testModule.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') passed += 1
        if (state === 'failed') failed += 1
      }
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`)
  }
}
