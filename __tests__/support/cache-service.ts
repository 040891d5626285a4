/**
 * The cache half of the local results service: enough of GitHub's cache service (v2) for the
 * unmodified `@actions/cache` client to save and restore caches against it. It has no server
 * of its own. startArtifactService() mounts it beside the artifact API, because both clients
 * find their service through ACTIONS_RESULTS_URL; that module checks the runtime token, logs
 * requests and injects faults, and this one holds the entries and answers.
 *
 * The protocol, as @actions/cache 6 speaks it once ACTIONS_CACHE_SERVICE_V2 is set:
 *
 * - Twirp JSON at `/twirp/github.actions.results.api.v1.CacheService/<Method>`, with proto
 *   (snake_case) field names and int64 values as decimal strings:
 *   - GetCacheEntryDownloadURL `{ key, restore_keys, version }` answers
 *     `{ ok, signed_download_url, matched_key }`; a miss is `ok: false`, not an error.
 *   - CreateCacheEntry `{ key, version }` answers `{ ok, signed_upload_url, message }`.
 *   - FinalizeCacheEntryUpload `{ key, size_bytes, version }` answers
 *     `{ ok, entry_id, message }`.
 * - The archive goes up through the Azure storage SDK to the signed upload URL: one Put Blob
 *   up to 128 MiB, Put Block and Put Block List above that. It comes down with one plain GET,
 *   because the client uses the SDK's ranged download only for hosts under
 *   blob.core.windows.net. Ranged GETs (`x-ms-range` or `Range`) and HEAD are served anyway,
 *   so that a request shaped like the SDK's gets a sensible answer.
 *
 * `version` is a SHA-256 the client computes over the cache paths as given, the compression
 * method and a salt, so a restore only ever sees entries saved with the same paths and
 * compression. Lookup follows GitHub's documented order: the key, then each restore key in
 * turn, each first as an exact match and then as a prefix, the newest entry winning.
 * Entries are immutable: creating a key and version that exist, or are still uploading, is
 * refused with the real service's 409. The real service also keeps branches apart; here every
 * runtime token shares one scope, so any run restores what any other run saved.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

import {
  BlobError,
  type BlobVerb,
  type JsonObject,
  type SignedBlob,
  TwirpError,
  blobEtag,
  blobVerb,
  commitBlockList,
  commitWholeBlob,
  headerValue,
  int64,
  newSignature,
  newSignedBlob,
  optionalStrings,
  parseQuery,
  requireString,
  sendCreated,
  signedBlobUrl,
  stageBlock
} from './results-wire.js'

export const CACHE_SERVICE_NAME = 'github.actions.results.api.v1.CacheService'
export const CACHE_TWIRP_PREFIX = `/twirp/${CACHE_SERVICE_NAME}/`
// A container of its own, so that no cache URL can ever reach an artifact's blob.
export const CACHE_BLOB_PREFIX = '/devstoreaccount1/actions-cache/'

/** Message the real service gives when the key and version already exist in the scope. */
export const CACHE_CONFLICT_MESSAGE =
  'cache entry with the same key, version, and scope already exists'

export const CACHE_TWIRP_METHODS = [
  'GetCacheEntryDownloadURL',
  'CreateCacheEntry',
  'FinalizeCacheEntryUpload'
] as const
export type CacheTwirpMethod = (typeof CACHE_TWIRP_METHODS)[number]
export type CacheBlobOperation =
  'PutCacheBlock' | 'PutCacheBlockList' | 'PutCacheBlob' | 'GetCacheBlob' | 'GetCacheBlobProperties'
export type CacheOperation = CacheTwirpMethod | CacheBlobOperation

// Own names for the cache's blob requests, so a fault aimed at them spares artifact blobs.
const CACHE_BLOB_OPERATIONS: Record<BlobVerb, CacheBlobOperation> = {
  PutBlock: 'PutCacheBlock',
  PutBlockList: 'PutCacheBlockList',
  PutBlob: 'PutCacheBlob',
  GetBlob: 'GetCacheBlob',
  GetBlobProperties: 'GetCacheBlobProperties'
}

/** A finalized cache entry as the service holds it. */
export interface StoredCacheEntry {
  /** The id FinalizeCacheEntryUpload returned, which saveCache returns in turn. */
  id: number
  key: string
  version: string
  /** The archive size the client reported at finalize, which the service checked. */
  size: number
  /** When the entry was finalized; of several prefix matches the newest wins. */
  createdAt: Date
  /** The archive: a tar file, compressed with zstd or gzip. */
  bytes: Buffer
}

