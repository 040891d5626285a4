/**
 * Benchmark of the built action: `npm run bench`.
 *
 * Runs dist/index.js the way the runner does (inputs as INPUT_* variables, the runner's files
 * as real files) and compares it with the shell commands it replaces, measured in the same run
 * on the same machine. A small shared machine is noisy, so each measurement is repeated and
 * the median is reported. The table is printed and written to bench/RESULTS.md.
 *
 * Needs bash, python3 (for emit.py), gzip, and for the memory rows /usr/bin/time (Debian
 * package `time`). Temporary files, up to 1 GiB at a time, go to the system's temp folder and
 * are removed as soon as each run is done.
 *
 * Runs with tsx so that it can use the artifact service stand-in of the tests as it is.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

import { startArtifactService } from '../__tests__/support/artifact-service.js'

const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const PROJECT_DIST = path.join(PROJECT, 'dist', 'index.js')
// BENCH_DIST=path/to/index.js measures another build, such as a candidate fix, the same way.
const DIST_ENTRY = process.env.BENCH_DIST ? path.resolve(process.env.BENCH_DIST) : PROJECT_DIST
const EMIT = path.join(PROJECT, 'bench', 'emit.py')
const RESULTS_FILE = path.join(PROJECT, 'bench', 'RESULTS.md')
const TIME_BINARY = '/usr/bin/time'

const MiB = 1024 * 1024
const GiB = 1024 * MiB

/** How a `run:` step runs a bash script, and how the action runs its command by default. */
const BASH_STEP_ARGS = ['--noprofile', '--norc', '-eo', 'pipefail']
const BASH_STEP = `bash ${BASH_STEP_ARGS.join(' ')}`

// Cheap measurements get more runs; the ones that move gigabytes fewer, to stay in minutes.
const QUICK_REPEATS = 5
const HEAVY_REPEATS = 3

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-bench-'))
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }))
process.on('SIGINT', () => process.exit(130))
process.on('SIGTERM', () => process.exit(143))

interface Row {
  readonly measurement: string
  readonly action: string
  readonly baseline: string
  readonly comparison: string
  readonly target: string
  /** Undefined when the row could not be measured on this machine. */
  readonly met: boolean | undefined
}

/**
 * The measurements by the name that picks them: `npm run bench -- start-up upload`. The ones
 * timed in milliseconds come first, before the ones that write gigabytes.
 */
const MEASUREMENTS: Record<string, () => Promise<Row | Row[]>> = {
  overhead: () => perIterationOverhead(),
  'start-up': () => startUp(),
  delay: () => delayAccuracy(),
  throughput: () => logThroughput(),
  memory: () => memory(),
  upload: () => upload(),
  refresh: () => refresh()
}

async function main(): Promise<void> {
  if (!fs.existsSync(DIST_ENTRY)) throw new Error(`${DIST_ENTRY} is missing: run npm run build`)
  const picked = process.argv.slice(2)
  const unknown = picked.filter((name) => !(name in MEASUREMENTS))
  if (unknown.length > 0) {
    throw new Error(
      `unknown measurement ${unknown.join(', ')}; pick from ${Object.keys(MEASUREMENTS).join(', ')}`
    )
  }

  const digest = distDigest()
  const rows: Row[] = []
  for (const [name, measure] of Object.entries(MEASUREMENTS)) {
    if (picked.length !== 0 && !picked.includes(name)) continue
    // Run after the memory cases, the per-iteration baseline took 2.2 ms instead of 1.5: the
    // machine was still busy with them, likely writing back the gigabytes they left. A sync
    // waits for that; the order above keeps the millisecond rows away from it as well.
    requireSuccess(await bash('sync'), 'sync')
    rows.push(...[await measure()].flat())
  }
  // A rebuild while the benchmark ran would mix two builds in one table.
  if (distDigest() !== digest) throw new Error(`${DIST_ENTRY} changed while the benchmark ran`)

  const report = renderReport(rows, digest)
  process.stdout.write(report)
  // Only a full run of the project's build replaces the results file.
  if (picked.length === 0 && DIST_ENTRY === PROJECT_DIST) {
    fs.writeFileSync(RESULTS_FILE, report)
    progress(`written to ${path.relative(PROJECT, RESULTS_FILE)}`)
  }
}

// ---------------------------------------------------------------------------------------------
// Measurements

