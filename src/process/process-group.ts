/**
 * Stopping everything an iteration started. On POSIX the command runs as the leader of its own
 * process group, so one signal reaches its children and grandchildren too. Windows has no
 * process groups; there `taskkill /T` walks the tree from the iteration's process, which misses
 * descendants whose parent has already exited.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

const isWindows = process.platform === 'win32'
const POLL_MS = 50

/** Sends `signal` to the group led by `pid`; false when no process of the group is left. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  if (isWindows) return killTreeOnWindows(pid)
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}

/** Whether any process of the group led by `pid` is still running. */
export function groupIsAlive(pid: number): boolean {
  if (isWindows) return false
  // The probe is cheap and settles the common case (the group is gone); only a group that
  // still exists is worth a look through /proc, to tell zombies from running processes.
  if (!groupExists(pid)) return false
  return process.platform === 'linux' ? livingMembersOnLinux(pid) > 0 : true
}

function groupExists(pid: number): boolean {
  try {
    process.kill(-pid, 0)
    return true
  } catch (error) {
    // EPERM means the processes exist but belong to another user: still there.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Counts the group's processes that are not zombies. A signal probe cannot tell them apart,
 * and where PID 1 does not reap orphans (many containers) a killed child stays a zombie forever.
 */
function livingMembersOnLinux(groupId: number): number {
  let living = 0
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readProcStat(entry)
    if (stat && stat.groupId === groupId && stat.state !== 'Z') living += 1
  }
  return living
}

function readProcStat(pid: string): { state: string; groupId: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may hold spaces and parentheses; the fields after its last ')' do not.
    const [state, , groupId] = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { state, groupId: Number(groupId) }
  } catch {
    return undefined // the process ended while the list was read
  }
}

export type StopResult = 'nothing-left' | 'terminated' | 'killed'

/** `signal` (SIGTERM unless told) to the group, then SIGKILL to what is left after `graceMs`. */
export async function stopGroup(
  pid: number,
  graceMs: number,
  signal: NodeJS.Signals = 'SIGTERM'
): Promise<StopResult> {
  // No signals to send on Windows: the tree is ended at once, or is already gone.
  if (isWindows) return killTreeOnWindows(pid) ? 'killed' : 'nothing-left'
  if (!groupIsAlive(pid)) return 'nothing-left'

  signalGroup(pid, signal)
  if (await waitForGroupExit(pid, graceMs)) return 'terminated'

  signalGroup(pid, 'SIGKILL')
  await waitForGroupExit(pid, graceMs)
  return 'killed'
}

async function waitForGroupExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (groupIsAlive(pid)) {
    if (Date.now() >= deadline) return false
    await sleep(POLL_MS)
  }
  return true
}

function killTreeOnWindows(pid: number): boolean {
  const result = spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true })
  return result.status === 0
}