/** Which cache operation a request is, or undefined when it is not addressed to the cache. */
export function cacheOperation(
  httpMethod: string,
  url: URL
): CacheOperation | 'Unknown' | undefined {
  const path = url.pathname
  if (path.startsWith(CACHE_TWIRP_PREFIX)) {
    const method = path.slice(CACHE_TWIRP_PREFIX.length)
    return isCacheTwirpMethod(method) ? method : 'Unknown'
  }
  if (!path.startsWith(CACHE_BLOB_PREFIX)) return undefined
  const verb = blobVerb(httpMethod, parseQuery(url.search).get('comp'))
  return verb ? CACHE_BLOB_OPERATIONS[verb] : 'Unknown'
}

export function isCacheTwirpMethod(name: string): name is CacheTwirpMethod {
  return (CACHE_TWIRP_METHODS as readonly string[]).includes(name)
}

/** The blob lies under CACHE_BLOB_PREFIX; GetCacheEntryDownloadURL hands out read signatures. */
interface CacheRecord extends SignedBlob {
  id: number
  key: string
  version: string
  /** Uploading from CreateCacheEntry until FinalizeCacheEntryUpload, then final for good. */
  state: 'uploading' | 'final'
}

export class CacheStore {
  /** Kept in the order entries were finalized, so the newest final entry is the last. */
  private readonly records: CacheRecord[] = []
  private nextId = 1

  /** `origin` is read on each call: the server learns its port only after listening. */
  constructor(private readonly origin: () => string) {}

  /** Finalized entries, oldest first. */
  entries(): StoredCacheEntry[] {
    return this.records.filter((r) => r.state === 'final').map(toStoredEntry)
  }

  /**
   * Drops the entries of `key` (only the one of `version`, if given), as eviction would,
   * including an upload still in progress. Returns how many went.
   */
  delete(key: string, version?: string): number {
    const doomed = this.records.filter(
      (r) => r.key === key && (version === undefined || r.version === version)
    )
    for (const record of doomed) this.records.splice(this.records.indexOf(record), 1)
    return doomed.length
  }

  /** Answers one Twirp call; the caller has checked the token. Throws TwirpError. */
  call(method: CacheTwirpMethod, body: JsonObject): JsonObject {
    switch (method) {
      case 'GetCacheEntryDownloadURL':
        return this.getDownloadUrl(body)
      case 'CreateCacheEntry':
        return this.createEntry(body)
      case 'FinalizeCacheEntryUpload':
        return this.finalizeEntry(body)
    }
  }

  /** Answers a request under CACHE_BLOB_PREFIX. Throws BlobError. */
  handleBlob(req: IncomingMessage, url: URL, raw: Buffer, res: ServerResponse): void {
    const operation = cacheOperation(req.method ?? 'GET', url)
    const query = parseQuery(url.search)
    const record = this.blobRecord(url.pathname)
    const sig = query.get('sig')
    if (operation === 'GetCacheBlob' || operation === 'GetCacheBlobProperties') {
      requireReadable(record, sig)
      sendArchive(req, res, record, operation === 'GetCacheBlobProperties')
      return
    }
    requireWritable(record, sig)
    if (operation === 'PutCacheBlock') stageBlock(record, query.get('blockid'), raw)
    else if (operation === 'PutCacheBlockList') commitBlockList(record, raw, req)
    else if (operation === 'PutCacheBlob') commitWholeBlob(record, raw, req)
    else throw new BlobError(400, 'UnsupportedHttpVerb', `${req.method} ${url.search}`)
    sendCreated(res, record.id)
  }

  // -------------------------------------------------------------------------------------------
  // Twirp methods

  private getDownloadUrl(body: JsonObject): JsonObject {
    const key = requireString(body, 'key')
    const version = requireString(body, 'version')
    const record = this.lookup([key, ...optionalStrings(body, 'restore_keys')], version)
    // The real service writes default values out too, so a miss still names every field.
    if (!record) return { ok: false, signed_download_url: '', matched_key: '' }
    const sig = newSignature()
    record.readSigs.add(sig)
    return { ok: true, signed_download_url: this.blobUrl(record, sig), matched_key: record.key }
  }

  private createEntry(body: JsonObject): JsonObject {
    const key = requireString(body, 'key')
    const version = requireString(body, 'version')
    // An upload in progress holds the key too: that is the "another job may be creating
    // this cache" case the client reports.
    if (this.find(key, version)) throw new TwirpError(409, 'already_exists', CACHE_CONFLICT_MESSAGE)
    const record = newRecord(this.nextId++, key, version)
    this.records.push(record)
    return { ok: true, signed_upload_url: this.blobUrl(record, record.uploadSig), message: '' }
  }

  private finalizeEntry(body: JsonObject): JsonObject {
    const key = requireString(body, 'key')
    const version = requireString(body, 'version')
    const size = int64(body.size_bytes ?? '0', 'size_bytes')
    const record = this.find(key, version)
    if (!record) throw new TwirpError(404, 'not_found', 'no cache entry with that key and version')
    if (record.state === 'final') {
      throw new TwirpError(409, 'already_exists', CACHE_CONFLICT_MESSAGE)
    }
    checkUploaded(record, size)
    Object.assign(record, { state: 'final', size, createdAt: new Date() })
    // Move it behind every entry finalized before it, which keeps `records` newest-last.
    this.records.splice(this.records.indexOf(record), 1)
    this.records.push(record)
    return { ok: true, entry_id: String(record.id), message: '' }
  }

