// What the player's feed and the wall's socket share on their WebSocket: binary messages
// are pictures, texts are JSON (an unreadable one is skipped), and an `error` text says why
// before the server closes; a refusal to play (4401, 4403: a bad or missing token,
// playback off) is told apart from a lost connection, which is worth trying again.

/** Whether a close code refuses playback (no retry: the same request would be refused). */
export const isRefusal = (code) => code === 4401 || code === 4403;

/**
 * Hands `ws`'s binary messages to `binary(bytes)`, its JSON texts other than `error` to
 * `text(msg)`, and its close to `closed(code, detail)`, `detail` being the last error
 * text's (if any).
 */
export function listen(ws, { binary, text, closed }) {
  let error = null;
  ws.onmessage = (ev) => {
    if (typeof ev.data !== 'string') {
      binary(new Uint8Array(ev.data));
      return;
    }
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (msg.type === 'error') error = msg;
    else text(msg);
  };
  ws.onclose = (ev) => closed(ev.code, error?.detail);
}