/** 512 MiB of lines through the action, against the same through `tee -a`. */
async function logThroughput(): Promise<Row> {
  const command = emitCommand(512 * MiB)
  const { action, baseline } = await alternate(
    'log throughput',
    QUICK_REPEATS,
    () =>
      inFolder(async (workspace) => {
        const inputs = { command, iterations: '1', delay: '0', upload: 'never' }
        return (await runAction({ inputs, workspace })).ms
      }),
    () =>
      inFolder(async (folder) => {
        const log = quote(path.join(folder, 'training.log'))
        return (await bash(`${command} 2>&1 | tee -a ${log} > /dev/null`)).ms
      })
  )
  return ratioRow('log throughput: 512 MiB of lines', action, baseline, 1.3, seconds)
}

interface MemoryCase {
  readonly label: string
  readonly bytes: number
  readonly mode: 'lines' | 'one-line'
}

const MEMORY_CASES: readonly MemoryCase[] = [
  { label: '10 MiB of lines', bytes: 10 * MiB, mode: 'lines' },
  { label: '256 MiB of lines', bytes: 256 * MiB, mode: 'lines' },
  { label: '1 GiB of lines', bytes: GiB, mode: 'lines' },
  { label: 'one 256 MiB line, no newline', bytes: 256 * MiB, mode: 'one-line' }
]

const MEMORY_LIMIT_MiB = 100
// "Flat": however much is printed, the peak moves by no more than this.
const MEMORY_SPREAD_MiB = 16

/**
 * Peak RSS of the action for each case, against the `tee` pipeline. Metrics are on, so the
 * scanner that carries unfinished lines across chunks is part of it: the one long line is
 * there to catch a line buffer that grows with the line.
 */
async function memory(): Promise<Row[]> {
  if (!fs.existsSync(TIME_BINARY)) {
    const skipped = `n/a: needs ${TIME_BINARY} (package time)`
    return [
      {
        measurement: 'peak RSS',
        action: skipped,
        baseline: '',
        comparison: '',
        target: '',
        met: undefined
      }
    ]
  }

  const peaks = new Map<MemoryCase, { action: number; baseline: number }>()
  for (const memoryCase of MEMORY_CASES) {
    const command = emitCommand(memoryCase.bytes, memoryCase.mode)
    const { action, baseline } = await alternate(
      `peak RSS, ${memoryCase.label}`,
      HEAVY_REPEATS,
      () => inFolder((workspace) => actionPeakRss(command, workspace)),
      () => inFolder((folder) => teePeakRss(command, folder))
    )
    peaks.set(memoryCase, { action: median(action), baseline: median(baseline) })
  }

  const rows = MEMORY_CASES.map((memoryCase) => {
    const peak = peaks.get(memoryCase) as { action: number; baseline: number }
    return {
      measurement: `peak RSS: ${memoryCase.label}`,
      action: mebibytes(peak.action),
      baseline: mebibytes(peak.baseline),
      comparison: signedMebibytes(peak.action - peak.baseline),
      target: `≤ ${MEMORY_LIMIT_MiB} MiB`,
      met: peak.action <= MEMORY_LIMIT_MiB * MiB
    }
  })
  return [...rows, spreadRow([...peaks.values()])]
}

/**
 * How far apart the peaks of the cases are: flat means output size does not matter.
 *
 * Every pipe read is a fresh 64 KiB buffer outside V8's heap, which V8 left to pile up for tens
 * of MiB before collecting: the peak rose by 20 to 35 MiB from the 10 MiB case to the larger
 * ones, and by 15 MiB more after a change that merely allocated less elsewhere. The action now
 * collects young garbage after every 4 MiB of output (src/process/pipe-memory.ts).
 */
function spreadRow(peaks: ReadonlyArray<{ action: number; baseline: number }>): Row {
  const spread = (values: number[]) => Math.max(...values) - Math.min(...values)
  const action = spread(peaks.map((peak) => peak.action))
  const baseline = spread(peaks.map((peak) => peak.baseline))
  return {
    measurement: 'peak RSS spread over the 4 cases (flat)',
    action: mebibytes(action),
    baseline: mebibytes(baseline),
    comparison: signedMebibytes(action - baseline),
    target: `≤ ${MEMORY_SPREAD_MiB} MiB`,
    met: action <= MEMORY_SPREAD_MiB * MiB
  }
}

