import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { ConsoleEcho } from '../src/reporting/console.js'

let printed: string[]

beforeEach(() => {
  printed = []
  vi.spyOn(process.stdout, 'write').mockImplementation((data: string | Uint8Array) => {
    printed.push(Buffer.from(data).toString())
    return true
  })
})

afterEach(() => {
  vi.restoreAllMocks()
})

describe('ConsoleEcho', () => {
  it("holds an unfinished line back, so the action's own lines start lines of their own", () => {
    const echo = new ConsoleEcho()

    echo.write(Buffer.from('epoch 1\nloss='), 'stdout')
    process.stdout.write('::add-mask::secret\n')
    echo.write(Buffer.from('0.5\n'), 'stdout')

    expect(printed.join('')).toBe('epoch 1\n::add-mask::secret\nloss=0.5\n')
  })

  it('ends a line still held when the iteration ends', () => {
    const echo = new ConsoleEcho()
    echo.write(Buffer.from('no newline at the end'), 'stdout')
    expect(printed.join('')).toBe('')

    echo.endOpenLines()
    expect(printed.join('')).toBe('no newline at the end\n')
  })

  it('counts a carriage return as a line end, as progress bars use it', () => {
    const echo = new ConsoleEcho()
    echo.write(Buffer.from('10%\r20%'), 'stdout')
    expect(printed.join('')).toBe('10%\r')
  })

  it('lets a line too long to hold through, and still ends it', () => {
    const echo = new ConsoleEcho()
    const long = 'x'.repeat(70 * 1024)
    echo.write(Buffer.from(long), 'stdout')
    expect(printed.join('')).toBe(long)

    echo.endOpenLines()
    expect(printed.join('')).toBe(`${long}\n`)
  })
})
