// Host stub of Links2004/arduinoWebSockets' WebSocketsClient as built for the ESP32
// (HAS_SSL with SSL_AXTLS): the public methods the sketch may call, same signatures.
#pragma once
#include "Arduino.h"

typedef enum {
  WStype_ERROR,
  WStype_DISCONNECTED,
  WStype_CONNECTED,
  WStype_TEXT,
  WStype_BIN,
  WStype_FRAGMENT_TEXT_START,
  WStype_FRAGMENT_BIN_START,
  WStype_FRAGMENT,
  WStype_FRAGMENT_FIN,
  WStype_PING,
  WStype_PONG,
} WStype_t;

class WebSocketsClient {
 public:
  typedef std::function<void(WStype_t type, uint8_t *payload, size_t length)> WebSocketClientEvent;

  void begin(const char *host, uint16_t port, const char *url = "/", const char *protocol = "arduino") { (void)host, (void)port, (void)url, (void)protocol; }
  void beginSSL(const char *host, uint16_t port, const char *url = "/", const char *fingerprint = "", const char *protocol = "arduino") { (void)host, (void)port, (void)url, (void)fingerprint, (void)protocol; }
  void beginSslWithCA(const char *host, uint16_t port, const char *url = "/", const char *CA_cert = NULL, const char *protocol = "arduino") { (void)host, (void)port, (void)url, (void)CA_cert, (void)protocol; }
  void loop(void) {}
  void onEvent(WebSocketClientEvent cbEvent) { cb_ = cbEvent; }

  bool sendTXT(uint8_t *payload, size_t length = 0, bool headerToPayload = false) { (void)payload, (void)length, (void)headerToPayload; return true; }
  bool sendTXT(const uint8_t *payload, size_t length = 0) { (void)payload, (void)length; return true; }
  bool sendTXT(char *payload, size_t length = 0, bool headerToPayload = false) { (void)payload, (void)length, (void)headerToPayload; return true; }
  bool sendTXT(const char *payload, size_t length = 0) { (void)payload, (void)length; return true; }
  bool sendTXT(String &payload) { (void)payload; return true; }
  bool sendTXT(char payload) { (void)payload; return true; }

  bool sendBIN(uint8_t *payload, size_t length, bool headerToPayload = false) { (void)payload, (void)length, (void)headerToPayload; return true; }
  bool sendBIN(const uint8_t *payload, size_t length) { (void)payload, (void)length; return true; }

  bool sendPing(uint8_t *payload = NULL, size_t length = 0) { (void)payload, (void)length; return true; }
  void disconnect(void) {}
  void setAuthorization(const char *auth) { (void)auth; }
  void setExtraHeaders(const char *extraHeaders = NULL) { (void)extraHeaders; }
  void setReconnectInterval(unsigned long time) { (void)time; }
  void enableHeartbeat(uint32_t pingInterval, uint32_t pongTimeout, uint8_t disconnectTimeoutCount) { (void)pingInterval, (void)pongTimeout, (void)disconnectTimeoutCount; }
  void disableHeartbeat() {}
  bool isConnected(void) { return true; }

  /** Host-check only: deliver an event as the library would. */
  void emitForTest(WStype_t type, const char *text) {
    if (cb_) cb_(type, (uint8_t *)text, text ? std::strlen(text) : 0);
  }

 private:
  WebSocketClientEvent cb_;
};
