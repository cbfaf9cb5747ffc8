// One camera handshake against a node, to time when a stream key becomes usable there:
// resolves true on `ready` (then closes), else why not (the node refused the key, or the
// connection failed).
import WebSocket from 'ws';

function tryCamera(port: number, room: string, key: string): Promise<true | string> {
  return new Promise((resolve) => {
    const q = new URLSearchParams({ app: 'live', room });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ingest/ws?${q}`, 'arduino', { headers: { Authorization: `Bearer ${key}` }, perMessageDeflate: false });
    let done = false;
    const finish = (ok: true | string): void => {
      if (done) return;
      done = true;
      resolve(ok);
      ws.close(1000);
    };
    ws.on('message', (data, isBinary) => {
      if (!isBinary && data.toString().includes('"ready"')) finish(true);
    });
    ws.on('unexpected-response', (_req, res) => finish(`HTTP ${res.statusCode}`));
    ws.on('error', (err) => finish(err.message));
    ws.on('close', (code, reason) => finish(`${code} ${reason}`));
  });
}

/** Tries the handshake until it succeeds; the number of attempts it took. Throws after `timeoutMs`. */
export async function waitCameraAccepted(port: number, room: string, key: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (let attempts = 1; ; attempts++) {
    const r = await tryCamera(port, room, key);
    if (r === true) return attempts;
    if (performance.now() > deadline) throw new Error(`key for ${room} not accepted on port ${port} within ${timeoutMs} ms (${attempts} attempts, last: ${r})`);
  }
}
