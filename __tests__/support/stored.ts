import { expect } from 'vitest'

import type { ArtifactService } from './artifact-service.js'
import { readZipEntry } from './zip.js'

/**
 * One file of the only live artifact named `name`, as the service stores it. Fails the test
 * when there is no such artifact, or more than one.
 */
export async function storedFile(
  service: ArtifactService,
  name: string,
  fileName = 'training.log'
): Promise<Buffer> {
  const matching = service.artifacts().filter((artifact) => artifact.name === name)
  expect(matching, `live artifacts named ${name}`).toHaveLength(1)
  return readZipEntry(matching[0].bytes, fileName)
}
