/**
 * Drives the unmodified @actions/cache client (saveCache and restoreCache) against the cache
 * half of the local results service, ./support/cache-service.ts, which startArtifactService
 * mounts beside the artifact API.
 *
 * Environment: on every call the client reads ACTIONS_CACHE_SERVICE_V2 (without it, it speaks
 * the legacy protocol), ACTIONS_RESULTS_URL and ACTIONS_RUNTIME_TOKEN, which service.env()
 * provides; RUNNER_TEMP, where it builds the archive; and GITHUB_WORKSPACE, the folder tar
 * archives from and extracts into. Each test stubs them all.
 *
 * Archives: the client shells out to tar. It compresses with zstd (`zstdmt` to create,
 * `unzstd` to extract) whenever `zstd --quiet --version` prints anything, and with gzip
 * (`tar -z`) when it does not, e.g. when zstd is not installed. The compression method is
 * part of the cache version, so the two never see each other's entries. One test hides zstd
 * from PATH to take the gzip path.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'

import { restoreCache, saveCache } from '@actions/cache'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { CACHE_CONFLICT_MESSAGE, startArtifactService } from './support/artifact-service.js'
import type { ArtifactService, Operation } from './support/artifact-service.js'
import { withFastBackoff } from './support/fast-backoff.js'
import { tempFolder } from './support/temp.js'

type Files = Record<string, Buffer>

/** Bytes that do not survive text decoding, plus every byte value. */
const BINARY = Buffer.concat([
  Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0xe2, 0x82, 0x0a, 0x0d]),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  createHash('sha512').update('weights').digest()
])

const STATE: Files = {
  'weights.bin': BINARY,
  'notes/log.txt': Buffer.from('iteration 3 loss=0.125\n'),
  'notes/empty file.dat': Buffer.alloc(0)
}

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b])

let service: ArtifactService
let workspace: string
/** The one cache path: a folder in the workspace, given absolute as the action gives it. */
let statePath: string
/** What the client printed: @actions/core writes info, warning and debug lines to stdout. */
let output: string

function useEnv(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value)
}

async function writeState(files: Files): Promise<void> {
  await rm(statePath, { recursive: true, force: true })
  for (const [name, data] of Object.entries(files)) {
    await mkdir(dirname(join(statePath, name)), { recursive: true })
    await writeFile(join(statePath, name), data)
  }
}

/** Every file under the state folder with its bytes; empty when the folder is gone. */
async function readState(): Promise<Files> {
  const entries = await readdir(statePath, { recursive: true, withFileTypes: true }).catch(() => [])
  const files: Files = {}
  for (const entry of entries.filter((e) => e.isFile())) {
    const file = join(entry.parentPath, entry.name)
    files[relative(statePath, file)] = await readFile(file)
  }
  return files
}

function wipeState(): Promise<void> {
  return rm(statePath, { recursive: true, force: true })
}

/** How the client computes `version`: paths as given, compression method and a salt. */
function cacheVersion(paths: string[], compression: 'zstd-without-long' | 'gzip'): string {
  return createHash('sha256')
    .update([...paths, compression, '1.0'].join('|'))
    .digest('hex')
}

function operations(): Operation[] {
  return service.requests().map((r) => r.operation as Operation)
}

async function save(key: string, files: Files = STATE): Promise<number> {
  await writeState(files)
  return saveCache([statePath], key)
}

beforeEach(async () => {
  output = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk)
    return true
  })
  // tar reports on stderr; keep the test output clean.
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
  service = await startArtifactService()
  workspace = tempFolder('cache-workspace-')
  statePath = join(workspace, 'state')
  useEnv({
    ...service.env(),
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: tempFolder('cache-runner-temp-')
  })
})

afterEach(async () => {
  vi.useRealTimers()
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
  await service.close()
})

