// framehub ESP32-CAM settings: copy this file to config.h (which git ignores) and fill it
// in. The sketch uses config.example.h only when config.h is missing (with a warning).
#pragma once

// --- WiFi ---
#define WIFI_SSID "your-wifi"
#define WIFI_PASSWORD "your-wifi-password"

// --- framehub node ---
// Host name only (no scheme, no path). With TLS on 443 behind nginx/HAProxy or framehub's
// own TLS listener; for a LAN test without TLS set FRAMEHUB_USE_TLS 0 and the port (8080).
#define FRAMEHUB_HOST "cams.example.com"
#define FRAMEHUB_PORT 443
#define FRAMEHUB_USE_TLS 1

// --- this camera ---
// The key minted for this room: POST /api/v1/apps/<app>/ws-ingest {"room":"<room>"} answers
// it once as "streamKey". It is a secret: anyone with it can publish as this camera.
#define FRAMEHUB_APP "live"
#define FRAMEHUB_ROOM "cam1"
#define FRAMEHUB_STREAM_KEY "wsk_replace-with-the-minted-key"

// --- picture profile ---
// PROFILE_CCTV: QVGA @ 8 fps (~0.5-0.8 Mbps): hundreds of cameras on one node.
// PROFILE_BALANCED: VGA @ 15 fps, quality 12 (~2-3 Mbps): smaller fleets, better picture.
#define PROFILE_CCTV 1
#define PROFILE_BALANCED 2
#define FRAMEHUB_PROFILE PROFILE_BALANCED
