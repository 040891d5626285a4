/**
 * The settings of this step, from the runner's inputs (or the local runner's flags).
 */
import * as core from '@actions/core'

import { Input, parseSettings, type Settings } from './inputs.js'

export type { Settings }

export function readSettings(): Settings {
  return parseSettings(
    // Multi-line values keep their indentation; every other input is trimmed.
    (name) => core.getInput(name, { trimWhitespace: name !== Input.Command }),
    {
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
      platform: process.platform,
      env: process.env
    }
  )
}
