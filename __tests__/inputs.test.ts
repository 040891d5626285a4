import * as fs from 'node:fs'
import * as path from 'node:path'

import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'

import { InputError } from '../src/errors.js'
import { formatDuration, parseDuration } from '../src/settings/duration.js'
import { Input, INPUT_DEFAULTS, parseSettings, type Settings } from '../src/settings/inputs.js'

const WORKSPACE = path.resolve('/tmp/workspace')

function settingsFrom(
  values: Partial<Record<Input, string>>,
  platform: NodeJS.Platform = 'linux'
): Settings {
  const read = (name: Input) => values[name] ?? ''
  return parseSettings(read, { workspace: WORKSPACE, platform })
}

function errorFor(values: Partial<Record<Input, string>>): InputError {
  try {
    settingsFrom({ [Input.Command]: 'true', ...values })
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error(`no error for ${JSON.stringify(values)}`)
}

describe('durations', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['0', 0],
    ['0s', 0],
    ['250ms', 250],
    ['1.5s', 1500],
    [' 2M ', 120_000],
    ['1h2m3s4ms', 3_723_004],
    ['596h', 596 * 3_600_000]
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each([
    ...['', 'soon', '-5', '5x', 's', '1h30', 'm5', '1e3', '25d', '999999999', '5 m s'],
    ...['1h1h', '30s1m', '5ms1s', '597h']
  ])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined()
  })

  it.each([
    [850, '850ms'],
    [12_340, '12.3s'],
    [245_000, '4m05s'],
    [7_380_000, '2h03m']
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})

describe('parseSettings', () => {
  it('applies the defaults of action.yml when inputs are empty', () => {
    const settings = settingsFrom({ [Input.Command]: 'python main.py --mode single' })

    expect(settings).toMatchObject({
      command: 'python main.py --mode single',
      iterations: 5,
      delayMs: 60_000,
      logPath: path.join(WORKSPACE, 'training.log'),
      artifactName: 'background-training-logs',
      workingDirectory: WORKSPACE,
      workspace: WORKSPACE
    })
    expect(settings.shell.executable).toBe('bash')
    expect(Object.isFrozen(settings)).toBe(true)
  })

  it('keeps its defaults equal to those in action.yml', () => {
    const action = parseYaml(fs.readFileSync('action.yml', 'utf8'))
    for (const name of Object.values(Input)) {
      expect(action.inputs[name], name).toBeDefined()
      expect(action.inputs[name].default, name).toBe(INPUT_DEFAULTS[name])
    }
  })

  it.each([
    ['3', 3],
    ['3.0', 3],
    [' 3 ', 3],
    ['1', 1],
    ['1000000', 1_000_000]
  ])('accepts iterations %j as %d', (raw, count) => {
    expect(settingsFrom({ [Input.Command]: 'true', [Input.Iterations]: raw }).iterations).toBe(
      count
    )
  })

  it.each(['abc', '0', '-1', '3.5', '1e3', '0x10', '1000001', '99999999999999999999', '3 4'])(
    'refuses iterations %j, naming the input, the form and the value',
    (raw) => {
      const error = errorFor({ [Input.Iterations]: raw })
      expect(error.input).toBe('iterations')
      expect(error.message).toContain("Input 'iterations' must be a whole number from 1 to")
      expect(error.message).toContain(JSON.stringify(raw))
    }
  )

  it.each(['soon', '-1s', '10 minutes', '30d'])('refuses delay %j', (raw) => {
    const error = errorFor({ [Input.Delay]: raw })
    expect(error.input).toBe('delay')
    expect(error.message).toMatch(/must be a duration such as 90, 90s, 5m, 1h30m or 0/)
    expect(error.message).toContain(JSON.stringify(raw))
  })

  it('requires a command', () => {
    for (const raw of ['', '   ', '\n\n']) {
      expect(() => settingsFrom({ [Input.Command]: raw })).toThrow(/Input 'command' must be/)
    }
  })

  it('keeps the indentation inside a multi-line command', () => {
    const command = '\nfor i in 1 2; do\n  echo $i\ndone\n\n'
    expect(settingsFrom({ [Input.Command]: command }).command).toBe(
      'for i in 1 2; do\n  echo $i\ndone'
    )
  })

  it.each([
    'a/b',
    'a\\b',
    'logs:1',
    'what?',
    'a*',
    '<x>',
    'a|b',
    'a"b',
    'line\nbreak',
    '.',
    '..',
    '...',
    'x'.repeat(201)
  ])('refuses the artifact name %j that the artifact service would refuse', (raw) => {
    const error = errorFor({ [Input.ArtifactName]: raw })
    expect(error.input).toBe('artifact-name')
    expect(error.message).toContain('a name of 1 to 200 characters, not only dots, without any of')
  })

  it('resolves the log path and working directory against the workspace', () => {
    const settings = settingsFrom({
      [Input.Command]: 'true',
      [Input.LogPath]: 'logs/run/out.log',
      [Input.WorkingDirectory]: 'model'
    })
    expect(settings.logPath).toBe(path.join(WORKSPACE, 'logs/run/out.log'))
    expect(settings.workingDirectory).toBe(path.join(WORKSPACE, 'model'))
    expect(
      settingsFrom({ [Input.Command]: 'true', [Input.LogPath]: '/var/log/t.log' }).logPath
    ).toBe(path.resolve('/var/log/t.log'))
  })

  it.each(['logs/', 'train:1.log', 'what?.log'])('refuses the log path %j', (raw) => {
    expect(errorFor({ [Input.LogPath]: raw }).input).toBe('log-path')
  })
})

