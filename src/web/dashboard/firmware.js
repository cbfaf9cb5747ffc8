// The firmware's config.h for a freshly minted key, in the layout of
// firmware/esp32cam_ws_ingest/config.example.h: host, port and TLS come from the key's wsUrl.

/** A C string literal. */
const cstr = (s) => `"${String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Host, port and TLS of a ws(s):// URL, plus a warning when a camera could not reach it. */
export function endpointOf(wsUrl) {
  const u = new URL(wsUrl);
  const tls = u.protocol === 'wss:';
  const port = u.port ? Number(u.port) : tls ? 443 : 80;
  const local = /^(localhost|127\.|\[::1\]$)/.test(u.hostname);
  const prefixed = u.pathname !== '/ingest/ws';
  const warnings = [];
  if (local) warnings.push(`${u.hostname} is this machine's loopback name: set FRAMEHUB_PUBLIC_URL on the server (or edit FRAMEHUB_HOST) so the camera gets an address it can reach.`);
  if (prefixed) warnings.push(`The ingest path is ${u.pathname}; the sketch uses /ingest/ws: edit INGEST_PATH in the sketch.`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port, tls, warnings };
}

export function firmwareConfig({ app, room, streamKey, wsUrl }) {
  const { host, port, tls } = endpointOf(wsUrl);
  return `// framehub ESP32-CAM settings for ${app}/${room}: save as config.h next to the sketch.
#pragma once

// --- WiFi ---
#define WIFI_SSID "your-wifi"
#define WIFI_PASSWORD "your-wifi-password"

// --- framehub node (from ${wsUrl}) ---
#define FRAMEHUB_HOST ${cstr(host)}
#define FRAMEHUB_PORT ${port}
#define FRAMEHUB_USE_TLS ${tls ? 1 : 0}

// --- this camera ---
// A secret: anyone with it can publish as this camera.
#define FRAMEHUB_APP ${cstr(app)}
#define FRAMEHUB_ROOM ${cstr(room)}
#define FRAMEHUB_STREAM_KEY ${cstr(streamKey)}

// --- picture profile ---
// PROFILE_CCTV: QVGA @ 8 fps (~0.5-0.8 Mbps): hundreds of cameras on one node.
// PROFILE_BALANCED: VGA @ 15 fps, quality 12 (~2-3 Mbps): smaller fleets, better picture.
#define PROFILE_CCTV 1
#define PROFILE_BALANCED 2
#define FRAMEHUB_PROFILE PROFILE_BALANCED
`;
}
