// Host stub of the Arduino ESP32 core API the sketch uses (signatures as in
// espressif/arduino-esp32). Compile checks only: nothing here talks to hardware.
#pragma once
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

class String {
 public:
  String(const char *s = "") : s_(s) {}
  const char *c_str() const { return s_.c_str(); }
  unsigned int length() const { return (unsigned int)s_.size(); }

 private:
  std::string s_;
};

class HardwareSerial {
 public:
  void begin(unsigned long baud) { (void)baud; }
  size_t print(const char *s) { return (size_t)std::printf("%s", s); }
  size_t println(const char *s = "") { return (size_t)std::printf("%s\n", s); }
  size_t printf(const char *format, ...) __attribute__((format(printf, 2, 3))) {
    va_list args;
    va_start(args, format);
    int n = std::vprintf(format, args);
    va_end(args);
    return n < 0 ? 0 : (size_t)n;
  }
};
inline HardwareSerial Serial;

class EspClass {
 public:
  uint32_t getFreeHeap() { return 41232; }
  [[noreturn]] void restart() { std::exit(1); }
};
inline EspClass ESP;

inline unsigned long millis() {
  static unsigned long t = 0;
  return t += 7;
}
inline void delay(uint32_t ms) { (void)ms; }
inline bool psramFound() { return true; }
