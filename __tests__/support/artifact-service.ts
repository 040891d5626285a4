/**
 * A local stand-in for GitHub's artifact service, good enough for the unmodified
 * `@actions/artifact` client (DefaultArtifactClient) to upload, list, download and delete
 * artifacts against it.
 *
 * It speaks the two protocols the client uses:
 *
 * - Twirp JSON: `POST /twirp/github.actions.results.api.v1.ArtifactService/<Method>` with a
 *   bearer runtime token. Requests use the proto (snake_case) field names; int64 values travel
 *   as decimal strings, wrapper types (StringValue, Int64Value) as bare values and timestamps
 *   as RFC 3339 strings. Errors are Twirp error bodies `{ "code", "msg" }`.
 * - Azure block blobs, reached through the signed URLs that CreateArtifact and
 *   GetSignedArtifactURL hand out: Put Block (`?comp=block&blockid=`), Put Block List
 *   (`?comp=blocklist`, XML body), single-shot Put Blob, and a plain GET to download.
 *
 * The same server also answers the cache service (./cache-service.ts), because the cache
 * client finds its service through ACTIONS_RESULTS_URL as well; the runtime token, the request
 * log and fault injection are shared.
 *
 * Everything lives in memory and the server listens on 127.0.0.1 only.
 */
import { createHash, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import {
  CACHE_BLOB_PREFIX,
  CACHE_TWIRP_PREFIX,
  type CacheOperation,
  CacheStore,
  type StoredCacheEntry,
  cacheOperation,
  isCacheTwirpMethod
} from './cache-service.js'
import {
  BlobError,
  type JsonObject,
  type SignedBlob,
  TwirpError,
  answerBlob,
  blobVerb,
  commitBlockList,
  commitWholeBlob,
  errorMessage,
  faultCode,
  int64,
  newSignature,
  newSignedBlob,
  optionalDate,
  optionalString,
  parseJson,
  parseQuery,
  readBody,
  requireObject,
  requireString,
  sendBlobError,
  sendCreated,
  sendJson,
  sendTwirpError,
  signedBlobUrl,
  stageBlock
} from './results-wire.js'

export { CACHE_CONFLICT_MESSAGE } from './cache-service.js'
export type { CacheOperation, StoredCacheEntry } from './cache-service.js'

const SERVICE_NAME = 'github.actions.results.api.v1.ArtifactService'
const TWIRP_PREFIX = `/twirp/${SERVICE_NAME}/`
// Any Twirp service; fault responses there must be Twirp errors whichever service it is.
const ANY_TWIRP_PREFIX = '/twirp/'

// The Azure SDK splits an IP-host blob URL as /<account>/<container>/<blob>, so the signed
// URLs need an account segment in front of the container or BlobClient rejects them.
const BLOB_ACCOUNT = 'devstoreaccount1'
const BLOB_CONTAINER = 'actions-results'
const BLOB_PREFIX = `/${BLOB_ACCOUNT}/${BLOB_CONTAINER}/`

/** Message the real service gives when a live artifact of that name exists in the run. */
export const CONFLICT_MESSAGE = 'an artifact with this name already exists on the workflow run'

export const TWIRP_METHODS = [
  'CreateArtifact',
  'FinalizeArtifact',
  'ListArtifacts',
  'GetSignedArtifactURL',
  'DeleteArtifact'
] as const
export type TwirpMethod = (typeof TWIRP_METHODS)[number]
export type BlobOperation = 'PutBlock' | 'PutBlockList' | 'PutBlob' | 'GetBlob'
export type Operation = TwirpMethod | BlobOperation | CacheOperation

/** What the request hook and the request log see of each request. */
export interface ObservedRequest {
  /** The Twirp method or blob operation; 'Unknown' for anything the service does not route. */
  operation: Operation | 'Unknown'
  httpMethod: string
  /** The URL path without its query, so signatures stay out of the log. */
  path: string
  /** The parsed JSON body of a Twirp call. */
  body?: unknown
  bodyBytes: number
}

/**
 * Called with each request before the service handles it; the service waits for a returned
 * promise, so a hook can delay a request. If the hook throws, the request is answered 500,
 * so the failure shows up in the client call under test rather than vanishing.
 */
export type RequestHook = (request: ObservedRequest) => void | Promise<void>

export interface ArtifactServiceOptions {
  onRequest?: RequestHook
}

/** A finalized, not deleted artifact as the service holds it. */
export interface StoredArtifact {
  id: number
  name: string
  /** The size the client reported at finalize, which the service checked against the blob. */
  size: number
  runId: string
  jobId: string
  mimeType: string | undefined
  /** `sha256:<hex>` as the client sent it at finalize, if it did. */
  digest: string | undefined
  createdAt: Date
  expiresAt: Date | undefined
  /** The stored blob: the zip archive, or the raw file of a skipArchive upload. */
  bytes: Buffer
}

export interface ArtifactService {
  /** Base URL of the service, e.g. `http://127.0.0.1:40123`. */
  readonly url: string
  /** Workflow run and job ids that `env()` uses when given none. */
  readonly runId: string
  readonly jobId: string
  /**
   * Environment for the artifact and cache clients: a runtime token scoped to the run and
   * job, the results URL, GITHUB_SERVER_URL pinned to github.com because both clients refuse
   * GHES, and ACTIONS_CACHE_SERVICE_V2, without which the cache client speaks the legacy
   * protocol. The cache client also needs RUNNER_TEMP (else it writes under /home/actions)
   * and reads paths against GITHUB_WORKSPACE; those belong to the caller.
   */
  env(runId?: string, jobId?: string): Record<string, string>
  /** Live artifacts of every run, oldest first. */
  artifacts(): StoredArtifact[]
  /** Finalized cache entries, oldest first. All tokens share one cache scope. */
  cacheEntries(): StoredCacheEntry[]
  /**
   * Drops the cache entries of `key` (only the one of `version`, if given) as eviction would,
   * an unfinished upload included. Returns how many went.
   */
  deleteCacheEntry(key: string, version?: string): number
  /** Requests seen so far, optionally only those of one operation. */
  requests(operation?: Operation): ObservedRequest[]
  /**
   * Answer the next `times` requests of `operation` with `status` before doing anything else.
   * Twirp calls get a JSON error body, blob calls an XML one. Calls queue up in order.
   *
   * How the clients retry: both Twirp clients make 5 attempts on 500, 502, 503 and 504 (the
   * artifact client on 429 too), waiting 3 s, then about 1.5 times longer each time; other
   * statuses fail at once. The storage SDK, which uploads every blob, tries 4 times on 500 and
   * 503, after 0 s, 4 s and 12 s. The cache download (GetCacheBlob) makes 2 attempts, 5 s
   * apart, on 502, 503 and 504 only, and saves the body of any status below 500 as the
   * archive, so a 4xx there surfaces as a failing tar. Status 0 drops the connection unanswered.
   */
  failNext(operation: Operation, status: number, times?: number, message?: string): void
  /** Forgets faults not used up yet, so they cannot leak into the next test. */
  clearFaults(): void
  /** The request hook; may be replaced or cleared at any time. */
  onRequest: RequestHook | undefined
  close(): Promise<void>
}

/** Starts the service on a free port of 127.0.0.1. */
export async function startArtifactService(
  options: ArtifactServiceOptions = {}
): Promise<ArtifactService> {
  const state = new ServiceState(options.onRequest)
  const server = createServer((req, res) => {
    state.handle(req, res).catch((error: unknown) => sendPlainError(res, error))
  })
  const port = await listen(server)
  state.origin = `http://127.0.0.1:${port}`
  return {
    url: state.origin,
    runId: state.defaultRunId,
    jobId: state.defaultJobId,
    env: (runId, jobId) => state.env(runId, jobId),
    artifacts: () => state.liveArtifacts(),
    cacheEntries: () => state.cache.entries(),
    deleteCacheEntry: (key, version) => state.cache.delete(key, version),
    requests: (operation) => state.log.filter((r) => !operation || r.operation === operation),
    failNext: (operation, status, times = 1, message) =>
      state.addFaults(operation, status, times, message),
    clearFaults: () => state.clearFaults(),
    get onRequest() {
      return state.hook
    },
    set onRequest(hook: RequestHook | undefined) {
      state.hook = hook
    },
    close: () => closeServer(server)
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

function closeServer(server: Server): Promise<void> {
  // The Azure SDK keeps connections alive; drop them or close() waits for their timeout.
  server.closeAllConnections()
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()))
  })
}

