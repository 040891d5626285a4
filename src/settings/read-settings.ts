/**
 * The settings of this step, from the runner's inputs (or the local runner's flags).
 */
import * as core from '@actions/core'

import { Input, parseSettings, type Settings } from './inputs.js'

export type { Settings }

const UNTRIMMED: readonly Input[] = [Input.Command, Input.Redact]

export function readSettings(): Settings {
  return parseSettings(
    // The command keeps its indentation and secrets their spaces; other inputs are trimmed.
    (name) => core.getInput(name, { trimWhitespace: !UNTRIMMED.includes(name) }),
    {
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
      platform: process.platform,
      env: process.env
    }
  )
}
