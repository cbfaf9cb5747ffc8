// The Grafana files checked without a Grafana (not installable here): provisioning points
// at the dashboards folder and a Prometheus data source with the uid the dashboards use;
// each dashboard is a well-formed JSON model (schemaVersion 39, unique ids, panels inside
// the 24-column grid without overlaps, a query per target, only known variables) and
// covers what SREs need. That every query returns data is test/observability.test.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO } from './helpers/paths.js';

const GRAFANA = path.join(REPO, 'grafana');
const read = (p: string): string => readFileSync(path.join(GRAFANA, p), 'utf8');
const DS_UID = 'framehub-prometheus';
const BUILTIN_VARS = new Set(['__rate_interval', '__interval', '__range', '__interval_ms', '__range_s']);

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { uid: string } }[];
  panels?: Panel[];
}
const dashboards = readdirSync(path.join(GRAFANA, 'dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, json: JSON.parse(read(`dashboards/${f}`)) as { uid: string; title: string; schemaVersion: number; panels: Panel[]; templating: { list: { name: string; type: string; query: unknown; current?: { value?: string }; multi?: boolean; includeAll?: boolean; allValue?: string }[] } } }));
const flat = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...flat(p.panels ?? [])]);
const exprsOf = (uid: string): string => flat(dashboards.find((d) => d.json.uid === uid)!.json.panels).flatMap((p) => p.targets ?? []).map((t) => t.expr).join('\n');

test('provisioning: a Prometheus data source with a fixed uid, and a provider for the dashboards folder', () => {
  const ds = read('provisioning/datasources/framehub.yml');
  assert.match(ds, /^apiVersion: 1$/m);
  assert.match(ds, /^\s+type: prometheus$/m);
  assert.match(ds, new RegExp(`^\\s+uid: ${DS_UID}$`, 'm'));
  assert.match(ds, /^\s+url: http:\/\/\S+$/m);
  const provider = read('provisioning/dashboards/framehub.yml');
  assert.match(provider, /^apiVersion: 1$/m);
  assert.match(provider, /^\s+type: file$/m);
  const dir = /^\s+path: \$\{GF_PATHS_PROVISIONING\}\/(\S+)$/m.exec(provider);
  assert.ok(dir, 'the provider path is relative to the provisioning folder');
  assert.equal(path.resolve(GRAFANA, 'provisioning', dir[1]!), path.join(GRAFANA, 'dashboards'));
  assert.ok(dashboards.length >= 2);
});

for (const { file, json } of dashboards) {
  test(`dashboard ${file}: a valid Grafana dashboard model`, () => {
    assert.equal(json.schemaVersion, 39);
    assert.match(json.uid, /^[a-z0-9-]{1,40}$/);
    assert.ok(json.title.startsWith('framehub / '));
    const vars = json.templating.list;
    const dsVar = vars.find((v) => v.type === 'datasource');
    assert.ok(dsVar, 'has a data source variable');
    assert.equal(dsVar.current?.value, DS_UID, 'defaults to the provisioned data source');
    const names = new Set(vars.map((v) => v.name));
    for (const v of vars.filter((x) => x.type === 'query')) assert.match(String(v.query), /^label_values\(/);

    const panels = flat(json.panels);
    assert.equal(new Set(panels.map((p) => p.id)).size, panels.length, 'panel ids are unique');
    for (const p of panels) {
      const { x, y, w, h } = p.gridPos;
      assert.ok(x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0, `${p.title}: gridPos ${JSON.stringify(p.gridPos)}`);
      if (p.type === 'row') continue;
      assert.ok(['timeseries', 'stat', 'gauge'].includes(p.type), `${p.title}: panel type ${p.type}`);
      assert.equal(p.datasource?.uid, '${datasource}', `${p.title}: uses the data source variable`);
      assert.ok(p.targets && p.targets.length > 0, `${p.title}: has queries`);
      assert.equal(new Set(p.targets.map((t) => t.refId)).size, p.targets.length, `${p.title}: refIds unique`);
      for (const t of p.targets) {
        assert.ok(t.expr.trim().length > 0, `${p.title}: empty expr`);
        assert.equal(t.datasource?.uid, '${datasource}');
        for (const m of t.expr.matchAll(/\$\{?(\w+)/g)) assert.ok(names.has(m[1]!) || BUILTIN_VARS.has(m[1]!), `${p.title}: unknown variable $${m[1]}`);
      }
    }
    // No two panels overlap.
    const boxes = panels.map((p) => ({ t: p.title, ...p.gridPos }));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `panels "${a.t}" and "${b.t}" overlap`);
      }
    }
  });
}

