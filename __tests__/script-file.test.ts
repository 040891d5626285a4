import * as fs from 'node:fs'

import { describe, expect, it } from 'vitest'

import { scriptText, writeScriptFile } from '../src/process/script-file.js'
import { parseShell, type ShellSpec } from '../src/settings/shell.js'
import { tempFolder } from './support/temp.js'

const shell = (name: string) => parseShell(name) as ShellSpec

describe('script files as a run: step writes them', () => {
  it('gives cmd CRLF line endings, whatever the command had', () => {
    expect(scriptText('echo one\necho two\r\necho three', shell('cmd'))).toBe(
      'echo one\r\necho two\r\necho three\r\n'
    )
  })

  it('makes pwsh stop on errors and pass on the exit code of a native program', () => {
    const text = scriptText('python train.py', shell('pwsh'))
    expect(text.startsWith("$ErrorActionPreference = 'stop'\npython train.py\n")).toBe(true)
    expect(text).toContain('exit $LASTEXITCODE')
  })

  it('writes the file with the extension the shell needs and puts its path in the arguments', async () => {
    const folder = tempFolder()
    for (const [name, extension] of [
      ['bash', '.sh'],
      ['pwsh', '.ps1'],
      ['cmd', '.cmd'],
      ['python', '.py']
    ]) {
      const script = await writeScriptFile('echo hi', shell(name), folder)
      expect(script.path.endsWith(extension)).toBe(true)
      expect(script.args.join(' ')).toContain(script.path)
      expect(fs.existsSync(script.path)).toBe(true)
      await script.remove()
      expect(fs.existsSync(script.path)).toBe(false)
    }
  })

  it('quotes the script path for cmd the way cmd.exe parses it', async () => {
    const script = await writeScriptFile('echo hi', shell('cmd'), tempFolder())
    expect(script.verbatimArguments).toBe(true)
    expect(script.args).toEqual(['/D', '/E:ON', '/V:OFF', '/S', '/C', `"CALL "${script.path}""`])
  })
})
