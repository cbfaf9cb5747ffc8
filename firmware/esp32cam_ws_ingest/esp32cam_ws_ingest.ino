// framehub camera firmware for the AI-Thinker ESP32-CAM (OV2640).
//
// One TLS WebSocket to the framehub node, one JPEG per binary message, no relay and no
// transcoding. The OV2640 compresses JPEG in hardware; this sketch only moves buffers:
//   esp_camera_fb_get() -> webSocket.sendBIN(fb->buf, fb->len) -> esp_camera_fb_return(fb)
//
// Wire protocol (docs/protocol.md in the framehub repository):
//   - auth in the handshake: "Authorization: Bearer wsk_..." plus ?app=&room= in the path;
//   - the server answers {"type":"ready",...,"maxFps":15,"maxFrameBytes":262144,...} first:
//     nothing is sent before it, and its limits are honoured;
//   - before closing abnormally it sends {"type":"error","code":"4401","message":"invalid_key"}:
//     that text is the only reason this library lets us see (it does not report close codes);
//   - every 30 s a {"type":"stats",...} message (fps, RSSI, free heap) for the dashboard.
//
// Libraries: Arduino ESP32 core, arduinoWebSockets by Links2004 (2.7.x), esp32-camera (bundled
// with the core). Settings live in config.h (see config.example.h).
#include <Arduino.h>
#include <WiFi.h>
#include <WebSocketsClient.h>
#include "esp_camera.h"

#if __has_include("config.h")
#include "config.h"
#else
#warning "config.h not found: building with config.example.h (copy it to config.h and fill it in)"
#include "config.example.h"
#endif

// ---- AI-Thinker ESP32-CAM pin map ----
#define PWDN_GPIO_NUM 32
#define RESET_GPIO_NUM -1
#define XCLK_GPIO_NUM 0
#define SIOD_GPIO_NUM 26
#define SIOC_GPIO_NUM 27
#define Y9_GPIO_NUM 35
#define Y8_GPIO_NUM 34
#define Y7_GPIO_NUM 39
#define Y6_GPIO_NUM 36
#define Y5_GPIO_NUM 21
#define Y4_GPIO_NUM 19
#define Y3_GPIO_NUM 18
#define Y2_GPIO_NUM 5
#define VSYNC_GPIO_NUM 25
#define HREF_GPIO_NUM 23
#define PCLK_GPIO_NUM 22

// ---- profile ----
#if FRAMEHUB_PROFILE == PROFILE_CCTV
static const framesize_t FRAME_SIZE = FRAMESIZE_QVGA;
static const uint32_t TARGET_FPS = 8;
#else
static const framesize_t FRAME_SIZE = FRAMESIZE_VGA;
static const uint32_t TARGET_FPS = 15;
#endif
static const int JPEG_QUALITY = 12;  // 0-63, lower is better; 10-12 keeps VGA frames ~15-35 KB

static const uint32_t STATS_INTERVAL_MS = 30000;
static const unsigned long RECONNECT_INTERVAL_MS = 3000;

// The path carries app and room; the key goes in a header so it stays out of access logs.
static const char INGEST_PATH[] = "/ingest/ws?app=" FRAMEHUB_APP "&room=" FRAMEHUB_ROOM;
static const char AUTH_HEADER[] = "Authorization: Bearer " FRAMEHUB_STREAM_KEY;

// For production, pin the CA that signed your domain's certificate instead of trusting any
// certificate (download the root from your CA's site, e.g. ISRG Root X1 for Let's Encrypt,
// and paste the PEM here), then use webSocket.beginSslWithCA(...) in setup():
//
// static const char CA_ROOT_PEM[] =
//     "-----BEGIN CERTIFICATE-----\n"
//     "...the root certificate of your CA...\n"
//     "-----END CERTIFICATE-----\n";

WebSocketsClient webSocket;

// Limits from the server's "ready" message (defaults until it arrives).
static bool serverReady = false;
static uint32_t serverMaxFps = 15;
static size_t serverMaxFrameBytes = 262144;

static uint32_t frameIntervalMs = 1000 / TARGET_FPS;
static unsigned long lastFrameAt = 0;
static unsigned long lastStatsAt = 0;
static unsigned long fpsWindowStart = 0;
static uint32_t framesInWindow = 0;
static uint32_t measuredFps = 0;
static uint32_t framesTooLarge = 0;

