// The primary's once-a-second loop: samples stream rates and fleet health, and notices
// changes made outside this process (the CLI on the same data dir) as a new store revision:
// then it re-sends the app table and closes the cameras whose app is gone, whose app no
// longer takes WS ingest, or whose key was revoked. One pass over the live cameras, each
// app looked up once: O(cameras), not one scan per camera.
import type { CloseReasonToken } from '../errors.js';
import type { App, ControlStore } from '../keys.js';
import { KICK_MESSAGE } from '../control/service.js';
import type { CameraRegistry } from './cameras.js';

const HOUSEKEEPING_INTERVAL_MS = 1000;

export interface HousekeepingDeps {
  store: Pick<ControlStore, 'revision' | 'getApp' | 'getKey'>;
  cameras: Pick<CameraRegistry, 'list' | 'kickWhere'>;
  /** Once a second, revision changed or not (rates, fleet health). */
  tick(): void;
  /** The store changed outside this process: tell the workers the app table. */
  appsChanged(): void;
}

/** The cameras the store no longer admits, by reason (connection ids). */
export function camerasToClose(deps: Pick<HousekeepingDeps, 'store' | 'cameras'>): Map<keyof typeof KICK_MESSAGE, Set<number>> {
  const apps = new Map<string, App | undefined>();
  const out = new Map<keyof typeof KICK_MESSAGE, Set<number>>();
  const close = (reason: keyof typeof KICK_MESSAGE, connId: number): void => {
    let set = out.get(reason);
    if (!set) out.set(reason, (set = new Set()));
    set.add(connId);
  };
  for (const c of deps.cameras.list()) {
    if (!apps.has(c.app)) apps.set(c.app, deps.store.getApp(c.app));
    const app = apps.get(c.app);
    if (!app) close('unknown_app', c.connId);
    else if (!app.wsIngest) close('ws_ingest_disabled', c.connId);
    else if (!deps.store.getKey(c.keyId)) close('key_revoked', c.connId);
  }
  return out;
}

/** Starts the loop; returns its stop. */
export function startHousekeeping(deps: HousekeepingDeps): () => void {
  let revision = deps.store.revision();
  const timer = setInterval(() => {
    deps.tick();
    const now = deps.store.revision();
    if (now === revision) return;
    revision = now;
    deps.appsChanged();
    for (const [reason, connIds] of camerasToClose(deps)) deps.cameras.kickWhere((x) => connIds.has(x.connId), reason satisfies CloseReasonToken, KICK_MESSAGE[reason]);
  }, HOUSEKEEPING_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
