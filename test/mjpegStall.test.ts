// Stalled MJPEG viewers (issue 15, Low): a viewer whose backlog in uWS does not drain is
// closed by framehub after FRAMEHUB_MJPEG_STALL_SEC (counted, logged), instead of waiting
// for uWS's own timeout (which a slowly trickling client keeps resetting); a viewer that
// is slow but drains stays, skipping frames; a healthy one keeps full rate throughout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFrames } from '../src/camera/frames.js';
import { withComment } from '../src/jpeg.js';
import { mjpegReader, rawCamera } from './helpers/clients.js';
import { metricValue } from './helpers/metrics.js';
import { startTestServer } from './helpers/server.js';
import { sleep, waitFor } from './helpers/wait.js';

test('an MJPEG viewer that does not drain is closed after FRAMEHUB_MJPEG_STALL_SEC; slow-but-draining and healthy viewers stay', { timeout: 90_000 }, async (t) => {
  const srv = await startTestServer({ mjpegStallSec: 2, workers: 1 });
  // Big frames at a high rate fill the loopback socket buffers within seconds.
  assert.equal((await srv.api('PATCH', '/api/v1/apps/live', { maxFps: 60 })).status, 200);
  const key = await srv.mintKey('busy');
  const cam = rawCamera(srv.port, { room: 'busy', key: key.streamKey });
  await cam.ready;
  const frames = loadFrames('qvga').map((f, i) => withComment(f, `${i}:${'x'.repeat(60_000)}`));
  let n = 0;
  const timer = setInterval(() => cam.ws.send(frames[n++ % frames.length]!), 20);
  t.after(async () => {
    clearInterval(timer);
    cam.ws.close(1000);
    await srv.stop();
  });
  const url = `http://127.0.0.1:${srv.port}/live/live/busy/mjpeg`;
  const healthy = await mjpegReader(url);
  const stalled = await mjpegReader(url);
  const slow = await mjpegReader(url);
  await Promise.all([healthy, stalled, slow].map((r) => r.waitParts(2)));
  stalled.pause();
  // Slow: reads in bursts, 150 ms on, 150 ms off; it drains completely now and then.
  let reading = true;
  const toggler = setInterval(() => ((reading = !reading) ? slow.resume() : slow.pause()), 150);
  t.after(() => clearInterval(toggler));

  await waitFor(async () => metricValue(await srv.metrics(), 'framehub_mjpeg_stalled_closes_total') === 1, 30_000, 'the stalled viewer closed by framehub');
  // The client, reading again, finds its connection closed after what was already in flight.
  stalled.resume();
  await Promise.race([stalled.ended, sleep(10_000).then(() => assert.fail('the stalled viewer\'s connection is still open'))]);

  // The other two are still served (no rate is asserted: the machine may be busy).
  const [h, s] = [healthy.parts.length, slow.parts.length];
  await healthy.waitParts(h + 10, 20_000);
  await slow.waitParts(s + 1, 20_000);
  assert.equal(metricValue(await srv.metrics(), 'framehub_mjpeg_stalled_closes_total'), 1, 'the slow viewer was not closed');
  clearInterval(toggler);
  healthy.close();
  slow.close();
});