/** Last resort for a bug in the stand-in itself: answer rather than leave the client hanging. */
function sendPlainError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const msg = `artifact stand-in failed: ${errorMessage(error)}`
  sendJson(res, 500, { code: 'internal', msg })
}

// ---------------------------------------------------------------------------------------------
// State and dispatch

interface TokenScope {
  runId: string
  jobId: string
}

interface Fault {
  status: number
  message: string
}

type ArtifactState = 'pending' | 'live' | 'deleted'

/** The blob lies under BLOB_PREFIX; GetSignedArtifactURL hands out its read signatures. */
interface ArtifactRecord extends SignedBlob {
  id: number
  runId: string
  jobId: string
  name: string
  state: ArtifactState
  mimeType: string | undefined
  expiresAt: Date | undefined
  digest: string | undefined
}

type TwirpHandler = (body: JsonObject, scope: TokenScope) => JsonObject

class ServiceState {
  origin = ''
  readonly defaultRunId: string = randomUUID()
  readonly defaultJobId: string = randomUUID()
  readonly log: ObservedRequest[] = []
  private readonly tokens = new Map<string, TokenScope>()
  private readonly faults = new Map<Operation, Fault[]>()
  private readonly records: ArtifactRecord[] = []
  private nextId = 1
  readonly cache = new CacheStore(() => this.origin)

