import { describe, expect, it } from 'vitest'

import { AnsiStripper } from '../src/log/ansi-stripper.js'
import type { ByteFilter } from '../src/log/byte-filter.js'
import { Redactor } from '../src/log/redactor.js'

/** Feeds the chunks one by one, as output arrives, and returns everything the filter let out. */
function through(filter: ByteFilter, ...chunks: Array<string | Buffer>): Buffer {
  const out = chunks.map((chunk) => filter.push(Buffer.from(chunk)))
  return Buffer.concat([...out, filter.flush()])
}

describe('Redactor', () => {
  it('replaces every value, longest first', () => {
    const redactor = new Redactor(['hunter2', 'hunter2-extended'])
    const out = through(redactor, 'a hunter2 b hunter2-extended c\n')
    expect(out.toString()).toBe('a *** b *** c\n')
  })

  it('finds a value split across chunks, even one byte at a time', () => {
    const secret = 'sk-live-0123456789'
    const chunks = `token=${secret}; again ${secret}\n`.split('')
    expect(through(new Redactor([secret]), ...chunks).toString()).toBe('token=***; again ***\n')
  })

  it('learns values from ::add-mask:: lines, even one split across chunks', () => {
    const redactor = new Redactor()
    const out = through(
      redactor,
      'start\n::add-',
      'mask::s3cr',
      'et-value\nuse s3cret-',
      'value now\n'
    )
    expect(out.toString()).toBe('start\n::add-mask::***\nuse *** now\n')
    expect(redactor.redactText('later s3cret-value')).toBe('later ***')
  })

  it('unescapes command values', () => {
    const redactor = new Redactor()
    through(redactor, '::add-mask::100%25 sure\n')
    expect(redactor.redactText('I am 100% sure')).toBe('I am ***')
  })

  it('holds back no more than the longest value less one byte', () => {
    const redactor = new Redactor(['abcdef'])
    expect(redactor.push(Buffer.from('0123456789')).toString()).toBe('01234')
    expect(redactor.flush().toString()).toBe('56789')
  })

  it('passes bytes through untouched when there is nothing to hide', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0xe2, 0x82])
    expect(through(new Redactor(), bytes).equals(bytes)).toBe(true)
  })
})

describe('AnsiStripper', () => {
  it('removes colour codes, even split across chunks', () => {
    const out = through(new AnsiStripper(), 'plain \u001b[3', '1mred\u001b[0m', ' done\n')
    expect(out.toString()).toBe('plain red done\n')
  })

  it('removes OSC titles and keeps everything else byte for byte', () => {
    const text = Buffer.concat([
      Buffer.from('\u001b]0;title\u0007a\r10%\r100%\n'),
      Buffer.from([0xff, 0xe2, 0x82, 0xac])
    ])
    const expected = Buffer.concat([
      Buffer.from('a\r10%\r100%\n'),
      Buffer.from([0xff, 0xe2, 0x82, 0xac])
    ])
    expect(through(new AnsiStripper(), text).equals(expected)).toBe(true)
  })
})
