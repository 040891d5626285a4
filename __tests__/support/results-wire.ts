/**
 * Wire-level pieces shared by the local stand-ins for GitHub's results services: the artifact
 * service (./artifact-service.ts) and the cache service (./cache-service.ts). Both speak Twirp
 * JSON for their API and Azure block blobs for the bytes, so the field parsing, the error
 * bodies and the blob request handling live here once.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

export type JsonObject = Record<string, unknown>

/** An error the Twirp dispatcher turns into a Twirp error response. */
export class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

/** An error the blob dispatcher turns into an Azure Storage XML error response. */
export class BlobError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

// ---------------------------------------------------------------------------------------------
// Twirp fields

export function requireObject(body: unknown): JsonObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TwirpError(400, 'malformed', 'request body is not a JSON object')
  }
  return body as JsonObject
}

export function requireString(body: JsonObject, field: string): string {
  const value = optionalString(body, field)
  if (!value) throw new TwirpError(400, 'invalid_argument', `${field} is required`)
  return value
}

/** Wrapper types such as StringValue arrive as bare JSON strings. */
export function optionalString(body: JsonObject, field: string): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') {
    throw new TwirpError(400, 'invalid_argument', `${field} must be a string`)
  }
  return value
}

/** Proto3 JSON leaves an empty repeated field out, so absent means an empty list. */
export function optionalStrings(body: JsonObject, field: string): string[] {
  const value = body[field]
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new TwirpError(400, 'invalid_argument', `${field} must be a list of strings`)
  }
  return value
}

export function optionalDate(body: JsonObject, field: string): Date | undefined {
  const value = optionalString(body, field)
  if (value === undefined) return undefined
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) {
    throw new TwirpError(400, 'invalid_argument', `${field} is not a timestamp`)
  }
  return date
}

/** Proto3 JSON writes int64 as a decimal string; accept a plain number too. */
export function int64(value: unknown, field: string): number {
  const text = typeof value === 'number' ? String(value) : value
  if (typeof text !== 'string' || !/^\d+$/.test(text)) {
    throw new TwirpError(400, 'invalid_argument', `${field} is not an int64`)
  }
  return Number(text)
}

// ---------------------------------------------------------------------------------------------
// Block blobs

/** The Azure Blob operations the stand-ins understand, named as in the Azure REST docs. */
export type BlobVerb = 'PutBlock' | 'PutBlockList' | 'PutBlob' | 'GetBlob' | 'GetBlobProperties'

export function blobVerb(httpMethod: string, comp: string | undefined): BlobVerb | undefined {
  if (comp === undefined && httpMethod === 'GET') return 'GetBlob'
  if (comp === undefined && httpMethod === 'HEAD') return 'GetBlobProperties'
  if (httpMethod !== 'PUT') return undefined
  if (comp === 'block') return 'PutBlock'
  if (comp === 'blocklist') return 'PutBlockList'
  return comp === undefined ? 'PutBlob' : undefined
}

/** What a block blob holds while it is written: staged blocks, then the committed bytes. */
export interface BlockBlob {
  stagedBlocks: Map<string, Buffer>
  committed: Buffer | undefined
  contentType: string | undefined
}

/** A block blob behind signed URLs, as an artifact or a cache entry stores its bytes. */
export interface SignedBlob extends BlockBlob {
  /** Path segment of the blob under the service's blob prefix. */
  blobName: string
  /** Signature that allows writing the blob until its record is finalized. */
  uploadSig: string
  /** Signatures handed out for downloads; each allows reading the blob. */
  readSigs: Set<string>
  size: number
  createdAt: Date
}

/** An empty blob named `<kind>-<id>-<random>`, with a fresh upload signature. */
export function newSignedBlob(kind: string, id: number): SignedBlob {
  return {
    blobName: `${kind}-${id}-${randomBytes(4).toString('hex')}`,
    uploadSig: newSignature(),
    readSigs: new Set(),
    stagedBlocks: new Map(),
    committed: undefined,
    contentType: undefined,
    size: 0,
    createdAt: new Date()
  }
}