async function actionPeakRss(command: string, workspace: string): Promise<number> {
  const report = path.join(workspace, 'rss')
  const inputs = {
    command,
    iterations: '1',
    delay: '0',
    upload: 'never',
    metrics: 'loss, accuracy'
  }
  await runAction({ inputs, workspace, wrapper: [TIME_BINARY, '-f', '%M', '-o', report] })
  return readMaxRss(report)
}

async function teePeakRss(command: string, folder: string): Promise<number> {
  const report = path.join(folder, 'rss')
  const pipeline = `${command} 2>&1 | tee -a ${quote(path.join(folder, 'training.log'))} > /dev/null`
  const result = await run(TIME_BINARY, ['-f', '%M', '-o', report, 'bash', '-c', pipeline])
  requireSuccess(result, 'the tee pipeline')
  return readMaxRss(report)
}

/**
 * `time` reports the largest RSS of the process it started and of every descendant that was
 * waited for, in KiB. The action's children (bash, python with 8 MiB of text) stay far below
 * node, so the number is the action's own.
 */
function readMaxRss(report: string): number {
  return Number(fs.readFileSync(report, 'utf8').trim().split('\n').at(-1)) * 1024
}

const OVERHEAD_ITERATIONS = 200
const OVERHEAD_LIMIT_MS = 5

/**
 * 200 iterations of `true` with no pause, against 200 runs of the same script by a shell
 * loop. The action's start-up is spread over the 200 iterations, not subtracted.
 */
async function perIterationOverhead(): Promise<Row> {
  const { action, baseline } = await alternate(
    'per-iteration overhead',
    QUICK_REPEATS,
    () =>
      inFolder(async (workspace) => {
        const inputs = {
          command: 'true',
          iterations: String(OVERHEAD_ITERATIONS),
          delay: '0',
          upload: 'never'
        }
        return (await runAction({ inputs, workspace })).ms / OVERHEAD_ITERATIONS
      }),
    () =>
      inFolder(async (folder) => {
        const script = writeScript(folder, 'true')
        const loop = `for i in $(seq ${OVERHEAD_ITERATIONS}); do ${BASH_STEP} ${quote(script)}; done`
        return (await bash(loop)).ms / OVERHEAD_ITERATIONS
      })
  )
  const extra = median(action) - median(baseline)
  return {
    measurement: `per-iteration overhead: ${OVERHEAD_ITERATIONS} × true, delay 0`,
    action: milliseconds(median(action)),
    baseline: milliseconds(median(baseline)),
    comparison: `${signed(extra)} ms`,
    target: `≤ +${OVERHEAD_LIMIT_MS} ms`,
    met: extra <= OVERHEAD_LIMIT_MS
  }
}

const START_UP_LIMIT_MS = 150

/**
 * From launching `node dist/index.js` to the command's first act, which prints the time. The
 * baseline is the same script started directly by bash, as a `run:` step would.
 */
async function startUp(): Promise<Row> {
  const stampCommand = 'date +%s%N'
  const { action, baseline } = await alternate(
    'start-up',
    QUICK_REPEATS,
    () =>
      inFolder(async (workspace) => {
        const inputs = { command: stampCommand, iterations: '1', delay: '0', upload: 'never' }
        const launched = await runAction({ inputs, workspace })
        const log = fs.readFileSync(path.join(workspace, 'training.log'), 'utf8')
        return stampsIn(log)[0] - launched.launchedAtMs
      }),
    () =>
      inFolder(async (folder) => {
        const script = writeScript(folder, stampCommand)
        const launched = await run('bash', [...BASH_STEP_ARGS, script], { captureStdout: true })
        return stampsIn(launched.stdout)[0] - launched.launchedAtMs
      })
  )
  return {
    measurement: 'start-up: launch to first spawn of the command',
    action: milliseconds(median(action)),
    baseline: milliseconds(median(baseline)),
    comparison: `${signed(median(action) - median(baseline))} ms`,
    target: `≤ ${START_UP_LIMIT_MS} ms`,
    met: median(action) <= START_UP_LIMIT_MS
  }
}

/**
 * One upload of a 512 MiB log (zip at level 6 to the artifact service stand-in on 127.0.0.1)
 * against `gzip -6` of the same file. The action's time is the one it prints in its
 * "stored (N bytes in X ms)" line: deleting the older version, zipping and sending.
 */
