/**
 * Drives the unmodified DefaultArtifactClient from @actions/artifact against the local
 * artifact service in ./support/artifact-service.ts.
 *
 * Environment: the client reads ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL and
 * GITHUB_SERVER_URL on every call (each call builds a fresh Twirp client), so a static import
 * is fine and each test stubs the env with vi.stubEnv. The only variable read once, when the
 * module loads, is ACTIONS_ARTIFACT_MAX_ARTIFACT_COUNT (list paging); a test that needs it
 * must set it before the first import of @actions/artifact, e.g. with a dynamic import.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DefaultArtifactClient } from '@actions/artifact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CONFLICT_MESSAGE, startArtifactService } from './support/artifact-service.js'
import type { ArtifactService, ObservedRequest } from './support/artifact-service.js'
import { readZipEntries } from './support/zip.js'

const ARTIFACT = 'training-log'
const FILE_NAME = 'training.log'

/** Text around bytes that are not valid UTF-8, so any text decoding on the way would show. */
const PAYLOAD = Buffer.concat([
  Buffer.from('step 1 loss=0.25\n'),
  Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0xe2, 0x82, 0x0a]),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('step 2 loss=0.125\n')
])

let service: ArtifactService
let workDir: string
let filePath: string

function useServiceEnv(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value)
}

