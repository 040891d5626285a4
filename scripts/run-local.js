#!/usr/bin/env node
/**
 * Runs the built action on this machine, the way the runner would: each `--name value` flag
 * becomes the input `name`, and artifacts go to a local folder (see `--artifact-dir`).
 *
 *   npm start -- --command "python3 examples/train.py --mode single" --iterations 3 --delay 2s
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { parse as parseYaml } from 'yaml'

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const actionInputs = parseYaml(fs.readFileSync(path.join(projectRoot, 'action.yml'), 'utf8')).inputs
const inputNames = Object.keys(actionInputs)

const LOCAL_OPTIONS = {
  'artifact-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' }
}

main()

function main() {
  const flags = readFlags()
  if (flags.help) return printHelp()

  const outputFile = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'background-training-')),
    'outputs'
  )
  // @actions/core appends to this file and refuses one that does not exist.
  fs.writeFileSync(outputFile, '')
  const summaryFile = prepareSummaryFile(flags)
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist', 'index.js')], {
    stdio: 'inherit',
    env: { ...actionEnvironment(flags, outputFile), GITHUB_STEP_SUMMARY: summaryFile }
  })

  // A Ctrl-C in the terminal reaches the action directly (same process group), which passes it
  // on to the training and uploads the log; this script only waits for that. A SIGTERM sent
  // to this script alone is passed on.
  process.on('SIGINT', () => {})
  process.on('SIGTERM', () => child.kill('SIGTERM'))

  child.on('exit', (code, signal) => {
    printOutputs(outputFile)
    fs.rmSync(path.dirname(outputFile), { recursive: true, force: true })
    console.log(`\nJob summary: ${summaryFile}`)
    process.exitCode = code ?? (signal ? 1 : 0)
  })
}

function readFlags() {
  const options = Object.fromEntries(inputNames.map((name) => [name, { type: 'string' }]))
  try {
    return parseArgs({ options: { ...options, ...LOCAL_OPTIONS }, strict: true }).values
  } catch (error) {
    console.error(`${error.message}\n`)
    printHelp()
    process.exit(2)
  }
}

function actionEnvironment(flags, outputFile) {
  // npm runs scripts in the project's folder; INIT_CWD is where `npm start` was typed.
  const workspace = process.env.INIT_CWD || process.cwd()
  const env = { ...process.env, GITHUB_OUTPUT: outputFile, GITHUB_WORKSPACE: workspace }
  for (const name of inputNames) {
    // The runner's convention, which @actions/core reads back.
    if (flags[name] !== undefined) env[`INPUT_${name.toUpperCase()}`] = flags[name]
  }
  if (flags['artifact-dir']) env.BACKGROUND_TRAINING_ARTIFACT_DIR = flags['artifact-dir']
  // Without the runtime token the action stores artifacts locally; never use a stray one here.
  delete env.ACTIONS_RUNTIME_TOKEN
  return env
}

/** The job summary goes beside the artifacts, where a person looks for the run's results. */
function prepareSummaryFile(flags) {
  const folder =
    flags['artifact-dir'] || process.env.BACKGROUND_TRAINING_ARTIFACT_DIR || 'artifacts'
  const file = path.resolve(process.env.INIT_CWD || process.cwd(), folder, 'job-summary.md')
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, '')
  return file
}

/** Prints the `name<<delimiter` blocks that @actions/core wrote to the outputs file. */
function printOutputs(outputFile) {
  const text = fs.existsSync(outputFile) ? fs.readFileSync(outputFile, 'utf8') : ''
  const outputs = [...text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)]
  if (outputs.length === 0) return

  console.log('\nOutputs:')
  for (const [, name, , value] of outputs) console.log(`  ${name}: ${value}`)
}

function printHelp() {
  console.log('Usage: npm start -- --command "<training command>" [--<input> <value> ...]\n')
  console.log('Flags, one per input of action.yml:\n')
  for (const [name, input] of Object.entries(actionInputs)) {
    const fallback = input.required
      ? ' (required)'
      : input.default
        ? ` (default ${input.default})`
        : ''
    console.log(`  --${name}${fallback}\n      ${input.description.trim().replace(/\s+/g, ' ')}`)
  }
  console.log(
    '\n  --artifact-dir (default artifacts)\n      Local folder for artifacts and job-summary.md.'
  )
}