// ---- a tiny reader for the server's flat JSON messages ----
// The server's messages are small, flat objects; extracting a few fields by hand keeps the
// sketch free of a JSON library and of heap allocations.

// Finds `"key":` in json and returns a pointer just after the colon, or NULL.
static const char *jsonField(const char *json, const char *key) {
  char pattern[32];
  snprintf(pattern, sizeof(pattern), "\"%s\":", key);
  const char *at = strstr(json, pattern);
  return at ? at + strlen(pattern) : NULL;
}

static long jsonNumber(const char *json, const char *key, long fallback) {
  const char *v = jsonField(json, key);
  return v ? strtol(v, NULL, 10) : fallback;
}

// Copies the string value of key into out (empty if absent).
static void jsonString(const char *json, const char *key, char *out, size_t outLen) {
  out[0] = '\0';
  const char *v = jsonField(json, key);
  if (!v || *v != '"') return;
  v++;
  size_t i = 0;
  while (*v && *v != '"' && i + 1 < outLen) out[i++] = *v++;
  out[i] = '\0';
}

static void applyReady(const char *json) {
  serverMaxFps = (uint32_t)jsonNumber(json, "maxFps", 15);
  serverMaxFrameBytes = (size_t)jsonNumber(json, "maxFrameBytes", 262144);
  uint32_t fps = TARGET_FPS < serverMaxFps ? TARGET_FPS : serverMaxFps;
  if (fps == 0) fps = 1;
  frameIntervalMs = 1000 / fps;
  serverReady = true;
  fpsWindowStart = millis();
  framesInWindow = 0;
  Serial.printf("[framehub] ready: sending at %u fps, frames up to %u bytes\n", (unsigned)fps, (unsigned)serverMaxFrameBytes);
}

static void onWebSocketEvent(WStype_t type, uint8_t *payload, size_t length) {
  switch (type) {
    case WStype_CONNECTED:
      Serial.printf("[framehub] connected to %s, waiting for ready\n", FRAMEHUB_HOST);
      serverReady = false;
      break;
    case WStype_DISCONNECTED:
      // Stop sending until the next "ready"; the library reconnects every 3 s by itself.
      if (serverReady) Serial.println("[framehub] disconnected");
      serverReady = false;
      break;
    case WStype_TEXT: {
      char text[512];
      size_t n = length < sizeof(text) - 1 ? length : sizeof(text) - 1;
      memcpy(text, payload, n);
      text[n] = '\0';
      char kind[16];
      jsonString(text, "type", kind, sizeof(kind));
      if (strcmp(kind, "ready") == 0) {
        applyReady(text);
      } else if (strcmp(kind, "error") == 0) {
        char code[8];
        char reason[32];
        jsonString(text, "code", code, sizeof(code));
        jsonString(text, "message", reason, sizeof(reason));
        // invalid_key / room_mismatch / unknown_app: fix config.h; ws_ingest_disabled,
        // max_cameras: ask the operator; rate_limited: wait; idle_timeout: camera stalled.
        Serial.printf("[framehub] server closes the connection: %s (%s)\n", reason, code);
      }
      break;
    }
    default:
      break;
  }
}

static bool initCamera() {
  camera_config_t config = {};
  config.ledc_channel = LEDC_CHANNEL_0;
  config.ledc_timer = LEDC_TIMER_0;
  config.pin_d0 = Y2_GPIO_NUM;
  config.pin_d1 = Y3_GPIO_NUM;
  config.pin_d2 = Y4_GPIO_NUM;
  config.pin_d3 = Y5_GPIO_NUM;
  config.pin_d4 = Y6_GPIO_NUM;
  config.pin_d5 = Y7_GPIO_NUM;
  config.pin_d6 = Y8_GPIO_NUM;
  config.pin_d7 = Y9_GPIO_NUM;
  config.pin_xclk = XCLK_GPIO_NUM;
  config.pin_pclk = PCLK_GPIO_NUM;
  config.pin_vsync = VSYNC_GPIO_NUM;
  config.pin_href = HREF_GPIO_NUM;
  config.pin_sccb_sda = SIOD_GPIO_NUM;
  config.pin_sccb_scl = SIOC_GPIO_NUM;
  config.pin_pwdn = PWDN_GPIO_NUM;
  config.pin_reset = RESET_GPIO_NUM;
  config.xclk_freq_hz = 20000000;
  config.pixel_format = PIXFORMAT_JPEG;
  config.frame_size = FRAME_SIZE;
  config.jpeg_quality = JPEG_QUALITY;
  // Two buffers and GRAB_LATEST: the sensor fills one while we send the other, and a frame
  // is never older than the previous send took (no backlog after a slow send).
  config.fb_count = 2;
  config.grab_mode = CAMERA_GRAB_LATEST;
  config.fb_location = CAMERA_FB_IN_PSRAM;
  if (!psramFound()) {
    // Without PSRAM only one small buffer fits in DRAM.
    config.frame_size = FRAMESIZE_QVGA;
    config.fb_count = 1;
    config.fb_location = CAMERA_FB_IN_DRAM;
    Serial.println("[camera] no PSRAM: QVGA, one buffer");
  }
  esp_err_t err = esp_camera_init(&config);
  if (err != ESP_OK) {
    Serial.printf("[camera] init failed: 0x%x\n", (unsigned)err);
    return false;
  }
  return true;
}