export function stageBlock(blob: BlockBlob, blockId: string | undefined, data: Buffer): void {
  if (!blockId) throw new BlobError(400, 'MissingRequiredQueryParameter', 'blockid is required')
  blob.stagedBlocks.set(blockId, data)
}

/** Assembles the blob from staged blocks in the order the XML block list names them. */
export function commitBlockList(blob: BlockBlob, xml: Buffer, req: IncomingMessage): void {
  const parts: Buffer[] = []
  const pattern = /<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g
  for (const [, , blockId] of xml.toString('utf8').matchAll(pattern)) {
    const block = blob.stagedBlocks.get(blockId)
    if (!block) throw new BlobError(400, 'InvalidBlockList', `unknown block ${blockId}`)
    parts.push(block)
  }
  blob.committed = Buffer.concat(parts)
  blob.contentType = headerValue(req, 'x-ms-blob-content-type')
  blob.stagedBlocks.clear()
}

export function commitWholeBlob(blob: BlockBlob, data: Buffer, req: IncomingMessage): void {
  if (headerValue(req, 'x-ms-blob-type') !== 'BlockBlob') {
    throw new BlobError(400, 'InvalidHeaderValue', 'only block blobs are supported')
  }
  blob.committed = data
  blob.contentType = headerValue(req, 'x-ms-blob-content-type') ?? headerValue(req, 'content-type')
}

/** Azure answers Put Block, Put Block List and Put Blob with 201 Created; the SDK insists. */
export function sendCreated(res: ServerResponse, etagSeed: number): void {
  res.writeHead(201, {
    ETag: blobEtag(etagSeed),
    'Last-Modified': new Date().toUTCString(),
    'x-ms-request-id': randomUUID(),
    'x-ms-version': '2023-11-03',
    'Content-Length': '0'
  })
  res.end()
}

export function blobEtag(seed: number): string {
  return `"0x${seed.toString(16).toUpperCase()}"`
}

/**
 * Block ids are base64 and may hold '+'. URLSearchParams would turn a '+' into a space, so
 * decode with decodeURIComponent, which leaves it alone, to match the ids in the XML list.
 */
export function parseQuery(search: string): Map<string, string> {
  const query = new Map<string, string>()
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (!pair) continue
    const at = pair.indexOf('=')
    const key = at < 0 ? pair : pair.slice(0, at)
    query.set(decodeURIComponent(key), at < 0 ? '' : decodeURIComponent(pair.slice(at + 1)))
  }
  return query
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Runs a blob handler and answers its BlobError the way Azure Storage would. */
export function answerBlob(res: ServerResponse, handler: () => void): void {
  try {
    handler()
  } catch (error) {
    if (!(error instanceof BlobError)) throw error
    sendBlobError(res, error.status, error.code, error.message)
  }
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

export function faultCode(status: number, isTwirp: boolean): string {
  if (isTwirp) return TWIRP_CODES[status] ?? 'unknown'
  return status >= 500 ? 'InternalError' : 'InjectedFault'
}

/**
 * Always a JSON body: the clients retry any response whose body is not JSON, whatever its
 * status, so a plain-text error would be retried even where the real service's is not.
 */
export function sendTwirpError(
  res: ServerResponse,
  status: number,
  code: string,
  msg: string
): void {
  sendJson(res, status, { code, msg })
}

export function sendBlobError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string
): void {
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

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text))
  })
  res.end(text)
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    return undefined
  }
}

/** A SAS-like signature; the services accept only the ones they handed out. */
export function newSignature(): string {
  return randomBytes(24).toString('base64')
}

/** A signed blob URL in the shape the Azure SDK accepts for an IP host. */
export function signedBlobUrl(origin: string, blobPath: string, sig: string): string {
  const expiry = new Date(Date.now() + 3600_000).toISOString()
  const query = `sv=2023-11-03&se=${encodeURIComponent(expiry)}&sig=${encodeURIComponent(sig)}`
  return `${origin}${blobPath}?${query}`
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
