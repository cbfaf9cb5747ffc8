// A worker's last resort: an exception that escaped every handler guard (guard.ts) leaves
// the worker in an unknown state, so it closes all its sockets and exits, and the primary
// starts a fresh one (its cameras reconnect). Exiting with a live uWS App would abort the
// whole process; after app.close() it is safe. Unhandled rejections are only logged.
import type { Logger } from '../telemetry.js';

/** What the guard does before exiting; filled in as the worker's parts come to exist. */
interface FatalExit {
  /** Tells the primary this worker is dying (so another takes over accepting). */
  dying(): void;
  /** Waits (briefly) for that handover while this worker still accepts. */
  beforeClose: (() => void) | null;
  /** The uWS App whose sockets are closed. */
  app: { close(): void } | null;
}

export function exitOnUncaught(log: Logger, dying: () => void): FatalExit {
  const exit: FatalExit = { dying, beforeClose: null, app: null };
  process.on('uncaughtException', (err: Error) => {
    log.fatal({ err: { message: err.message, stack: err.stack } }, 'uncaught exception in worker; restarting this worker');
    try {
      // Before the listen socket goes, another worker must be accepting (accept balancing):
      // tell the primary and wait (briefly) until it says so.
      exit.dying();
      exit.beforeClose?.();
      exit.app?.close();
    } finally {
      log.flush();
      process.exit(1);
    }
  });
  process.on('unhandledRejection', (err) => log.error({ err: String(err) }, 'unhandled rejection in worker'));
  return exit;
}
