/**
 * Reads the entries of a zip archive held in memory, such as an artifact the local artifact
 * service stored. yauzl parses the archive from its central directory and checks entry
 * sizes; the CRC-32 of each entry is checked here, since yauzl leaves that to its callers.
 */
import type { Readable } from 'node:stream'
import { crc32 } from 'node:zlib'
import yauzl from 'yauzl'

export interface ZipEntry {
  /** Path inside the archive, with forward slashes; directories end in '/'. */
  name: string
  isDirectory: boolean
  /** Uncompressed bytes; empty for a directory. */
  data: Buffer
}

/** All entries of the archive, in central directory order. */
export async function readZipEntries(zip: Buffer): Promise<ZipEntry[]> {
  // strictFileNames refuses backslash paths instead of quietly rewriting them.
  const archive = await yauzl.fromBufferPromise(zip, { lazyEntries: true, strictFileNames: true })
  const entries: ZipEntry[] = []
  for await (const entry of archive.eachEntry()) {
    const isDirectory = entry.fileName.endsWith('/')
    const data = isDirectory
      ? Buffer.alloc(0)
      : await readAll(await archive.openReadStreamPromise(entry))
    if (!isDirectory && crc32(data) !== entry.crc32) {
      throw new Error(`CRC-32 mismatch in zip entry ${entry.fileName}`)
    }
    entries.push({ name: entry.fileName, isDirectory, data })
  }
  return entries
}

/** The bytes of one entry; throws if the archive has no entry of that name. */
export async function readZipEntry(zip: Buffer, name: string): Promise<Buffer> {
  const entries = await readZipEntries(zip)
  const entry = entries.find((e) => e.name === name)
  if (!entry) {
    const names = entries.map((e) => e.name).join(', ')
    throw new Error(`zip has no entry ${name}; it has: ${names}`)
  }
  return entry.data
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
