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
 * Everything lives in memory and the server listens on 127.0.0.1 only.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

const SERVICE_NAME = 'github.actions.results.api.v1.ArtifactService'
const TWIRP_PREFIX = `/twirp/${SERVICE_NAME}/`

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
export type Operation = TwirpMethod | BlobOperation

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
   * Environment for the artifact client: a runtime token scoped to the run and job, the
   * results URL, and GITHUB_SERVER_URL pinned to github.com because the client refuses GHES.
   */
  env(runId?: string, jobId?: string): Record<string, string>
  /** Live artifacts of every run, oldest first. */
  artifacts(): StoredArtifact[]
  /** Requests seen so far, optionally only those of one operation. */
  requests(operation?: Operation): ObservedRequest[]
  /**
   * Answer the next `times` requests of `operation` with `status` before doing anything else.
   * Twirp calls get a JSON error body, blob calls an XML one. Calls queue up in order.
   */
  failNext(operation: Operation, status: number, times?: number, message?: string): void
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
    requests: (operation) => state.log.filter((r) => !operation || r.operation === operation),
    failNext: (operation, status, times = 1, message) =>
      state.addFaults(operation, status, times, message),
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

interface ArtifactRecord {
  id: number
  runId: string
  jobId: string
  name: string
  state: ArtifactState
  mimeType: string | undefined
  expiresAt: Date | undefined
  /** Path segment of the blob under BLOB_PREFIX. */
  blobName: string
  /** SAS-like signature that allows writing the blob while the artifact is pending. */
  uploadSig: string
  /** Signatures handed out by GetSignedArtifactURL; each allows reading the blob. */
  readSigs: Set<string>
  /** Blocks staged by Put Block and not yet committed. */
  stagedBlocks: Map<string, Buffer>
  committed: Buffer | undefined
  contentType: string | undefined
  size: number
  digest: string | undefined
  createdAt: Date
}

/** An error the Twirp dispatcher turns into a Twirp error response. */
class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

/** An error the blob dispatcher turns into an Azure Storage XML error response. */
class BlobError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

type JsonObject = Record<string, unknown>
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
      GITHUB_SERVER_URL: 'https://github.com'
    }
  }

  liveArtifacts(): StoredArtifact[] {
    return this.records.filter((r) => r.state === 'live').map(toStoredArtifact)
  }

  addFaults(operation: Operation, status: number, times: number, message?: string): void {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`failNext needs an error status (400-599), got ${status}`)
    }
    const queue = this.faults.get(operation) ?? []
    const text = message ?? `injected failure of ${operation}`
    for (let i = 0; i < times; i++) queue.push({ status, message: text })
    this.faults.set(operation, queue)
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin)
    const raw = await readBody(req)
    const observed = observe(req.method ?? 'GET', url, raw)
    this.log.push(observed)
    const isTwirp = url.pathname.startsWith(TWIRP_PREFIX)
    const fail = isTwirp ? sendTwirpError : sendBlobError
    try {
      await this.hook?.(observed)
    } catch (error) {
      fail(res, 500, 'internal', `request hook threw: ${errorMessage(error)}`)
      return
    }
    const fault = this.takeFault(observed.operation)
    if (fault) {
      fail(res, fault.status, faultCode(fault.status, isTwirp), fault.message)
    } else if (isTwirp) {
      this.handleTwirp(req, url, observed, res)
    } else if (url.pathname.startsWith(BLOB_PREFIX)) {
      this.handleBlob(req, url, observed.operation, raw, res)
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
      const method = twirpMethod(req, url)
      const scope = this.authenticate(req)
      const body = requireObject(observed.body)
      sendJson(res, 200, this.twirpHandlers[method](body, scope))
    } catch (error) {
      if (!(error instanceof TwirpError)) throw error
      sendTwirpError(res, error.status, error.code, error.message)
    }
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
      id,
      runId,
      jobId,
      name,
      state: 'pending',
      mimeType: optionalString(body, 'mime_type'),
      expiresAt: optionalDate(body, 'expires_at'),
      blobName: `artifact-${id}-${randomBytes(4).toString('hex')}`,
      uploadSig: newSignature(),
      readSigs: new Set(),
      stagedBlocks: new Map(),
      committed: undefined,
      contentType: undefined,
      size: 0,
      digest: undefined,
      createdAt: new Date()
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
    const expiry = new Date(Date.now() + 3600_000).toISOString()
    const query = `sv=2023-11-03&se=${encodeURIComponent(expiry)}&sig=${encodeURIComponent(sig)}`
    return `${this.origin}${BLOB_PREFIX}${record.blobName}?${query}`
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
    try {
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
      sendCreated(res, record)
    } catch (error) {
      if (!(error instanceof BlobError)) throw error
      sendBlobError(res, error.status, error.code, error.message)
    }
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
  if (path.startsWith(TWIRP_PREFIX)) {
    const method = path.slice(TWIRP_PREFIX.length)
    if (isTwirpMethod(method)) observed.operation = method
    observed.body = parseJson(raw)
  } else if (path.startsWith(BLOB_PREFIX)) {
    observed.operation = blobOperation(httpMethod, parseQuery(url.search).get('comp'))
  }
  return observed
}

function blobOperation(httpMethod: string, comp: string | undefined): Operation | 'Unknown' {
  if (httpMethod === 'GET' && comp === undefined) return 'GetBlob'
  if (httpMethod !== 'PUT') return 'Unknown'
  if (comp === 'block') return 'PutBlock'
  if (comp === 'blocklist') return 'PutBlockList'
  return comp === undefined ? 'PutBlob' : 'Unknown'
}

