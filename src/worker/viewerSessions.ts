// Viewer sessions that hold a play token (MJPEG, WS viewer, camera wall of a private app):
// a token is checked at connect and holds only until its `exp`, so the worker's sweep ends
// each session at its token's expiry (`token_expired`), and rotating an app's play secret
// ends every session of that app at once (`token_revoked`): old tokens stop working for
// new connections and for the ones already open. Public-app viewers hold no token and are
// not tracked here. Each end is counted (framehub_viewer_sessions_ended_total) and logged.
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../telemetry.js';

export type SessionEnd = 'token_expired' | 'token_revoked';

interface Session {
  app: string;
  /** When the session's play token expires, ms since epoch. */
  expiresAt: number;
  transport: 'mjpeg' | 'ws' | 'wall';
  end(reason: SessionEnd): void;
}

interface ViewerSessionsOptions {
  /** Where framehub_viewer_sessions_ended_total registers (the worker's metrics). */
  registry: Registry;
  log: Logger;
}

export class ViewerSessions {
  readonly #sessions = new Set<Session>();
  readonly #ended: Counter<'reason' | 'transport'>;
  readonly #log: Logger;

  constructor(options: ViewerSessionsOptions) {
    const { registry } = options;
    this.#log = options.log;
    this.#ended = new Counter({
      name: 'framehub_viewer_sessions_ended_total',
      help: 'Viewer sessions ended by framehub because their play token expired or the app\'s play secret was rotated',
      labelNames: ['reason', 'transport'],
      registers: [registry],
    });
    for (const reason of ['token_expired', 'token_revoked'] as const) for (const transport of ['mjpeg', 'ws', 'wall'] as const) this.#ended.inc({ reason, transport }, 0);
  }

  /** Tracks a session granted by a play token; returns the function that forgets it (call on close). */
  add(app: string, expiresAt: number, transport: Session['transport'], end: (reason: SessionEnd) => void): () => void {
    const session: Session = { app, expiresAt, transport, end };
    this.#sessions.add(session);
    return () => this.#sessions.delete(session);
  }

  /** Ends the sessions whose token has expired (run every second: they end within a second of `exp`). */
  sweep(now: number): void {
    this.#endWhere((s) => s.expiresAt <= now, 'token_expired');
  }

  /** The app's play secret changed: every token of it is void, so every session of it ends. */
  secretRotated(app: string): void {
    this.#endWhere((s) => s.app === app, 'token_revoked');
  }

  #endWhere(pred: (s: Session) => boolean, reason: SessionEnd): void {
    let n = 0;
    // A Set may lose members while it is iterated (this one's, or the ones an end closes): no copy needed.
    for (const s of this.#sessions) {
      if (!pred(s)) continue;
      this.#sessions.delete(s);
      this.#ended.inc({ reason, transport: s.transport });
      n++;
      try {
        s.end(reason);
      } catch (err) {
        this.#log.error({ err: (err as Error).message }, 'ending a viewer session failed');
      }
    }
    if (n) this.#log.info({ event: 'viewer_sessions_ended', reason, viewers: n }, reason === 'token_expired' ? 'viewers ended: play token expired' : 'viewers ended: play secret rotated');
  }
}
