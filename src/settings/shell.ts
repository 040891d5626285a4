/**
 * How the command is run: like a `run:` step, the command is written to a script file and the
 * shell is started on that file. `{0}` in the arguments stands for the script's path.
 */

export interface ShellSpec {
  /** What the workflow asked for, for messages. */
  readonly label: string
  readonly executable: string
  readonly args: readonly string[]
  /** Script file extension; some interpreters (pwsh, cmd) refuse a file without the right one. */
  readonly extension: string
  /** cmd.exe parses its own command line, so Node must pass it through untouched. */
  readonly verbatimArguments: boolean
  readonly lineEnding: '\n' | '\r\n'
  readonly prologue: string
  readonly epilogue: string
}

export const SCRIPT_PLACEHOLDER = '{0}'

export const SHELL_FORM =
  `bash, sh, pwsh, powershell, python, cmd, or a command template containing ${SCRIPT_PLACEHOLDER} ` +
  'for the script path (for example "bash -x {0}")'

// pwsh keeps going after a failing cmdlet unless told to stop, and exits 0 after a failing
// native program unless its exit code is passed on; a `run:` step does both.
const PWSH_PROLOGUE = "$ErrorActionPreference = 'stop'\n"
const PWSH_EPILOGUE =
  '\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }\n'

const PLAIN = { verbatimArguments: false, lineEnding: '\n', prologue: '', epilogue: '' } as const

const BUILT_IN: Record<string, Omit<ShellSpec, 'label'>> = {
  bash: {
    ...PLAIN,
    executable: 'bash',
    args: ['--noprofile', '--norc', '-eo', 'pipefail', '{0}'],
    extension: '.sh'
  },
  sh: { ...PLAIN, executable: 'sh', args: ['-e', '{0}'], extension: '.sh' },
  pwsh: {
    ...PLAIN,
    executable: 'pwsh',
    args: ['-command', ". '{0}'"],
    extension: '.ps1',
    prologue: PWSH_PROLOGUE,
    epilogue: PWSH_EPILOGUE
  },
  powershell: {
    ...PLAIN,
    executable: 'powershell',
    args: ['-command', ". '{0}'"],
    extension: '.ps1',
    prologue: PWSH_PROLOGUE,
    epilogue: PWSH_EPILOGUE
  },
  python: { ...PLAIN, executable: 'python', args: ['{0}'], extension: '.py' },
  cmd: {
    executable: 'cmd',
    args: ['/D', '/E:ON', '/V:OFF', '/S', '/C', '"CALL "{0}""'],
    extension: '.cmd',
    verbatimArguments: true,
    // cmd.exe misreads labels and multi-line blocks in a file with bare LF line endings.
    lineEnding: '\r\n',
    prologue: '',
    epilogue: ''
  }
}

/** The shell a `run:` step would use when none is named. */
export function defaultShellName(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'pwsh' : 'bash'
}

/** The spec for a shell name or template, or undefined when it is neither. */
export function parseShell(text: string): ShellSpec | undefined {
  const trimmed = text.trim()
  const builtIn = BUILT_IN[trimmed]
  if (builtIn) return { label: trimmed, ...builtIn }

  if (!trimmed.includes(SCRIPT_PLACEHOLDER)) return undefined
  return parseTemplate(trimmed)
}

function parseTemplate(template: string): ShellSpec | undefined {
  const words = splitWords(template)
  if (!words || words.length === 0) return undefined

  const [executable, ...args] = words
  if (executable.includes(SCRIPT_PLACEHOLDER)) return undefined

  const family = BUILT_IN[programName(executable)]
  return {
    ...PLAIN,
    label: template,
    executable,
    args,
    extension: family?.extension ?? '',
    verbatimArguments: family?.verbatimArguments ?? false,
    lineEnding: family?.lineEnding ?? '\n'
  }
}

/** `C:\tools\pwsh.exe` and `/usr/bin/pwsh` are both pwsh; `python3.12` is python. */
function programName(executable: string): string {
  const base = executable.split(/[\\/]/).pop() ?? executable
  return base
    .replace(/\.exe$/i, '')
    .replace(/[\d.]+$/, '')
    .toLowerCase()
}

/**
 * Splits a template into words. Double or single quotes group words; there are no escapes,
 * which keeps Windows paths with backslashes intact. Undefined when a quote is left open.
 */
export function splitWords(text: string): string[] | undefined {
  const words: string[] = []
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g
  for (const match of text.matchAll(pattern)) {
    words.push(match[1] ?? match[2] ?? match[3])
  }

  const quotes = text.replace(/"[^"]*"|'[^']*'/g, '')
  if (quotes.includes('"') || quotes.includes("'")) return undefined
  return words
}
