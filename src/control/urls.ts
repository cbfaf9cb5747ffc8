// The URLs of a stream returned to API and CLI callers, built from the public base URL.

export interface StreamUrls {
  wsUrl: string;
  mjpegUrl: string;
  frameUrl: string;
  playerUrl: string;
  embedUrl: string;
}

/** The WebSocket form of the public base URL (http -> ws, https -> wss). */
export function wsBase(base: string): string {
  return base.replace(/^http/, 'ws');
}

export function streamUrls(base: string, app: string, room: string): StreamUrls {
  const ws = wsBase(base);
  const path = `${encodeURIComponent(app)}/${encodeURIComponent(room)}`;
  return {
    wsUrl: `${ws}/ingest/ws`,
    mjpegUrl: `${base}/live/${path}/mjpeg`,
    frameUrl: `${base}/live/${path}/frame.jpg`,
    playerUrl: `${base}/play/${path}`,
    embedUrl: `${base}/embed/${path}`,
  };
}