async function upload(): Promise<Row> {
  return againstGzip('upload: 512 MiB log, compression level 6', 512, uploadOnce)
}

/**
 * Writes a log of `mebibytes` into a scratch workspace, then times `measure` on it against
 * `gzip -6` of the same file, alternating the two. The target: at most 1.5 times as long.
 */
async function againstGzip(
  measurement: string,
  mebibytes: number,
  measure: (workspace: string) => Promise<number>
): Promise<Row> {
  return inFolder(async (workspace) => {
    const logFile = path.join(workspace, 'training.log')
    progress(`writing a ${mebibytes} MiB log`)
    requireSuccess(await bash(`${emitCommand(mebibytes * MiB)} > ${quote(logFile)}`), 'emit.py')

    const { action, baseline } = await alternate(
      `${mebibytes} MiB log against gzip`,
      HEAVY_REPEATS,
      () => measure(workspace),
      async () => {
        const result = await bash(`gzip -6 -c ${quote(logFile)} > /dev/null`)
        requireSuccess(result, 'gzip')
        return result.ms
      }
    )
    return ratioRow(measurement, action, baseline, 1.5, seconds)
  })
}

async function uploadOnce(workspace: string): Promise<number> {
  // A fresh service each time: it keeps every blob in memory, and a new run id avoids a clash
  // with the artifact of the same name that the previous run stored.
  const service = await startArtifactService()
  try {
    const inputs = { command: 'true', iterations: '1', delay: '0', upload: 'end' }
    const result = await runAction({ inputs, workspace, env: service.env(), captureStdout: true })
    const stored = /stored \((\d+) bytes in (\d+) ms\)/.exec(result.stdout)
    if (!stored) throw new Error(`the action printed no "stored" line:\n${result.stdout}`)
    return Number(stored[2])
  } finally {
    await service.close()
  }
}

/**
 * A refresh between iterations: the artifact of a 100 MiB log is replaced by the next version,
 * which deletes the previous one first. Timed by the action, from before the delete to the
 * finalized upload; the baseline compresses the same log with `gzip -6`.
 */
async function refresh(): Promise<Row> {
  return againstGzip('refresh: 100 MiB log, replacing the last', 100, secondRefreshMs)
}

/** Two iterations with a refresh after each: the second refresh replaces the first. */
async function secondRefreshMs(workspace: string): Promise<number> {
  const service = await startArtifactService()
  try {
    const inputs = { command: 'true', iterations: '2', delay: '0', upload: 'every-iteration' }
    const result = await runAction({ inputs, workspace, env: service.env(), captureStdout: true })
    const timings = [...result.stdout.matchAll(/stored \(\d+ bytes in (\d+) ms\)/g)]
    if (timings.length < 2) throw new Error(`expected two refreshes:\n${result.stdout}`)
    return Number(timings[1][1])
  } finally {
    await service.close()
  }
}

const DELAY_ITERATIONS = 20
const DELAY_MS = 200
const DELAY_TOLERANCE_MS = 50

/**
 * 20 iterations 200 ms apart. The command prints the time as its first and last act; each gap
 * from one iteration's last stamp to the next one's first should be the delay. The baseline
 * is a shell loop with `sleep 0.2`. Reported: the worst deviation over all runs.
 */
async function delayAccuracy(): Promise<Row> {
  const command = 'echo "bench-start $(date +%s%N)"\necho "bench-end $(date +%s%N)"'
  const { action, baseline } = await alternate(
    'delay accuracy',
    HEAVY_REPEATS,
    () =>
      inFolder(async (workspace) => {
        const inputs = {
          command,
          iterations: String(DELAY_ITERATIONS),
          delay: `${DELAY_MS}ms`,
          upload: 'never'
        }
        await runAction({ inputs, workspace })
        return worstDeviation(fs.readFileSync(path.join(workspace, 'training.log'), 'utf8'))
      }),
    () =>
      inFolder(async (folder) => {
        const script = writeScript(folder, command)
        const log = quote(path.join(folder, 'training.log'))
        const loop =
          `for i in $(seq ${DELAY_ITERATIONS}); do ${BASH_STEP} ${quote(script)} >> ${log}; ` +
          `if [ $i -lt ${DELAY_ITERATIONS} ]; then sleep ${DELAY_MS / 1000}; fi; done`
        requireSuccess(await bash(loop), 'the sleep loop')
        return worstDeviation(fs.readFileSync(path.join(folder, 'training.log'), 'utf8'))
      })
  )
  const worst = furthest(action)
  const worstBaseline = furthest(baseline)
  return {
    measurement: `delay accuracy: ${DELAY_ITERATIONS} × ${DELAY_MS} ms, worst gap`,
    action: `${signed(worst)} ms`,
    baseline: `${signed(worstBaseline)} ms`,
    comparison: `${signed(worst - worstBaseline)} ms`,
    target: `within ${DELAY_TOLERANCE_MS} ms`,
    met: Math.abs(worst) <= DELAY_TOLERANCE_MS
  }
}

