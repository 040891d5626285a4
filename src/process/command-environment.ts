/**
 * The environment the training command sees: the job's, as a `run:` step would see it, minus
 * the credentials the runner hands only to actions.
 */

// The runtime token can upload artifacts and write caches for this run; a `run:` step never
// sees it, and neither should training code or its dependencies.
const ACTION_ONLY_VARIABLES = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RUNTIME_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_URL'
]

export function commandEnvironment(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string> = {}
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(base)) {
    // INPUT_* are this action's own `with:` values, which a `run:` step does not get either.
    if (name.startsWith('INPUT_') || ACTION_ONLY_VARIABLES.includes(name)) continue
    env[name] = value
  }

  // Python buffers stdout when it is a pipe, which would hold lines back until exit.
  env.PYTHONUNBUFFERED ??= '1'
  return { ...env, ...extra }
}