describe('local cache service with the real client', () => {
  it('saves a folder and restores its exact bytes into the wiped folder', async () => {
    const id = await save('state-1')

    const [entry, ...others] = service.cacheEntries()
    expect(others).toEqual([])
    expect(entry).toMatchObject({
      id,
      key: 'state-1',
      version: cacheVersion([statePath], 'zstd-without-long'),
      size: entry.bytes.length
    })
    expect(entry.createdAt).toBeInstanceOf(Date)
    expect(entry.bytes.subarray(0, 4)).toEqual(ZSTD_MAGIC)
    expect(operations()).toEqual(['CreateCacheEntry', 'PutCacheBlob', 'FinalizeCacheEntryUpload'])
    const finalize = service.requests('FinalizeCacheEntryUpload')[0].body
    expect(finalize).toEqual({
      key: 'state-1',
      size_bytes: String(entry.size),
      version: entry.version
    })

    await wipeState()
    expect(await restoreCache([statePath], 'state-1')).toBe('state-1')

    expect(await readState()).toEqual(STATE)
    expect(operations().slice(3)).toEqual(['GetCacheEntryDownloadURL', 'GetCacheBlob'])
    // An empty restore_keys list is left out of the request, as proto3 JSON does.
    const lookup = service.requests('GetCacheEntryDownloadURL')[0].body
    expect(lookup).toEqual({ key: 'state-1', version: entry.version })
  })

  it('restores the newest entry that a restore key is a prefix of', async () => {
    await save('state-run-1', { 'step.txt': Buffer.from('one') })
    await save('state-run-2', { 'step.txt': Buffer.from('two') })
    await wipeState()

    expect(await restoreCache([statePath], 'state-run-3', ['state-run-'])).toBe('state-run-2')
    expect(await readState()).toEqual({ 'step.txt': Buffer.from('two') })
    expect(service.requests('GetCacheEntryDownloadURL')[0].body).toMatchObject({
      key: 'state-run-3',
      restore_keys: ['state-run-']
    })
  })

  it('prefers an exact match, and earlier keys, over a newer prefix match', async () => {
    await save('state-run-1', { 'step.txt': Buffer.from('one') })
    await save('state-run-10', { 'step.txt': Buffer.from('ten') })

    expect(await restoreCache([statePath], 'state-run-1', ['state-run-'])).toBe('state-run-1')
    expect(await restoreCache([statePath], 'none', ['state-run-1', 'state-'])).toBe('state-run-1')
    // The primary key itself also matches as a prefix, after no exact match.
    expect(await restoreCache([statePath], 'state-run-')).toBe('state-run-10')
    expect(await readState()).toEqual({ 'step.txt': Buffer.from('ten') })
  })

  it('returns undefined for a key nothing matches, without downloading', async () => {
    await save('state-1')

    expect(await restoreCache([statePath], 'other-1', ['other-'])).toBeUndefined()
    expect(service.requests('GetCacheBlob')).toEqual([])
    expect(await readState()).toEqual(STATE)
  })

  it('keeps versions apart: a restore of other paths does not see the entry', async () => {
    await save('state-1')
    const otherPaths = [statePath, join(workspace, 'more')]

    expect(await restoreCache(otherPaths, 'state-1', ['state-'])).toBeUndefined()
    const lookup = service.requests('GetCacheEntryDownloadURL')[0].body
    expect(lookup).toMatchObject({ version: cacheVersion(otherPaths, 'zstd-without-long') })
  })

  it('shares one scope: another run restores what this run saved', async () => {
    await save('state-1')
    await wipeState()
    useEnv(service.env('other-run', 'other-job'))

    expect(await restoreCache([statePath], 'state-1')).toBe('state-1')
    expect(await readState()).toEqual(STATE)
  })

  it('refuses to save an existing key: saveCache logs it and returns -1', async () => {
    const first = await save('state-1')

    const second = await save('state-1', { 'step.txt': Buffer.from('changed') })

    expect(first).toBeGreaterThan(0)
    expect(second).toBe(-1)
    // A plain info line, not a warning; the 409 itself shows only in the debug output.
    expect(output).toContain(
      'Failed to save: Unable to reserve cache with key state-1, ' +
        'another job may be creating this cache.'
    )
    expect(output).not.toContain('::warning::')
    expect(output).toContain(
      '::debug::Failed to reserve cache: Error: Failed to CreateCacheEntry: ' +
        `Received non-retryable error: Failed request: (409) Conflict: ${CACHE_CONFLICT_MESSAGE}`
    )
    expect(operations().slice(3)).toEqual(['CreateCacheEntry'])
    const entries = service.cacheEntries()
    expect(entries.map((e) => e.id)).toEqual([first])

    await wipeState()
    await restoreCache([statePath], 'state-1')
    expect(await readState()).toEqual(STATE)
  })

  it('takes the key again once its entry is evicted', async () => {
    const first = await save('state-1')
    const { version } = service.cacheEntries()[0]

    expect(service.deleteCacheEntry('state-1', version)).toBe(1)
    expect(service.cacheEntries()).toEqual([])
    expect(await restoreCache([statePath], 'state-1')).toBeUndefined()

    const second = await save('state-1')
    expect(second).not.toBe(first)
    expect(service.cacheEntries().map((e) => e.id)).toEqual([second])
  })

  it('retries a 500 from GetCacheEntryDownloadURL, then restores', async () => {
    await save('state-1')
    await wipeState()
    service.failNext('GetCacheEntryDownloadURL', 500)

    const restore = () => restoreCache([statePath], 'state-1')
    expect(await withFastBackoff(service, 'GetCacheEntryDownloadURL', 2, restore)).toBe('state-1')

    expect(service.requests('GetCacheEntryDownloadURL')).toHaveLength(2)
    expect(output).toContain('Attempt 1 of 5 failed with error: Failed request: (500)')
    expect(await readState()).toEqual(STATE)
  })

  it('gives up after five 500s from GetCacheEntryDownloadURL: a warning, not a throw', async () => {
    await save('state-1')
    await wipeState()
    service.failNext('GetCacheEntryDownloadURL', 500, 5)

    const restore = () => restoreCache([statePath], 'state-1')
    expect(await withFastBackoff(service, 'GetCacheEntryDownloadURL', 5, restore)).toBeUndefined()

    expect(service.requests('GetCacheEntryDownloadURL')).toHaveLength(5)
    expect(service.requests('GetCacheBlob')).toEqual([])
    // The Twirp wrapper rethrows a plain Error, so the client warns rather than errors.
    expect(output).toContain(
      '::warning::Failed to restore: Failed to GetCacheEntryDownloadURL: ' +
        'Failed to make request after 5 attempts: Failed request: (500) Internal Server Error: ' +
        'injected failure of GetCacheEntryDownloadURL'
    )
    expect(await readState()).toEqual({})
  })

  it('fails the restore at once on a 500 from the archive download', async () => {
    await save('state-1')
    await wipeState()
    service.failNext('GetCacheBlob', 500)

    expect(await restoreCache([statePath], 'state-1')).toBeUndefined()

    expect(service.requests('GetCacheBlob')).toHaveLength(1)
    expect(output).toContain(
      '::warning::Failed to restore: downloadCache failed: Cache service responded with 500'
    )
    expect(await readState()).toEqual({})
  })

  it('lets the storage SDK retry a failed archive upload', async () => {
    service.failNext('PutCacheBlob', 500)

    const id = await save('state-1')

    expect(service.cacheEntries().map((e) => e.id)).toEqual([id])
    expect(service.requests('PutCacheBlob')).toHaveLength(2)
    await wipeState()
    await restoreCache([statePath], 'state-1')
    expect(await readState()).toEqual(STATE)
  })

  it('falls back to gzip without zstd, under a version of its own', async () => {
    await save('state-1')
    const bin = tempFolder('cache-bin-')
    for (const tool of ['tar', 'gzip']) await symlink(`/usr/bin/${tool}`, join(bin, tool))
    vi.stubEnv('PATH', bin)
    await wipeState()

    expect(await restoreCache([statePath], 'state-1')).toBeUndefined()
    expect(await save('state-1')).toBeGreaterThan(0)

    const [zstd, gzip] = service.cacheEntries()
    expect(zstd.version).toBe(cacheVersion([statePath], 'zstd-without-long'))
    expect(gzip.version).toBe(cacheVersion([statePath], 'gzip'))
    expect(gzip.bytes.subarray(0, 2)).toEqual(GZIP_MAGIC)
    await wipeState()
    expect(await restoreCache([statePath], 'state-1')).toBe('state-1')
    expect(await readState()).toEqual(STATE)
  })

  it('serves ranged reads and HEAD on a download URL, as the storage SDK would ask', async () => {
    await save('state-1')
    const [entry] = service.cacheEntries()
    const url = await downloadUrl('state-1', entry.version)

    const ranged = await fetch(url, { headers: { 'x-ms-range': 'bytes=2-9' } })
    expect(ranged.status).toBe(206)
    expect(ranged.headers.get('content-range')).toBe(`bytes 2-9/${entry.size}`)
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(entry.bytes.subarray(2, 10))

    const head = await fetch(url, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(entry.size))

    const beyond = await fetch(url, { headers: { range: `bytes=${entry.size}-` } })
    expect(beyond.status).toBe(416)
    expect(beyond.headers.get('x-ms-error-code')).toBe('InvalidRange')
  })
})

/** Asks the service for a download URL the way the client does, without the client. */
async function downloadUrl(key: string, version: string): Promise<string> {
  const response = await fetch(
    `${service.url}/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL`,
    {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${service.env().ACTIONS_RUNTIME_TOKEN}`
      },
      body: JSON.stringify({ key, version })
    }
  )
  const body = (await response.json()) as { ok: boolean; signed_download_url: string }
  expect(body.ok).toBe(true)
  return body.signed_download_url
}