function upload(name = ARTIFACT) {
  return new DefaultArtifactClient().uploadArtifact(name, [filePath], workDir)
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/**
 * The Twirp client waits 3 s, then 4.5-6.75 s, 6.75-10.1 s and 10.1-15.2 s between its five
 * attempts. Run `start` with a fake setTimeout and fire each back-off timer as soon as the
 * real HTTP exchange before it is over, until `backoffOver` says the last attempt went out;
 * then the real clock takes over for the rest (zip, blob upload), whose timers must be real.
 */
async function withFastBackoff<T>(start: () => Promise<T>, backoffOver: () => boolean) {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  let settled = false
  const pending = start().finally(() => (settled = true))
  try {
    while (!settled && !backoffOver()) {
      await new Promise((resolve) => setImmediate(resolve))
      vi.advanceTimersToNextTimer()
    }
  } finally {
    vi.useRealTimers()
  }
  return pending
}

beforeEach(async () => {
  // @actions/core writes progress and ::debug:: lines straight to stdout.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
  service = await startArtifactService()
  useServiceEnv(service.env())
  workDir = await mkdtemp(join(tmpdir(), 'artifact-service-'))
  filePath = join(workDir, FILE_NAME)
  await writeFile(filePath, PAYLOAD)
})

afterEach(async () => {
  vi.useRealTimers()
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
  await service.close()
  await rm(workDir, { recursive: true, force: true })
})

describe('local artifact service with the real client', () => {
  it('uses a payload that does not survive UTF-8 decoding', () => {
    expect(Buffer.from(PAYLOAD.toString('utf8'), 'utf8').equals(PAYLOAD)).toBe(false)
  })

  it('stores one zip artifact whose entry holds the exact file bytes', async () => {
    const result = await upload()

    const stored = service.artifacts()
    expect(stored).toHaveLength(1)
    const [artifact] = stored
    expect(artifact.name).toBe(ARTIFACT)
    expect(artifact.id).toBe(result.id)
    expect(artifact.runId).toBe(service.runId)
    expect(artifact.jobId).toBe(service.jobId)
    expect(artifact.mimeType).toBe('application/zip')
    expect(artifact.size).toBe(artifact.bytes.length)
    expect(result.size).toBe(artifact.bytes.length)
    expect(result.digest).toBe(sha256Hex(artifact.bytes))
    expect(artifact.digest).toBe(`sha256:${result.digest}`)

    const entries = await readZipEntries(artifact.bytes)
    expect(entries.map((e) => e.name)).toEqual([FILE_NAME])
    expect(entries[0].data.equals(PAYLOAD)).toBe(true)
  })

  it('sees the upload as create, staged block, block list, finalize', async () => {
    await upload()

    const operations = service.requests().map((r) => r.operation)
    expect(operations).toEqual(['CreateArtifact', 'PutBlock', 'PutBlockList', 'FinalizeArtifact'])
    const create = service.requests('CreateArtifact')[0].body as Record<string, unknown>
    expect(create).toMatchObject({
      workflow_run_backend_id: service.runId,
      workflow_job_run_backend_id: service.jobId,
      name: ARTIFACT,
      mime_type: 'application/zip',
      version: 7
    })
    const finalize = service.requests('FinalizeArtifact')[0].body as Record<string, unknown>
    expect(finalize.size).toBe(String(service.artifacts()[0].bytes.length))
  })

  it('lists the uploaded artifact', async () => {
    const result = await upload()

    const { artifacts } = await new DefaultArtifactClient().listArtifacts()
    expect(artifacts).toHaveLength(1)
    expect(artifacts[0]).toMatchObject({
      id: result.id,
      name: ARTIFACT,
      size: result.size,
      digest: `sha256:${result.digest}`
    })
    expect(artifacts[0].createdAt).toBeInstanceOf(Date)
  })

  it('refuses a second upload under the same name with a 409 conflict', async () => {
    const first = await upload()
    await writeFile(filePath, Buffer.from('different content'))

    await expect(upload()).rejects.toThrow(
      `Failed to CreateArtifact: Received non-retryable error: ` +
        `Failed request: (409) Conflict: ${CONFLICT_MESSAGE}`
    )
    expect(service.requests('CreateArtifact')).toHaveLength(2)
    const stored = service.artifacts()
    expect(stored.map((a) => a.id)).toEqual([first.id])
    const entries = await readZipEntries(stored[0].bytes)
    expect(entries[0].data.equals(PAYLOAD)).toBe(true)
  })

  it('accepts the name again once the artifact is deleted', async () => {
    const first = await upload()
    const client = new DefaultArtifactClient()

    const deleted = await client.deleteArtifact(ARTIFACT)
    expect(deleted.id).toBe(first.id)
    expect(service.artifacts()).toEqual([])
    expect((await client.listArtifacts()).artifacts).toEqual([])

    const second = await upload()
    expect(second.id).not.toBe(first.id)
    expect(service.artifacts().map((a) => [a.id, a.name])).toEqual([[second.id, ARTIFACT]])
  })

  it('keeps runs apart: other runs neither see nor conflict with the artifact', async () => {
    await upload()
    useServiceEnv(service.env('other-run', 'other-job'))

    expect((await new DefaultArtifactClient().listArtifacts()).artifacts).toEqual([])
    await upload()
    expect(service.artifacts().map((a) => a.runId)).toEqual([service.runId, 'other-run'])
  })

  it('fails the upload once all five CreateArtifact attempts get a 500', async () => {
    service.failNext('CreateArtifact', 500, 5)
    const attempts = () => service.requests('CreateArtifact').length

    const failed = withFastBackoff(upload, () => attempts() >= 5)
    await expect(failed).rejects.toThrow(
      /^Failed to CreateArtifact: Failed to make request after 5 attempts: .*\(500\)/
    )
    expect(attempts()).toBe(5)
    expect(service.requests().every((r) => r.operation === 'CreateArtifact')).toBe(true)
    expect(service.artifacts()).toEqual([])
  })

  it('succeeds when only the first four CreateArtifact attempts get a 500', async () => {
    service.failNext('CreateArtifact', 500, 4)
    const attempts = () => service.requests('CreateArtifact').length

    const result = await withFastBackoff(upload, () => attempts() >= 5)
    expect(attempts()).toBe(5)
    expect(service.artifacts().map((a) => a.id)).toEqual([result.id])
  })

  it('lets the storage SDK retry a failed block upload', async () => {
    service.failNext('PutBlock', 500)

    await upload()
    expect(service.requests('PutBlock')).toHaveLength(2)
    const entries = await readZipEntries(service.artifacts()[0].bytes)
    expect(entries[0].data.equals(PAYLOAD)).toBe(true)
  })

  it('rejects a runtime token it did not issue, without retrying', async () => {
    const [header, payload] = service.env().ACTIONS_RUNTIME_TOKEN.split('.')
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', `${header}.${payload}.forged`)

    await expect(upload()).rejects.toThrow(/non-retryable error: Failed request: \(401\)/)
    expect(service.requests()).toHaveLength(1)
    expect(service.artifacts()).toEqual([])
  })

  it('downloads the artifact through a signed URL', async () => {
    const result = await upload()
    const target = join(workDir, 'download')

    const client = new DefaultArtifactClient()
    const download = await client.downloadArtifact(result.id!, {
      path: target,
      expectedHash: `sha256:${result.digest}`
    })

    expect(download).toEqual({ downloadPath: target, digestMismatch: false })
    expect(await readdir(target)).toEqual([FILE_NAME])
    expect((await readFile(join(target, FILE_NAME))).equals(PAYLOAD)).toBe(true)
    const tail = service
      .requests()
      .slice(-3)
      .map((r) => r.operation)
    expect(tail).toEqual(['ListArtifacts', 'GetSignedArtifactURL', 'GetBlob'])
  })

  it('passes each request to the hook and waits for it', async () => {
    const seen: ObservedRequest['operation'][] = []
    service.onRequest = async (request) => {
      seen.push(request.operation)
      if (request.operation === 'FinalizeArtifact') {
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }

    const started = Date.now()
    await upload()
    expect(Date.now() - started).toBeGreaterThanOrEqual(200)
    expect(seen).toEqual(['CreateArtifact', 'PutBlock', 'PutBlockList', 'FinalizeArtifact'])
  })
})