test('the fleet overview shows cameras, fps, bandwidth against the link, utilisation, headroom, drops, close codes, latency and shard balance', () => {
  const e = exprsOf('framehub-fleet');
  for (const needle of [
    'instance:framehub_cameras:sum', 'framehub_frames_received_total', 'instance:framehub_received_bytes:rate1m', 'instance:framehub_sent_bytes:rate1m',
    'framehub_link_capacity_bytes_per_second', 'instance:framehub_link_utilisation:ratio', 'instance:framehub_camera_headroom:cameras',
    'framehub_frames_dropped_total', 'framehub_ws_closes_total', 'framehub_handshake_rejections_total', 'instance:framehub_hub_latency_seconds:p50_rate5m',
    'instance:framehub_hub_latency_seconds:p99_rate5m', 'framehub_shard_cameras', 'framehub_shard_viewers', 'framehub_shard_event_loop_delay_p99_seconds',
    'framehub_worker_restarts_total', 'framehub_viewers',
  ]) assert.ok(e.includes(needle), `fleet overview has no panel on ${needle}`);
});

test('the camera view has a room variable and shows fps, bytes, RSSI, heap, viewers, drops and reconnects', () => {
  const cam = dashboards.find((d) => d.json.uid === 'framehub-camera')!.json;
  const room = cam.templating.list.find((v) => v.name === 'room');
  assert.ok(room && /label_values\(framehub_camera_up\{.*\}, room\)/.test(String(room.query)));
  const e = exprsOf('framehub-camera');
  for (const needle of ['framehub_camera_fps', 'framehub_camera_received_bytes_total', 'framehub_camera_rssi_dbm', 'framehub_camera_heap_free_bytes', 'framehub_camera_viewers', 'framehub_camera_dropped_frames_total', 'framehub_camera_reconnects_total', 'framehub_camera_frame_age_seconds', 'framehub_camera_up']) {
    assert.ok(e.includes(needle), `camera view has no panel on ${needle}`);
  }
  assert.ok(e.includes('room=~"$room"'));
});