/** The gap between iterations that strays furthest from the delay, in ms (signed). */
function worstDeviation(log: string): number {
  const starts = [...log.matchAll(/^bench-start (\d+)$/gm)].map((m) => Number(m[1]) / 1e6)
  const ends = [...log.matchAll(/^bench-end (\d+)$/gm)].map((m) => Number(m[1]) / 1e6)
  if (starts.length !== DELAY_ITERATIONS || ends.length !== DELAY_ITERATIONS) {
    throw new Error(`expected ${DELAY_ITERATIONS} stamps of each kind in the log`)
  }
  return furthest(starts.slice(1).map((start, i) => start - ends[i] - DELAY_MS))
}

/** The value furthest from zero, sign kept. */
function furthest(values: readonly number[]): number {
  return values.reduce((worst, value) => (Math.abs(value) > Math.abs(worst) ? value : worst))
}

// ---------------------------------------------------------------------------------------------
// Running things

interface Finished {
  readonly code: number | null
  /** Wall time from spawn to the process's exit and the close of its pipes. */
  readonly ms: number
  /** Wall-clock time (ms since the epoch, with a fraction) just before the spawn. */
  readonly launchedAtMs: number
  /** Captured only when asked for; otherwise stdout goes to /dev/null. */
  readonly stdout: string
  readonly stderr: string
}

interface RunOptions {
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
  readonly captureStdout?: boolean
}

function run(executable: string, args: readonly string[], options: RunOptions = {}) {
  return new Promise<Finished>((resolve, reject) => {
    // timeOrigin + now() is the wall clock with a fraction of a millisecond, like `date +%N`.
    const launchedAtMs = performance.timeOrigin + performance.now()
    const started = performance.now()
    const child = spawn(executable, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', options.captureStdout ? 'pipe' : 'ignore', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) =>
      resolve({ code, ms: performance.now() - started, launchedAtMs, stdout, stderr })
    )
  })
}

function bash(script: string): Promise<Finished> {
  return run('bash', ['-c', script])
}

interface ActionRun {
  readonly inputs: Record<string, string>
  readonly workspace: string
  /** Extra environment, such as the artifact service's. */
  readonly env?: Record<string, string>
  readonly captureStdout?: boolean
  /** A command the action runs under, such as /usr/bin/time. */
  readonly wrapper?: readonly string[]
}

/** Runs the built action as the runner does; fails loudly if the action fails. */
async function runAction(options: ActionRun): Promise<Finished> {
  const runnerFiles = fs.mkdtempSync(path.join(scratch, 'runner-'))
  const files = ['output', 'summary', 'state'].map((name) => path.join(runnerFiles, name))
  files.forEach((file) => fs.writeFileSync(file, ''))
  const [output, summary, state] = files

  const env = {
    ...cleanEnvironment(),
    ...inputVariables(options.inputs),
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_STATE: state,
    RUNNER_TEMP: runnerFiles,
    ...options.env
  }
  const [executable, ...args] = [...(options.wrapper ?? []), process.execPath, DIST_ENTRY]
  try {
    const result = await run(executable, args, {
      env,
      cwd: options.workspace,
      captureStdout: options.captureStdout
    })
    requireSuccess(result, 'the action')
    return result
  } finally {
    fs.rmSync(runnerFiles, { recursive: true, force: true })
  }
}