static void connectWiFi() {
  WiFi.mode(WIFI_STA);
  WiFi.setSleep(false);  // modem sleep adds latency and drops frames
  WiFi.begin(WIFI_SSID, WIFI_PASSWORD);
  Serial.printf("[wifi] connecting to %s", WIFI_SSID);
  while (WiFi.status() != WL_CONNECTED) {
    delay(250);
    Serial.print(".");
  }
  Serial.printf("\n[wifi] connected, IP %s, RSSI %d dBm\n", WiFi.localIP().toString().c_str(), (int)WiFi.RSSI());
}

static void sendFrame() {
  camera_fb_t *fb = esp_camera_fb_get();
  if (!fb) {
    Serial.println("[camera] capture failed");
    return;
  }
  if (fb->len > serverMaxFrameBytes) {
    // The server would close with 4413: skip it (lower the quality if this repeats).
    framesTooLarge++;
  } else if (webSocket.sendBIN(fb->buf, fb->len)) {
    framesInWindow++;
  }
  esp_camera_fb_return(fb);  // always give the buffer back to the driver
}

static void sendStats() {
  char msg[128];
  snprintf(msg, sizeof(msg), "{\"type\":\"stats\",\"fps\":%u,\"rssi\":%d,\"heapFree\":%u,\"tooLarge\":%u}", (unsigned)measuredFps, (int)WiFi.RSSI(), (unsigned)ESP.getFreeHeap(), (unsigned)framesTooLarge);
  webSocket.sendTXT(msg);
}

void setup() {
  Serial.begin(115200);
  Serial.println();
  Serial.println("[framehub] ESP32-CAM starting");
  if (!initCamera()) {
    delay(5000);
    ESP.restart();
  }
  connectWiFi();

#if FRAMEHUB_USE_TLS
  // Encrypted; accepts the server's certificate without checking it. For production use
  // the CA-pinned variant below.
  webSocket.beginSSL(FRAMEHUB_HOST, FRAMEHUB_PORT, INGEST_PATH);
  // webSocket.beginSslWithCA(FRAMEHUB_HOST, FRAMEHUB_PORT, INGEST_PATH, CA_ROOT_PEM);
#else
  webSocket.begin(FRAMEHUB_HOST, FRAMEHUB_PORT, INGEST_PATH);
#endif
  webSocket.setExtraHeaders(AUTH_HEADER);
  webSocket.onEvent(onWebSocketEvent);
  // Ping every 15 s, 3 s for the pong, drop after 2 misses (the server does the same).
  webSocket.enableHeartbeat(15000, 3000, 2);
  // Reconnect forever, every 3 s, after any close.
  webSocket.setReconnectInterval(RECONNECT_INTERVAL_MS);
}

void loop() {
  webSocket.loop();  // handles pings, pongs and incoming messages: call it often
  if (!serverReady) return;
  unsigned long now = millis();
  if (now - lastFrameAt >= frameIntervalMs) {
    lastFrameAt = now;
    sendFrame();
  }
  if (now - fpsWindowStart >= 5000) {
    measuredFps = framesInWindow * 1000 / (uint32_t)(now - fpsWindowStart);
    framesInWindow = 0;
    fpsWindowStart = now;
  }
  if (now - lastStatsAt >= STATS_INTERVAL_MS) {
    lastStatsAt = now;
    sendStats();
  }
}