// A metric name in a query: framehub_*, a recording rule (level:metric:op), process/nodejs defaults, up.
const METRIC = /(?<![\w:$"])(framehub_\w+|[a-z_]+:[\w:]+|process_\w+|nodejs_\w+|up)(?![\w:(])\s*(\{[^}]*\})?/g;

for (const { file, json } of dashboards) {
  test(`dashboard ${file}: a multi-select Node variable (with All) filters every query`, () => {
    const v = json.templating.list.find((x) => x.name === 'instance') as { type: string; query: unknown; multi?: boolean; includeAll?: boolean; allValue?: string } | undefined;
    assert.ok(v && v.type === 'query', 'has an instance variable');
    assert.match(String(v.query), /^label_values\(\w+(\{[^}]*\})?, instance\)$/);
    assert.equal(v.multi, true, 'multi-select');
    assert.equal(v.includeAll, true, 'includes All');
    assert.equal(v.allValue, '.*', 'All matches every node, also ones not yet listed');
    for (const other of json.templating.list.filter((x) => x.type === 'query' && x.name !== 'instance')) assert.ok(String(other.query).includes('instance=~"$instance"'), `variable ${other.name} follows the Node selection`);
    let selectors = 0;
    for (const p of flat(json.panels)) {
      for (const t of p.targets ?? []) {
        for (const m of t.expr.matchAll(METRIC)) {
          selectors++;
          assert.ok(m[2]?.includes('instance=~"$instance"'), `${p.title}: ${m[1]} is not filtered by instance=~"$instance" in ${t.expr}`);
        }
      }
    }
    assert.ok(selectors >= 20, `${selectors} metric selectors found`);
  });
}

test('the fleet overview has a Cluster capacity row: nodes up, links in use across nodes, per-node utilisation, cameras per node, cluster headroom', () => {
  const fleet = dashboards.find((d) => d.json.uid === 'framehub-fleet')!.json;
  const rows = fleet.panels.filter((p) => p.type === 'row');
  const i = rows.findIndex((r) => r.title === 'Cluster capacity');
  assert.ok(i >= 0, 'has a Cluster capacity row');
  // The row's panels: those between it and the next row (rows here are not collapsed).
  const top = rows[i]!.gridPos.y;
  const bottom = rows[i + 1]?.gridPos.y ?? Infinity;
  const panels = fleet.panels.filter((p) => p.type !== 'row' && p.gridPos.y > top && p.gridPos.y < bottom);
  const exprs = (title: RegExp): string[] => panels.filter((p) => title.test(p.title)).flatMap((p) => p.targets!.map((t) => t.expr.replaceAll(/\s+/g, ' ')));
  const I = '{instance=~"$instance"}';
  assert.ok(exprs(/^Nodes up$/).includes('sum(up{job="framehub", instance=~"$instance"})'));
  const links = exprs(/links in use/);
  assert.ok(links.includes(`sum(instance:framehub_received_bytes:rate1m${I}) / sum(framehub_link_capacity_bytes_per_second${I})`), 'inbound over the summed capacity');
  assert.ok(links.includes(`sum(instance:framehub_sent_bytes:rate1m${I}) / sum(framehub_link_capacity_bytes_per_second${I})`), 'outbound over the summed capacity');
  assert.ok(links.some((e) => e.includes('+') && e.includes('2 * sum(framehub_link_capacity_bytes_per_second')), 'in + out over both directions');
  assert.ok(exprs(/utilisation per node/).some((e) => e.startsWith(`instance:framehub_link_utilisation:ratio${I}`) && e.includes('group_left (node) framehub_node_info')));
  assert.ok(exprs(/^Cameras per node$/).some((e) => e.startsWith(`instance:framehub_cameras:sum${I}`)));
  const headroom = exprs(/headroom/i);
  assert.ok(headroom.includes(`sum(instance:framehub_camera_headroom_80pct:cameras${I})`));
  assert.ok(headroom.some((e) => e.includes('- max(')), 'headroom that survives losing one node');
  for (const p of panels) assert.ok(p.description && p.description.length > 20, `${p.title}: says what it shows`);
});

test('the fleet overview has a Fleet health row: cameras by state, share offline, weak signal and low heap, flapping (issue 16)', () => {
  const fleet = dashboards.find((d) => d.json.uid === 'framehub-fleet')!.json;
  const rows = fleet.panels.filter((p) => p.type === 'row');
  const i = rows.findIndex((r) => r.title === 'Fleet health');
  assert.ok(i >= 0, 'has a Fleet health row');
  const top = rows[i]!.gridPos.y;
  const bottom = rows[i + 1]?.gridPos.y ?? Infinity;
  const exprs = fleet.panels.filter((p) => p.type !== 'row' && p.gridPos.y > top && p.gridPos.y < bottom).flatMap((p) => p.targets!.map((t) => t.expr)).join('\n');
  for (const needle of ['framehub_app_cameras{', 'state=~"offline|away"', 'framehub_app_cameras_weak_signal', 'framehub_app_cameras_low_heap', 'framehub_app_cameras_flapping']) {
    assert.ok(exprs.includes(needle), `Fleet health has no panel on ${needle}`);
  }
});