  /** For each key in turn: an exact match, else the newest entry that starts with it. */
  private lookup(keys: string[], version: string): CacheRecord | undefined {
    const newestFirst = this.records
      .filter((r) => r.state === 'final' && r.version === version)
      .reverse()
    for (const key of keys) {
      const hit =
        newestFirst.find((r) => r.key === key) ?? newestFirst.find((r) => r.key.startsWith(key))
      if (hit) return hit
    }
    return undefined
  }

  private find(key: string, version: string): CacheRecord | undefined {
    return this.records.find((r) => r.key === key && r.version === version)
  }

  private blobRecord(pathname: string): CacheRecord {
    const blobName = pathname.slice(CACHE_BLOB_PREFIX.length)
    const record = this.records.find((r) => r.blobName === blobName)
    if (!record) throw new BlobError(404, 'BlobNotFound', 'The specified blob does not exist.')
    return record
  }

  private blobUrl(record: CacheRecord, sig: string): string {
    return signedBlobUrl(this.origin(), `${CACHE_BLOB_PREFIX}${record.blobName}`, sig)
  }
}

function newRecord(id: number, key: string, version: string): CacheRecord {
  return { ...newSignedBlob('cache', id), id, key, version, state: 'uploading' }
}

function checkUploaded(record: CacheRecord, size: number): void {
  const blob = record.committed
  if (!blob) {
    throw new TwirpError(412, 'failed_precondition', 'the cache archive was never uploaded')
  }
  if (size !== blob.length) {
    throw new TwirpError(400, 'invalid_argument', `size ${size} != stored ${blob.length} bytes`)
  }
}

function toStoredEntry(record: CacheRecord): StoredCacheEntry {
  return {
    id: record.id,
    key: record.key,
    version: record.version,
    size: record.size,
    createdAt: record.createdAt,
    bytes: Buffer.from(record.committed ?? Buffer.alloc(0))
  }
}

// ---------------------------------------------------------------------------------------------
// Blob access

function requireReadable(record: CacheRecord, sig: string | undefined): void {
  if (record.state !== 'final' || !sig || !record.readSigs.has(sig)) {
    throw new BlobError(403, 'AuthenticationFailed', 'signature does not allow reading')
  }
}

/** Upload URLs are good only until the entry is finalized; after that it is immutable. */
function requireWritable(record: CacheRecord, sig: string | undefined): void {
  if (record.state !== 'uploading' || sig !== record.uploadSig) {
    throw new BlobError(403, 'AuthenticationFailed', 'signature does not allow writing')
  }
}

/** Get Blob, whole or ranged, or Get Blob Properties (HEAD), which sends only the headers. */
function sendArchive(
  req: IncomingMessage,
  res: ServerResponse,
  record: CacheRecord,
  headersOnly: boolean
): void {
  const data = record.committed ?? Buffer.alloc(0)
  const range = headersOnly ? undefined : requestedRange(req, data.length)
  const body = range ? data.subarray(range.start, range.end + 1) : data
  res.writeHead(range ? 206 : 200, {
    'Content-Type': record.contentType ?? 'application/octet-stream',
    'Content-Length': String(body.length),
    ...(range ? { 'Content-Range': `bytes ${range.start}-${range.end}/${data.length}` } : {}),
    'Accept-Ranges': 'bytes',
    ETag: blobEtag(record.id),
    'Last-Modified': record.createdAt.toUTCString(),
    'x-ms-blob-type': 'BlockBlob',
    'x-ms-request-id': randomUUID(),
    'x-ms-version': '2023-11-03'
  })
  res.end(headersOnly ? undefined : body)
}

interface ByteRange {
  start: number
  /** Inclusive, as in the header. */
  end: number
}

/** Azure reads `x-ms-range` first and falls back to the standard `Range` header. */
function requestedRange(req: IncomingMessage, size: number): ByteRange | undefined {
  const header = headerValue(req, 'x-ms-range') ?? headerValue(req, 'range')
  if (header === undefined) return undefined
  const match = /^bytes=(\d+)-(\d*)$/.exec(header.trim())
  if (!match) throw new BlobError(400, 'InvalidHeaderValue', `cannot read range ${header}`)
  const start = Number(match[1])
  const end = Math.min(match[2] ? Number(match[2]) : size - 1, size - 1)
  if (start >= size || end < start) {
    throw new BlobError(416, 'InvalidRange', 'The range specified is invalid for this blob.')
  }
  return { start, end }
}
