import { describe, expect, it } from 'vitest'

import { MetricScanner } from '../src/metrics/metric-scanner.js'
import { MetricsHistory } from '../src/metrics/metrics-history.js'

function scan(names: string[], ...chunks: string[]): Record<string, number> {
  const scanner = new MetricScanner(names)
  for (const chunk of chunks) scanner.write(Buffer.from(chunk, 'utf8'))
  return scanner.finish()
}

describe('MetricScanner', () => {
  it('reads the forms training scripts print', () => {
    expect(scan(['loss'], 'loss=0.41\n')).toEqual({ loss: 0.41 })
    expect(scan(['loss'], 'epoch 3 loss: 0.5\n')).toEqual({ loss: 0.5 })
    expect(scan(['loss'], '{"epoch": 3, "loss": 1.5e-3}\n')).toEqual({ loss: 0.0015 })
    expect(scan(['acc'], 'acc = -.25,\n')).toEqual({ acc: -0.25 })
  })

  it('keeps the last value printed for each name', () => {
    const values = scan(['loss', 'accuracy'], 'loss=0.9 accuracy=0.5\n', 'loss=0.7\nloss=0.6\n')
    expect(values).toEqual({ loss: 0.6, accuracy: 0.5 })
  })

  it('does not take val_loss, train/loss or lossy for loss', () => {
    expect(scan(['loss'], 'val_loss=0.3 train/loss=0.2 lossy=0.1 x.loss=5\n')).toEqual({})
    expect(scan(['val_loss', 'train/loss'], 'val_loss=0.3 train/loss=0.2\n')).toEqual({
      val_loss: 0.3,
      'train/loss': 0.2
    })
  })

  it('finds a value split across chunks and on a last line without a newline', () => {
    expect(scan(['loss'], 'lo', 'ss=0.', '25\nloss=0.', '125')).toEqual({ loss: 0.125 })
  })

  it('follows progress bars redrawn with carriage returns', () => {
    expect(scan(['loss'], '10% loss=0.9\r50% loss=0.5\r100% loss=0.3\r')).toEqual({ loss: 0.3 })
  })

  it('ignores values that are not numbers', () => {
    expect(scan(['loss'], 'loss=nan loss=abc loss=0.4.5\n')).toEqual({})
  })

  it('keeps memory bounded on a line that never ends', () => {
    const scanner = new MetricScanner(['loss'])
    for (let i = 0; i < 1000; i++) scanner.write(Buffer.alloc(10_000, 0x78))
    scanner.write(Buffer.from(' loss=0.5'))
    expect(scanner.finish()).toEqual({ loss: 0.5 })
  })

  it('reads a value cut by a chunk boundary inside a line too long to keep whole', () => {
    const filler = 'x'.repeat(10_000)
    expect(scan(['loss'], filler, ' loss=0.', '75 ', filler)).toEqual({ loss: 0.75 })
    expect(scan(['loss'], filler, ' lo', 'ss=0.75 ', filler)).toEqual({ loss: 0.75 })
    expect(scan(['loss'], filler + ' loss=0.', '75 ' + filler, filler)).toEqual({ loss: 0.75 })
  })

  it('reads such a value when small chunks follow the long line', () => {
    expect(scan(['loss'], 'x'.repeat(4090), ' lo', 'ss=0.', '75 ')).toEqual({ loss: 0.75 })
  })

  it('takes no val_loss for loss where a chunk or the kept end of a long line starts', () => {
    const filler = 'x'.repeat(5000)
    expect(scan(['loss'], `loss=1 ${filler} val_`, 'loss=3 yyy')).toEqual({ loss: 1 })
    // The kept end of the line is its last 256 bytes, which here start just after `val_`.
    const keptEnd = 'loss=3 '.padEnd(256, 'z')
    expect(scan(['loss'], `loss=1 ${filler} val_${keptEnd}`, 'w'.repeat(10))).toEqual({ loss: 1 })
  })

  it('searches the whole of an overlong unfinished line that follows a line break', () => {
    const filler = 'x'.repeat(5000)
    expect(scan(['loss'], `a\n${filler} loss=0.5 ${filler}`, '\n')).toEqual({ loss: 0.5 })
  })
})

describe('MetricsHistory', () => {
  it('writes one CSV row per iteration with empty cells for missing values', () => {
    const history = new MetricsHistory(['loss', 'accuracy'])
    history.record(1, { loss: 0.9, accuracy: 0.5 })
    history.record(2, {})
    history.record(3, { loss: 0.4 })

    expect(history.toCsv()).toBe('iteration,loss,accuracy\n1,0.9,0.5\n2,,\n3,0.4,\n')
    expect(history.latest()).toEqual({ loss: 0.4, accuracy: 0.5 })
    expect(history.series('loss')).toEqual([
      { iteration: 1, value: 0.9 },
      { iteration: 3, value: 0.4 }
    ])
  })
})