/** This process's environment without anything that would steer the action. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const name of Object.keys(env)) {
    if (/^(INPUT_|ACTIONS_|GITHUB_|STATE_)/.test(name)) delete env[name]
  }
  delete env.BACKGROUND_TRAINING_ARTIFACT_DIR
  return env
}

/** The runner's convention: `log-path` becomes INPUT_LOG-PATH, hyphen kept. */
function inputVariables(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])
  )
}

function requireSuccess(result: Finished, what: string): void {
  if (result.code === 0) return
  const said = `${result.stdout}${result.stderr}`.slice(-2000)
  throw new Error(`${what} exited with ${result.code}:\n${said}`)
}

function emitCommand(bytes: number, mode: 'lines' | 'one-line' = 'lines'): string {
  return `python3 ${quote(EMIT)} ${bytes} ${mode}`
}

function writeScript(folder: string, text: string): string {
  const script = path.join(folder, 'script.sh')
  fs.writeFileSync(script, `${text}\n`)
  return script
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`
}

/** Runs `body` in a fresh folder that is removed afterwards, big files and all. */
async function inFolder<T>(body: (folder: string) => Promise<T>): Promise<T> {
  const folder = fs.mkdtempSync(path.join(scratch, 'run-'))
  try {
    return await body(folder)
  } finally {
    fs.rmSync(folder, { recursive: true, force: true })
  }
}

/**
 * Runs the action's measurement and the baseline's in turn, `repeats` times each, so that a
 * slow spell of the machine hits both alike.
 */
async function alternate(
  label: string,
  repeats: number,
  action: () => Promise<number>,
  baseline: () => Promise<number>
): Promise<{ action: number[]; baseline: number[] }> {
  const values = { action: [] as number[], baseline: [] as number[] }
  for (let i = 1; i <= repeats; i++) {
    progress(`${label}: run ${i}/${repeats}`)
    values.action.push(await action())
    values.baseline.push(await baseline())
  }
  return values
}

// ---------------------------------------------------------------------------------------------
// Reporting

function ratioRow(
  measurement: string,
  action: number[],
  baseline: number[],
  limit: number,
  format: (ms: number) => string
): Row {
  const ratio = median(action) / median(baseline)
  return {
    measurement,
    action: format(median(action)),
    baseline: format(median(baseline)),
    comparison: `${ratio.toFixed(2)}×`,
    target: `≤ ${limit}×`,
    met: ratio <= limit
  }
}

function renderReport(rows: readonly Row[], digest: string): string {
  const header = ['measurement', 'action', 'baseline', 'ratio / difference', 'target', 'met']
  const cells = rows.map((row) => [
    row.measurement,
    row.action,
    row.baseline,
    row.comparison,
    row.target,
    row.met === undefined ? 'n/a' : row.met ? 'yes' : 'no'
  ])
  return [
    '# Benchmark',
    '',
    `${machineDescription()}  `,
    `Node ${process.version}, ${new Date().toISOString()}, ${path.relative(PROJECT, DIST_ENTRY)} sha256 ${digest}  `,
    `Median of ${QUICK_REPEATS} runs (throughput, overhead, start-up) or ${HEAVY_REPEATS} runs ` +
      '(memory, upload, delay; the delay row shows the worst gap of all runs).',
    '',
    markdownTable(header, cells),
    '',
    'Regenerated by `npm run bench` (bench/run.ts); see the comments there for how each row ' +
      'is measured.',
    ''
  ].join('\n')
}

function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`
  const rule = `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

function machineDescription(): string {
  const cpus = os.cpus()
  const model = cpus[0]?.model.trim() || 'unknown CPU'
  const memory = (os.totalmem() / GiB).toFixed(1)
  return `Machine: ${model}, ${cpus.length} cores, ${memory} GiB memory, ${os.type()} ${os.release()}`
}

/** Which build was measured: the bundle changes more often than its version. */
function distDigest(): string {
  return createHash('sha256').update(fs.readFileSync(DIST_ENTRY)).digest('hex').slice(0, 12)
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

function stampsIn(text: string): number[] {
  return [...text.matchAll(/^(\d{19})$/gm)].map((match) => Number(match[1]) / 1e6)
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`
}

function milliseconds(ms: number): string {
  return `${ms.toFixed(1)} ms`
}

function mebibytes(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`
}

function signedMebibytes(bytes: number): string {
  return `${signed(bytes / MiB)} MiB`
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`)
}

// Last, so that every constant above is set before the measurements use it.
await main()