  private readonly twirpHandlers: Record<TwirpMethod, TwirpHandler> = {
    CreateArtifact: (body, scope) => this.createArtifact(body, scope),
    FinalizeArtifact: (body, scope) => this.finalizeArtifact(body, scope),
    ListArtifacts: (body, scope) => this.listArtifacts(body, scope),
    GetSignedArtifactURL: (body, scope) => this.getSignedArtifactUrl(body, scope),
    DeleteArtifact: (body, scope) => this.deleteArtifact(body, scope)
  }

  constructor(public hook: RequestHook | undefined) {}

  env(runId = this.defaultRunId, jobId = this.defaultJobId): Record<string, string> {
    return {
      ACTIONS_RUNTIME_TOKEN: this.issueToken(runId, jobId),
      ACTIONS_RESULTS_URL: `${this.origin}/`,
      GITHUB_SERVER_URL: 'https://github.com',
      ACTIONS_CACHE_SERVICE_V2: 'true'
    }
  }

  liveArtifacts(): StoredArtifact[] {
    return this.records.filter((r) => r.state === 'live').map(toStoredArtifact)
  }

  addFaults(operation: Operation, status: number, times: number, message?: string): void {
    // Status 0 stands for a connection dropped without any answer (a reset).
    if (!Number.isInteger(status) || (status !== 0 && (status < 400 || status > 599))) {
      throw new RangeError(`failNext needs an error status (400-599) or 0, got ${status}`)
    }
    const queue = this.faults.get(operation) ?? []
    const text = message ?? `injected failure of ${operation}`
    for (let i = 0; i < times; i++) queue.push({ status, message: text })
    this.faults.set(operation, queue)
  }

