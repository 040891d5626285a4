import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    reporters: ['default', './__tests__/support/summary-reporter.ts'],
    // Tests run real processes and a real build; some take seconds by design.
    testTimeout: 60_000,
    hookTimeout: 120_000
  }
})
