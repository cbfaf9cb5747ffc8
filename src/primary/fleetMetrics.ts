// Per-app fleet health gauges for SREs: cameras by state (live / away / offline / never seen),
// weak signal, low heap and flapping cameras. Computed at scrape time from the primary's
// tables (FleetHealth.countsByApp, one key scan per scrape), so they cost nothing per frame
// and exist whether or not per-camera series are on.
import { Gauge, type Registry } from 'prom-client';
import { FLEET_STATES, type FleetCounts, type FleetHealth } from './fleet.js';

/** One computation serves every gauge of the same scrape. */
const MEMO_MS = 200;

export function registerFleetMetrics(registry: Registry, fleet: FleetHealth, apps: () => string[]): void {
  let memo: { at: number; counts: Map<string, FleetCounts> } | null = null;
  const counts = (): Map<string, FleetCounts> => {
    const now = Date.now();
    if (!memo || now - memo.at > MEMO_MS) memo = { at: now, counts: fleet.countsByApp(apps()) };
    return memo.counts;
  };
  const r = [registry];
  new Gauge({ name: 'framehub_app_cameras', help: 'Camera rooms of an app by state: live, away (reconnect grace), offline (seen before), never (key never used)', labelNames: ['app', 'state'], registers: r, collect() {
    this.reset();
    for (const [app, c] of counts()) for (const state of FLEET_STATES) this.set({ app, state }, c[state]);
  } });
  const perApp = (name: string, help: string, pick: (c: FleetCounts) => number): void => {
    new Gauge({ name, help, labelNames: ['app'], registers: r, collect() {
      this.reset();
      for (const [app, c] of counts()) this.set({ app }, pick(c));
    } });
  };
  const t = fleet.thresholds;
  perApp('framehub_app_cameras_weak_signal', `Live cameras of an app whose last stats message reports RSSI below ${t.weakRssiDbm} dBm (FRAMEHUB_WEAK_RSSI_DBM)`, (c) => c.weakSignal);
  perApp('framehub_app_cameras_low_heap', `Live cameras of an app whose last stats message reports free heap below ${t.lowHeapBytes} bytes (FRAMEHUB_LOW_HEAP_BYTES)`, (c) => c.lowHeap);
  perApp('framehub_app_cameras_flapping', `Cameras of an app that connected at least ${t.flapConnectsPerHour} times in the last hour (FRAMEHUB_FLAP_CONNECTS_PER_HOUR)`, (c) => c.flapping);
}