  clearFaults(): void {
    this.faults.clear()
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin)
    const raw = await readBody(req)
    const observed = observe(req.method ?? 'GET', url, raw)
    this.log.push(observed)
    const isTwirp = url.pathname.startsWith(ANY_TWIRP_PREFIX)
    const fail = isTwirp ? sendTwirpError : sendBlobError
    try {
      await this.hook?.(observed)
    } catch (error) {
      fail(res, 500, 'internal', `request hook threw: ${errorMessage(error)}`)
      return
    }
    const fault = this.takeFault(observed.operation)
    if (fault?.status === 0) {
      req.socket.destroy()
    } else if (fault) {
      fail(res, fault.status, faultCode(fault.status, isTwirp), fault.message)
    } else if (isTwirp) {
      this.handleTwirp(req, url, observed, res)
    } else if (url.pathname.startsWith(BLOB_PREFIX)) {
      this.handleBlob(req, url, observed.operation, raw, res)
    } else if (url.pathname.startsWith(CACHE_BLOB_PREFIX)) {
      answerBlob(res, () => this.cache.handleBlob(req, url, raw, res))
    } else {
      sendJson(res, 404, { code: 'bad_route', msg: `no route for ${url.pathname}` })
    }
  }

  private takeFault(operation: ObservedRequest['operation']): Fault | undefined {
    return operation === 'Unknown' ? undefined : this.faults.get(operation)?.shift()
  }

  // -------------------------------------------------------------------------------------------
  // Twirp

  private handleTwirp(
    req: IncomingMessage,
    url: URL,
    observed: ObservedRequest,
    res: ServerResponse
  ): void {
    try {
      const handler = this.twirpRoute(req, url)
      const scope = this.authenticate(req)
      const body = requireObject(observed.body)
      sendJson(res, 200, handler(body, scope))
    } catch (error) {
      if (!(error instanceof TwirpError)) throw error
      sendTwirpError(res, error.status, error.code, error.message)
    }
  }

  /** Twirp routes only JSON POSTs to known methods; anything else is `bad_route` (404). */
  private twirpRoute(req: IncomingMessage, url: URL): TwirpHandler {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim()
    const method = url.pathname.slice(url.pathname.lastIndexOf('/') + 1)
    if (req.method === 'POST' && contentType === 'application/json') {
      if (url.pathname === `${TWIRP_PREFIX}${method}` && isTwirpMethod(method)) {
        return this.twirpHandlers[method]
      }
      if (url.pathname === `${CACHE_TWIRP_PREFIX}${method}` && isCacheTwirpMethod(method)) {
        // The cache is one scope for every token, so only the token's validity matters.
        return (body) => this.cache.call(method, body)
      }
    }
    throw new TwirpError(404, 'bad_route', `no handler for ${req.method} ${url.pathname}`)
  }

  /** Tokens are unsigned, so the service accepts only the exact ones it issued. */
  private authenticate(req: IncomingMessage): TokenScope {
    const header = req.headers.authorization ?? ''
    const match = /^Bearer (\S+)$/.exec(header)
    const scope = match ? this.tokens.get(match[1]) : undefined
    if (!scope) throw new TwirpError(401, 'unauthenticated', 'invalid or missing runtime token')
    return scope
  }

  private issueToken(runId: string, jobId: string): string {
    if (/[\s:]/.test(runId + jobId)) {
      throw new Error('run and job ids cannot hold spaces or colons')
    }
    const header = { alg: 'none', typ: 'JWT' }
    const now = Math.floor(Date.now() / 1000)
    // Another scope before Actions.Results, as in real tokens, so the client has to pick.
    const scp = `Actions.GenericRead:${runId} Actions.Results:${runId}:${jobId}`
    const payload = { scp, iat: now, exp: now + 3600 }
    const token = `${base64Url(header)}.${base64Url(payload)}.`
    this.tokens.set(token, { runId, jobId })
    return token
  }

  private createArtifact(body: JsonObject, scope: TokenScope): JsonObject {
    const { runId, jobId } = requireIds(body, scope)
    const name = requireString(body, 'name')
    if (this.find(runId, name, 'live')) {
      throw new TwirpError(409, 'already_exists', CONFLICT_MESSAGE)
    }
    // An upload that never finalized does not block a retry: the new one replaces it.
    const stale = this.find(runId, name, 'pending')
    if (stale) stale.state = 'deleted'
    const record = this.newRecord(runId, jobId, name, body)
    this.records.push(record)
    return { ok: true, signed_upload_url: this.blobUrl(record, record.uploadSig) }
  }

  private newRecord(runId: string, jobId: string, name: string, body: JsonObject): ArtifactRecord {
    const id = this.nextId++
    return {
      ...newSignedBlob('artifact', id),
      id,
      runId,
      jobId,
      name,
      state: 'pending',
      mimeType: optionalString(body, 'mime_type'),
      expiresAt: optionalDate(body, 'expires_at'),
      digest: undefined
    }
  }

  private finalizeArtifact(body: JsonObject, scope: TokenScope): JsonObject {
    const { runId } = requireIds(body, scope)
    const record = this.find(runId, requireString(body, 'name'), 'pending')
    if (!record) throw new TwirpError(404, 'not_found', 'no pending artifact with that name')
    const blob = record.committed
    if (!blob) {
      throw new TwirpError(412, 'failed_precondition', 'artifact blob was never committed')
    }
    const size = int64(body.size ?? '0', 'size')
    if (size !== blob.length) {
      throw new TwirpError(400, 'invalid_argument', `size ${size} != stored ${blob.length} bytes`)
    }
    const digest = optionalString(body, 'hash')
    if (digest !== undefined && digest !== sha256Digest(blob)) {
      throw new TwirpError(400, 'invalid_argument', `hash ${digest} does not match the blob`)
    }
    Object.assign(record, { state: 'live', size, digest, createdAt: new Date() })
    return { ok: true, artifact_id: String(record.id) }
  }

  private listArtifacts(body: JsonObject, scope: TokenScope): JsonObject {
    const { runId } = requireIds(body, scope)
    const nameFilter = optionalString(body, 'name_filter')
    const idFilter = body.id_filter === undefined ? undefined : int64(body.id_filter, 'id_filter')
    const matches = this.records.filter(
      (r) =>
        r.state === 'live' &&
        r.runId === runId &&
        (nameFilter === undefined || r.name === nameFilter) &&
        (idFilter === undefined || r.id === idFilter)
    )
    return { artifacts: matches.map(toMonolithArtifact) }
  }

  private getSignedArtifactUrl(body: JsonObject, scope: TokenScope): JsonObject {
    const record = this.requireLive(body, scope)
    const sig = newSignature()
    record.readSigs.add(sig)
    return { signed_url: this.blobUrl(record, sig) }
  }

  private deleteArtifact(body: JsonObject, scope: TokenScope): JsonObject {
    const record = this.requireLive(body, scope)
    record.state = 'deleted'
    return { ok: true, artifact_id: String(record.id) }
  }

  private requireLive(body: JsonObject, scope: TokenScope): ArtifactRecord {
    const { runId } = requireIds(body, scope)
    const record = this.find(runId, requireString(body, 'name'), 'live')
    if (!record) throw new TwirpError(404, 'not_found', 'artifact not found')
    return record
  }

  /** Artifact names are unique per workflow run (not per job), as on GitHub. */
  private find(runId: string, name: string, state: ArtifactState): ArtifactRecord | undefined {
    return this.records.find((r) => r.runId === runId && r.name === name && r.state === state)
  }

  private blobUrl(record: ArtifactRecord, sig: string): string {
    return signedBlobUrl(this.origin, `${BLOB_PREFIX}${record.blobName}`, sig)
  }

  // -------------------------------------------------------------------------------------------
  // Blob storage

  private handleBlob(
    req: IncomingMessage,
    url: URL,
    operation: ObservedRequest['operation'],
    raw: Buffer,
    res: ServerResponse
  ): void {
    answerBlob(res, () => {
      if (operation === 'Unknown') {
        throw new BlobError(400, 'UnsupportedHttpVerb', `${req.method} ${url.search}`)
      }
      const query = parseQuery(url.search)
      const record = this.blobRecord(url.pathname)
      if (operation === 'GetBlob') {
        sendBlob(res, this.readableBlob(record, query.get('sig')), record)
        return
      }
      this.requireWritable(record, query.get('sig'))
      if (operation === 'PutBlock') stageBlock(record, query.get('blockid'), raw)
      else if (operation === 'PutBlockList') commitBlockList(record, raw, req)
      else commitWholeBlob(record, raw, req)
      sendCreated(res, record.id)
    })
  }

  private blobRecord(pathname: string): ArtifactRecord {
    const blobName = pathname.slice(BLOB_PREFIX.length)
    const record = this.records.find((r) => r.blobName === blobName && r.state !== 'deleted')
    if (!record) throw new BlobError(404, 'BlobNotFound', 'The specified blob does not exist.')
    return record
  }

  private readableBlob(record: ArtifactRecord, sig: string | undefined): Buffer {
    if (record.state !== 'live' || !sig || !record.readSigs.has(sig)) {
      throw new BlobError(403, 'AuthenticationFailed', 'signature does not allow reading')
    }
    return record.committed ?? Buffer.alloc(0)
  }

  /** Upload URLs are good only until the artifact is finalized. */
  private requireWritable(record: ArtifactRecord, sig: string | undefined): void {
    if (record.state !== 'pending' || sig !== record.uploadSig) {
      throw new BlobError(403, 'AuthenticationFailed', 'signature does not allow writing')
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Request classification

function observe(httpMethod: string, url: URL, raw: Buffer): ObservedRequest {
  const path = url.pathname
  const bodyBytes = raw.length
  const observed: ObservedRequest = { operation: 'Unknown', httpMethod, path, bodyBytes }
  if (path.startsWith(ANY_TWIRP_PREFIX)) observed.body = parseJson(raw)
  if (path.startsWith(TWIRP_PREFIX)) {
    const method = path.slice(TWIRP_PREFIX.length)
    if (isTwirpMethod(method)) observed.operation = method
  } else if (path.startsWith(BLOB_PREFIX)) {
    observed.operation = blobOperation(httpMethod, parseQuery(url.search).get('comp'))
  } else {
    observed.operation = cacheOperation(httpMethod, url) ?? 'Unknown'
  }
  return observed
}

/** Artifact blobs are written and read whole; HEAD is not something the client sends. */
function blobOperation(httpMethod: string, comp: string | undefined): Operation | 'Unknown' {
  const verb = blobVerb(httpMethod, comp)
  return verb === undefined || verb === 'GetBlobProperties' ? 'Unknown' : verb
}

function isTwirpMethod(name: string): name is TwirpMethod {
  return (TWIRP_METHODS as readonly string[]).includes(name)
}

// ---------------------------------------------------------------------------------------------
// Artifact fields

/**
 * The token decides the run. The job id in the body may be another job's: deleting or
 * downloading an artifact sends the ids of the job that uploaded it.
 */
function requireIds(body: JsonObject, scope: TokenScope): TokenScope {
  const runId = requireString(body, 'workflow_run_backend_id')
  const jobId = requireString(body, 'workflow_job_run_backend_id')
  if (runId !== scope.runId) {
    throw new TwirpError(403, 'permission_denied', 'token is not scoped to that workflow run')
  }
  return { runId, jobId }
}

function toMonolithArtifact(record: ArtifactRecord): JsonObject {
  return {
    workflow_run_backend_id: record.runId,
    workflow_job_run_backend_id: record.jobId,
    database_id: String(record.id),
    name: record.name,
    size: String(record.size),
    created_at: record.createdAt.toISOString(),
    ...(record.digest === undefined ? {} : { digest: record.digest })
  }
}

function toStoredArtifact(record: ArtifactRecord): StoredArtifact {
  return {
    id: record.id,
    name: record.name,
    size: record.size,
    runId: record.runId,
    jobId: record.jobId,
    mimeType: record.mimeType,
    digest: record.digest,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    bytes: Buffer.from(record.committed ?? Buffer.alloc(0))
  }
}

// ---------------------------------------------------------------------------------------------
// Artifact blobs

/**
 * The client unzips only when the content type says zip (or the path ends in .zip), and
 * otherwise names the saved file from Content-Disposition.
 */
function sendBlob(res: ServerResponse, data: Buffer, record: ArtifactRecord): void {
  const contentType = record.contentType ?? record.mimeType ?? 'application/octet-stream'
  const isZip = contentType === 'application/zip'
  const fileName = isZip && !record.name.endsWith('.zip') ? `${record.name}.zip` : record.name
  res.writeHead(200, {
    'Content-Type': contentType,
    'Content-Length': String(data.length),
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    'x-ms-blob-type': 'BlockBlob',
    'x-ms-request-id': randomUUID()
  })
  res.end(data)
}

// ---------------------------------------------------------------------------------------------
// Small utilities

function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

function base64Url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}
