import * as fs from 'node:fs'
import * as path from 'node:path'

import { describe, expect, it } from 'vitest'

import type { ArtifactRequest, ArtifactStore } from '../src/artifacts/artifact-store.js'
import { ArtifactPublisher, isPermanent } from '../src/artifacts/publisher.js'
import { takeSnapshot } from '../src/artifacts/snapshot.js'
import { tempFolder } from './support/temp.js'

/** A store that records what it was given and can be held up or made to fail. */
class RecordingStore implements ArtifactStore {
  readonly description = 'a test store'
  readonly uploads: string[] = []
  failures: Error[] = []
  private gate = Promise.resolve()

  /** Uploads wait until the returned function is called. */
  holdUploads(): () => void {
    let release = () => {}
    this.gate = new Promise((resolve) => (release = resolve))
    return release
  }

  async upload(request: ArtifactRequest) {
    await this.gate
    const failure = this.failures.shift()
    if (failure) throw failure
    this.uploads.push(fs.readFileSync(request.files[0], 'utf8'))
    return { id: this.uploads.length, size: 1, url: `test://${this.uploads.length}` }
  }
}

function publisherFor(store: RecordingStore, log: string, retryDelays: number[] = []) {
  const workspace = path.dirname(log)
  const warnings: string[] = []
  const publisher = new ArtifactPublisher({
    name: 'logs',
    store,
    snapshot: () => takeSnapshot({ topLevel: [log], nested: [], workspace }),
    finalRetryDelaysMs: retryDelays,
    onRefreshFailed: (error) => warnings.push(String(error)),
    onRetry: (error) => warnings.push(`retry: ${String(error)}`)
  })
  return { publisher, warnings }
}

describe('ArtifactPublisher', () => {
  it('uploads the file as it was when the refresh was asked for', async () => {
    const log = path.join(tempFolder(), 'training.log')
    const store = new RecordingStore()
    const releaseUploads = store.holdUploads()
    const { publisher } = publisherFor(store, log)

    fs.writeFileSync(log, 'one\n')
    await publisher.refresh()
    fs.appendFileSync(log, 'two\n')
    releaseUploads()
    await publisher.finish()

    expect(store.uploads).toEqual(['one\n', 'one\ntwo\n'])
  })

  it('collapses refreshes asked for during an upload into one of the newest state', async () => {
    const log = path.join(tempFolder(), 'training.log')
    const store = new RecordingStore()
    const releaseUploads = store.holdUploads()
    const { publisher } = publisherFor(store, log)

    for (const line of ['1', '2', '3', '4']) {
      fs.appendFileSync(log, `${line}\n`)
      await publisher.refresh()
    }
    releaseUploads()
    await publisher.finish()

    // The final upload finds nothing changed since the last refresh, and keeps that artifact.
    expect(store.uploads).toEqual(['1\n', '1\n2\n3\n4\n'])
  })

  it('reports a failed refresh and goes on', async () => {
    const log = path.join(tempFolder(), 'training.log')
    fs.writeFileSync(log, 'x\n')
    const store = new RecordingStore()
    store.failures = [new Error('service down')]
    const { publisher, warnings } = publisherFor(store, log)

    await publisher.refresh()
    const final = await publisher.finish()

    expect(warnings).toEqual(['Error: service down'])
    expect(final.url).toBe('test://1')
  })

  it('retries the final upload on a passing fault but not on a refusal', async () => {
    const log = path.join(tempFolder(), 'training.log')
    fs.writeFileSync(log, 'x\n')
    const store = new RecordingStore()
    const { publisher, warnings } = publisherFor(store, log, [10, 10])

    store.failures = [new Error('Failed request: (503) unavailable')]
    expect((await publisher.finish()).url).toBe('test://1')
    expect(warnings).toHaveLength(1)

    fs.appendFileSync(log, 'more\n')
    store.failures = [new Error('Received non-retryable error: Failed request: (403) quota')]
    await expect(publisher.finish()).rejects.toThrow(/quota/)
    expect(store.uploads).toHaveLength(1)
  })

  it('removes its frozen copies once uploaded', async () => {
    const runnerTemp = tempFolder()
    const previous = process.env.RUNNER_TEMP
    process.env.RUNNER_TEMP = runnerTemp
    try {
      const log = path.join(tempFolder(), 'training.log')
      fs.writeFileSync(log, 'x\n')
      const { publisher } = publisherFor(new RecordingStore(), log)
      await publisher.refresh()
      await publisher.finish()
      expect(fs.readdirSync(runnerTemp)).toEqual([])
    } finally {
      if (previous === undefined) delete process.env.RUNNER_TEMP
      else process.env.RUNNER_TEMP = previous
    }
  })
})

describe('isPermanent', () => {
  it.each([
    ['Received non-retryable error: Failed request: (409) Conflict', true],
    ['Failed request: (400) bad', true],
    ['Failed request: (429) slow down', false],
    ['Failed to make request after 5 attempts: Failed request: (500)', false],
    ['socket hang up', false]
  ])('%s', (message, permanent) => {
    expect(isPermanent(new Error(message))).toBe(permanent)
  })
})
