// The error table (src/errors.ts) against the published codes: the close codes and reason
// tokens of docs/protocol.md, the HTTP error codes of docs/api.md, and the values framehub
// answered before the table existed (so a code can change only with this test and the docs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ApiError, CloseCode, CloseReason, closeCodesOf, CodedError, ConfigError, describeFailure, ERRORS, HANDSHAKE_REFUSALS, statusOf } from '../src/errors.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const doc = (name: string): string => readFileSync(path.join(REPO, 'docs', name), 'utf8');

/** `| 4401 | \`a\`, \`b\` | ... |` rows: close code -> the tokens in its second column. */
function closeRows(markdown: string): [number, string[]][] {
  const rows: [number, string[]][] = [];
  for (const m of markdown.matchAll(/^\| (\d{4}) \| ([^|]*) \|/gm)) rows.push([Number(m[1]), [...m[2]!.matchAll(/`([a-z_]+)`/g)].map((t) => t[1]!)]);
  return rows;
}

/** Recorded for a socket that closed on its own (never sent as a reason): not in the table. */
const RECORDED_ONLY = new Set(['normal', 'ping_timeout', 'connection_lost']);

test('every close code and reason token of docs/protocol.md is the table\'s, and every token of the table is documented', () => {
  const protocol = doc('protocol.md');
  const rows = closeRows(protocol);
  assert.ok(rows.length >= 15, 'the close-code tables were found');
  for (const [code, tokens] of rows) {
    for (const token of tokens) {
      if (RECORDED_ONLY.has(token)) continue;
      assert.equal(CloseReason[token as keyof typeof CloseReason], code, `${token} closes with ${code} as docs/protocol.md says`);
    }
  }
  for (const token of Object.keys(CloseReason)) assert.ok(protocol.includes(`\`${token}\``), `docs/protocol.md names ${token}`);
});

test('every HTTP error code of docs/api.md has the table\'s status, and every HTTP code of the table is documented', () => {
  const api = doc('api.md');
  const table = [...api.matchAll(/^\| (\d{3}) \| `([a-z_]+)` \|/gm)].map((m) => [Number(m[1]), m[2]!] as const);
  assert.ok(table.length >= 12, 'the Errors table of docs/api.md was found');
  for (const [status, code] of table) assert.equal(ApiError[code as keyof typeof ApiError], status, `${code} answers ${status} as docs/api.md says`);
  const everywhere = api + doc('protocol.md');
  for (const code of Object.keys(ApiError)) assert.ok(everywhere.includes(`\`${code}\``), `docs/api.md or docs/protocol.md names ${code}`);
});

test('the derived views keep the values framehub answered before the table', () => {
  assert.deepEqual({ ...CloseCode }, { normal: 1000, goingAway: 1001, abnormal: 1006, internalError: 1011, tryAgainLater: 1013, unauthorized: 4401, forbidden: 4403, offline: 4404, idleTimeout: 4408, replaced: 4409, frameTooLarge: 4413, rateLimited: 4429 });
  assert.deepEqual({ ...CloseReason }, {
    invalid_key: 4401, unknown_app: 4401, room_mismatch: 4401, invalid_identity: 4401, key_revoked: 4401, invalid_token: 4401, token_expired: 4401, token_revoked: 4401,
    wrong_room: 4403, ws_ingest_disabled: 4403, quota_exceeded: 4403, max_cameras: 4403, node_full: 4403,
    rate_limited: 4429, too_many_viewers: 4429, stream_offline: 4404, stream_ended: 4404, idle_timeout: 4408, replaced: 4409, frame_too_large: 4413,
    going_away: 1001, unavailable: 1013, internal_error: 1011,
  });
  assert.deepEqual({ ...ApiError }, {
    rate_limited: 429, too_many_viewers: 429, stream_offline: 404, unavailable: 503,
    bad_request: 400, invalid_json: 400, invalid_field: 400, unauthorized: 401, invalid_play_token: 401, forbidden: 403, not_found: 404,
    method_not_allowed: 405, conflict: 409, payload_too_large: 413, internal: 500,
  });
  assert.deepEqual(HANDSHAKE_REFUSALS, ['invalid_key', 'unknown_app', 'room_mismatch', 'invalid_identity', 'ws_ingest_disabled', 'max_cameras', 'node_full', 'rate_limited', 'replaced']);
  assert.deepEqual(closeCodesOf('camera'), [1000, 1001, 1006, 1013, 4401, 4403, 4408, 4409, 4413, 4429]);
  assert.deepEqual(closeCodesOf('viewer'), [1000, 1001, 1006, 4401, 4403, 4404, 4429]);
});

test('a coded error carries its status and default message; one that is not an HTTP code is a 500', () => {
  assert.equal(new CodedError('not_found').status, 404);
  assert.equal(new CodedError('not_found').message, ERRORS.not_found.message);
  assert.equal(new CodedError('conflict', 'app x exists').message, 'app x exists');
  assert.deepEqual(JSON.parse(JSON.stringify(new CodedError('forbidden', 'no'))), { code: 'forbidden', message: 'no' });
  for (const code of ['worker_gone', 'timeout', 'cluster_node'] as const) assert.equal(new CodedError(code).status, 500);
  assert.equal(statusOf('no_such_code'), 500);
});

test('the entry point reports every failure one way: coded errors by code, refusals to start by message, bugs by stack', () => {
  assert.deepEqual(describeFailure(new CodedError('not_found', 'unknown app x')), { line: 'framehub: not_found: unknown app x', status: 3 });
  assert.deepEqual(describeFailure(new CodedError('cluster_node', 'refusing')), { line: 'framehub: cluster_node: refusing', status: 2 });
  assert.deepEqual(describeFailure(new ConfigError('PORT: must be a number')), { line: 'framehub: PORT: must be a number', status: 2 });
  // A worker's UwsFallbackError reaches the primary as a plain Error with its name.
  const fallback = Object.assign(new Error('no native uWebSockets.js build loads'), { name: 'UwsFallbackError' });
  assert.deepEqual(describeFailure(fallback), { line: 'framehub: no native uWebSockets.js build loads', status: 2 });
  const parse = Object.assign(new TypeError("Unknown option '--nope'"), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
  assert.equal(describeFailure(parse).status, 2);
  const bug = new Error('boom');
  assert.deepEqual(describeFailure(bug), { line: `framehub: ${bug.stack}`, status: 1 });
});