describe('shell', () => {
  const shellOf = (raw: string, platform: NodeJS.Platform = 'linux') =>
    settingsFrom({ [Input.Command]: 'true', [Input.Shell]: raw }, platform).shell

  it('runs bash like a run: step does', () => {
    expect(shellOf('bash')).toMatchObject({
      executable: 'bash',
      args: ['--noprofile', '--norc', '-eo', 'pipefail', '{0}'],
      extension: '.sh'
    })
  })

  it('defaults to pwsh on Windows', () => {
    expect(shellOf('', 'win32').executable).toBe('pwsh')
  })

  it('knows sh, python, pwsh and cmd', () => {
    expect(shellOf('sh').args).toEqual(['-e', '{0}'])
    expect(shellOf('python')).toMatchObject({ executable: 'python', extension: '.py' })
    expect(shellOf('pwsh')).toMatchObject({ extension: '.ps1', args: ['-command', ". '{0}'"] })
    expect(shellOf('cmd')).toMatchObject({
      extension: '.cmd',
      verbatimArguments: true,
      lineEnding: '\r\n'
    })
  })

  it('accepts a template with {0}, quotes grouping words', () => {
    expect(shellOf('python3 -u {0}')).toMatchObject({
      executable: 'python3',
      args: ['-u', '{0}'],
      extension: '.py'
    })
    expect(shellOf('"C:\\Program Files\\PowerShell\\pwsh.exe" -File {0}')).toMatchObject({
      executable: 'C:\\Program Files\\PowerShell\\pwsh.exe',
      args: ['-File', '{0}'],
      extension: '.ps1'
    })
  })

  it.each(['zsh', 'bash -x', '{0}', 'bash "{0}', 'fish {1}'])('refuses %j', (raw) => {
    const error = errorFor({ [Input.Shell]: raw })
    expect(error.input).toBe('shell')
    expect(error.message).toContain(
      'bash, sh, pwsh, powershell, python, cmd, or a command template'
    )
  })
})

describe('artifact and metrics inputs', () => {
  it('has defaults: refresh every iteration, level 6, repository retention', () => {
    const settings = settingsFrom({ [Input.Command]: 'true' })
    expect(settings).toMatchObject({
      upload: 'every-iteration',
      compressionLevel: 6,
      retentionDays: undefined,
      artifactPaths: [],
      metrics: []
    })
  })

  it('reads upload modes, retention and compression', () => {
    const settings = settingsFrom({
      [Input.Command]: 'true',
      [Input.Upload]: 'END',
      [Input.RetentionDays]: '7',
      [Input.CompressionLevel]: '0'
    })
    expect(settings).toMatchObject({ upload: 'end', retentionDays: 7, compressionLevel: 0 })
  })

  it.each([
    [Input.Upload, 'sometimes', 'one of every-iteration, end, never'],
    [Input.RetentionDays, '0', 'a whole number from 1 to 90'],
    [Input.RetentionDays, '91', 'a whole number from 1 to 90'],
    [Input.CompressionLevel, '10', 'a whole number from 0 to 9'],
    [Input.CompressionLevel, 'max', 'a whole number from 0 to 9'],
    [Input.Metrics, 'loss, 2nd', 'metric names separated by commas'],
    [Input.Metrics, 'loss;acc', 'metric names separated by commas'],
    [
      Input.ArtifactPaths,
      '../outside/*.pt',
      'files, folders or glob patterns inside the workspace'
    ],
    [Input.ArtifactPaths, '/etc/passwd', 'files, folders or glob patterns inside the workspace']
  ])('refuses %s %j', (input, raw, expected) => {
    const error = errorFor({ [input]: raw })
    expect(error.input).toBe(input)
    expect(error.message).toContain(expected)
  })

  it('refuses a log named metrics.csv when metrics are tracked', () => {
    const error = errorFor({ [Input.Metrics]: 'loss', [Input.LogPath]: 'out/metrics.csv' })
    expect(error.input).toBe('log-path')
  })

  it('splits metric names on commas and lines, dropping repeats', () => {
    const settings = settingsFrom({
      [Input.Command]: 'true',
      [Input.Metrics]: 'loss, acc\nval/loss,loss'
    })
    expect(settings.metrics).toEqual(['loss', 'acc', 'val/loss'])
  })

  it('keeps artifact paths one per line, skipping blanks and comments', () => {
    const settings = settingsFrom({
      [Input.Command]: 'true',
      [Input.ArtifactPaths]: 'checkpoints/\n\n# plots too\nplots/*.png\n!plots/tmp-*.png\n'
    })
    expect(settings.artifactPaths).toEqual(['checkpoints/', 'plots/*.png', '!plots/tmp-*.png'])
  })
})
