// Stopping the system programs a test runs (HAProxy, nginx): SIGTERM, a grace period for
// a clean exit, then SIGKILL, so none outlives its test.
import type { ChildProcess } from 'node:child_process';

/** SIGTERM, wait up to `graceMs` for the exit, then SIGKILL. Does nothing if it already exited. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
