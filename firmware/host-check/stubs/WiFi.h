// Host stub of the ESP32 WiFi API the sketch uses (WiFiSTA/WiFiGeneric signatures).
#pragma once
#include "Arduino.h"

typedef enum { WIFI_OFF = 0, WIFI_STA = 1, WIFI_AP = 2, WIFI_AP_STA = 3 } wifi_mode_t;
typedef enum { WL_IDLE_STATUS = 0, WL_NO_SSID_AVAIL = 1, WL_CONNECTED = 3, WL_CONNECT_FAILED = 4, WL_DISCONNECTED = 6 } wl_status_t;

class IPAddress {
 public:
  String toString() const { return String("192.168.1.50"); }
};

class WiFiClass {
 public:
  bool mode(wifi_mode_t m) { (void)m; return true; }
  bool setSleep(bool enabled) { (void)enabled; return true; }
  wl_status_t begin(const char *ssid, const char *passphrase = NULL) { (void)ssid; (void)passphrase; return WL_CONNECTED; }
  wl_status_t status() { return WL_CONNECTED; }
  int8_t RSSI() { return -61; }
  IPAddress localIP() { return IPAddress(); }
};
inline WiFiClass WiFi;
