// The URLs of a stream returned to API and CLI callers, built from the public base URL.

export interface StreamUrls {
  wsUrl: string;
  mjpegUrl: string;
  frameUrl: string;
  playerUrl: string;
  embedUrl: string;
}

export function streamUrls(base: string, app: string, room: string): StreamUrls {
  const ws = base.replace(/^http/, 'ws');
  const path = `${encodeURIComponent(app)}/${encodeURIComponent(room)}`;
  return {
    wsUrl: `${ws}/ingest/ws`,
    mjpegUrl: `${base}/live/${path}/mjpeg`,
    frameUrl: `${base}/live/${path}/frame.jpg`,
    playerUrl: `${base}/play/${path}`,
    embedUrl: `${base}/embed/${path}`,
  };
}