function isTwirpMethod(name: string): name is TwirpMethod {
  return (TWIRP_METHODS as readonly string[]).includes(name)
}

/** Twirp routes only JSON POSTs to known methods; anything else is `bad_route` (404). */
function twirpMethod(req: IncomingMessage, url: URL): TwirpMethod {
  const method = url.pathname.slice(TWIRP_PREFIX.length)
  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim()
  if (req.method !== 'POST' || !isTwirpMethod(method) || contentType !== 'application/json') {
    throw new TwirpError(404, 'bad_route', `no handler for ${req.method} ${url.pathname}`)
  }
  return method
}

/**
 * Block ids are base64 and may hold '+'. URLSearchParams would turn a '+' into a space, so
 * decode with decodeURIComponent, which leaves it alone, to match the ids in the XML list.
 */
function parseQuery(search: string): Map<string, string> {
  const query = new Map<string, string>()
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (!pair) continue
    const at = pair.indexOf('=')
    const key = at < 0 ? pair : pair.slice(0, at)
    query.set(decodeURIComponent(key), at < 0 ? '' : decodeURIComponent(pair.slice(at + 1)))
  }
  return query
}

// ---------------------------------------------------------------------------------------------
// Twirp field helpers

function requireObject(body: unknown): JsonObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TwirpError(400, 'malformed', 'request body is not a JSON object')
  }
  return body as JsonObject
}

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

function requireString(body: JsonObject, field: string): string {
  const value = optionalString(body, field)
  if (!value) throw new TwirpError(400, 'invalid_argument', `${field} is required`)
  return value
}

/** Wrapper types such as StringValue arrive as bare JSON strings. */
function optionalString(body: JsonObject, field: string): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') {
    throw new TwirpError(400, 'invalid_argument', `${field} must be a string`)
  }
  return value
}

function optionalDate(body: JsonObject, field: string): Date | undefined {
  const value = optionalString(body, field)
  if (value === undefined) return undefined
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) {
    throw new TwirpError(400, 'invalid_argument', `${field} is not a timestamp`)
  }
  return date
}

/** Proto3 JSON writes int64 as a decimal string; accept a plain number too. */
function int64(value: unknown, field: string): number {
  const text = typeof value === 'number' ? String(value) : value
  if (typeof text !== 'string' || !/^\d+$/.test(text)) {
    throw new TwirpError(400, 'invalid_argument', `${field} is not an int64`)
  }
  return Number(text)
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
// Blob helpers

function stageBlock(record: ArtifactRecord, blockId: string | undefined, data: Buffer): void {
  if (!blockId) throw new BlobError(400, 'MissingRequiredQueryParameter', 'blockid is required')
  record.stagedBlocks.set(blockId, data)
}

/** Assembles the blob from staged blocks in the order the XML block list names them. */
function commitBlockList(record: ArtifactRecord, xml: Buffer, req: IncomingMessage): void {
  const parts: Buffer[] = []
  const pattern = /<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g
  for (const [, , blockId] of xml.toString('utf8').matchAll(pattern)) {
    const block = record.stagedBlocks.get(blockId)
    if (!block) throw new BlobError(400, 'InvalidBlockList', `unknown block ${blockId}`)
    parts.push(block)
  }
  record.committed = Buffer.concat(parts)
  record.contentType = headerValue(req, 'x-ms-blob-content-type')
  record.stagedBlocks.clear()
}

function commitWholeBlob(record: ArtifactRecord, data: Buffer, req: IncomingMessage): void {
  if (headerValue(req, 'x-ms-blob-type') !== 'BlockBlob') {
    throw new BlobError(400, 'InvalidHeaderValue', 'only block blobs are supported')
  }
  record.committed = data
  record.contentType =
    headerValue(req, 'x-ms-blob-content-type') ?? headerValue(req, 'content-type')
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Azure answers Put Block, Put Block List and Put Blob with 201 Created; the SDK insists. */
function sendCreated(res: ServerResponse, record: ArtifactRecord): void {
  res.writeHead(201, {
    ETag: `"0x${record.id.toString(16).toUpperCase()}"`,
    'Last-Modified': new Date().toUTCString(),
    'x-ms-request-id': randomUUID(),
    'x-ms-version': '2023-11-03',
    'Content-Length': '0'
  })
  res.end()
}

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
// Responses and small utilities

const TWIRP_CODES: Record<number, string> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  408: 'deadline_exceeded',
  409: 'already_exists',
  412: 'failed_precondition',
  429: 'resource_exhausted',
  500: 'internal',
  501: 'unimplemented',
  503: 'unavailable'
}

function faultCode(status: number, isTwirp: boolean): string {
  if (isTwirp) return TWIRP_CODES[status] ?? 'unknown'
  return status >= 500 ? 'InternalError' : 'InjectedFault'
}

/**
 * Always a JSON body: the client retries any response whose body is not JSON, whatever its
 * status, so a plain-text error would be retried even where the real service's is not.
 */
function sendTwirpError(res: ServerResponse, status: number, code: string, msg: string): void {
  sendJson(res, status, { code, msg })
}

function sendBlobError(res: ServerResponse, status: number, code: string, message: string): void {
  const xml =
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`
  res.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': String(Buffer.byteLength(xml)),
    'x-ms-error-code': code
  })
  res.end(xml)
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text))
  })
  res.end(text)
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    return undefined
  }
}

function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

function newSignature(): string {
  return randomBytes(24).toString('base64')
}

function base64Url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
