// Host check: the sketch (included whole, as the Arduino builder concatenates it) compiled
// and linked against the stubs; main() runs setup(), a ready message and a few loops.
#include SKETCH_FILE

int main() {
  setup();
  webSocket.emitForTest(WStype_CONNECTED, "");
  webSocket.emitForTest(WStype_TEXT, "{\"type\":\"ready\",\"room\":\"live-cam1\",\"streamId\":\"live-cam1/wscam-abc1\",\"maxFps\":15,\"maxFrameBytes\":262144,\"idleTimeoutSec\":30}");
  // The sketch honours the server's limits (min of its target fps and maxFps).
  if (!serverReady || serverMaxFrameBytes != 262144 || frameIntervalMs != 1000 / (TARGET_FPS < 15 ? TARGET_FPS : 15)) return 2;
  for (int i = 0; i < 100; i++) loop();
  webSocket.emitForTest(WStype_TEXT, "{\"type\":\"error\",\"code\":\"4401\",\"message\":\"invalid_key\"}");
  webSocket.emitForTest(WStype_DISCONNECTED, "");
  return serverReady ? 1 : 0;
}
