// The PromQL helpers of the observability test: splitting alert conditions into the operands
// that must return data, and Grafana variable substitution.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropOffsets, operands, substitute } from './helpers/promql.js';

test('operands: top-level comparisons, set operators and vector matching modifiers', () => {
  assert.deepEqual(operands('instance:x:ratio > 0.8'), ['instance:x:ratio']);
  assert.deepEqual(operands('up{job="framehub"} == 0'), ['up{job="framehub"}']);
  assert.deepEqual(operands('rate(a{code!~"1000|1001", x=">"}[5m])'), ['rate(a{code!~"1000|1001", x=">"}[5m])']);
  assert.deepEqual(
    operands('sum without (side) (increase(c{side="camera"}[5m]))\n  > ignoring (code) group_left ()\nclamp_min(0.1 * max_over_time(n[1h]), 10)'),
    ['sum without (side) (increase(c{side="camera"}[5m]))', 'clamp_min(0.1 * max_over_time(n[1h]), 10)'],
  );
  assert.deepEqual(operands('max_over_time(u[1h])\nunless\n(u == 1 and age < 10)'), ['max_over_time(u[1h])', 'u', 'age']);
  assert.deepEqual(operands('increase(r[15m]) > 0\nor\n(r > 0 unless r offset 15m)'), ['increase(r[15m])', 'r', 'r offset 15m']);
  assert.deepEqual(operands('a >= bool b'), ['a', 'b']);
  assert.deepEqual(operands('a / on (x) group_right (y) b'), ['a / on (x) group_right (y) b'], 'arithmetic is not split');
  assert.deepEqual(operands('sum by (instance, reason) (rate(d[5m])) # per reason'), ['sum by (instance, reason) (rate(d[5m]))']);
  assert.deepEqual(operands('order_total or_else'), ['order_total or_else'], 'names containing or/and are not operators');
});

test('dropOffsets and substitute', () => {
  assert.equal(dropOffsets('r unless r offset 15m'), 'r unless r');
  assert.equal(substitute('rate(x{instance=~"$instance", room=~"${room}"}[$__rate_interval])', { instance: 'h:1', room: 'live-a', __rate_interval: '10s' }), 'rate(x{instance=~"h:1", room=~"live-a"}[10s])');
  assert.throws(() => substitute('x{a="$nope"}', {}), /no value for template variable \$nope/);
});
