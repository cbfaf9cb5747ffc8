#!/usr/bin/env bash
# Compiles and runs the firmware sketch on the host against stub headers of the Arduino /
# ESP32 / arduinoWebSockets / esp32-camera APIs it uses, so a typo or a wrong call fails
# here. Usage: compile.sh [sketch-dir] (default: ../esp32cam_ws_ingest). This is not a
# build for the board: use the Arduino IDE or arduino-cli for that (firmware/README.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sketch_dir="$(cd "${1:-$here/../esp32cam_ws_ingest}" && pwd)"
ino="$sketch_dir/$(basename "$sketch_dir").ino"
[ -f "$ino" ] || { echo "no sketch $ino (the .ino must match its folder name)" >&2; exit 2; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# -x c++: the .ino is C++; the sketch folder comes first so its config.h (if any) is used.
g++ -std=gnu++17 -Wall -Wextra -Werror -Wno-cpp -I "$sketch_dir" -I "$here/stubs" \
  -DSKETCH_FILE="\"$ino\"" -x c++ "$here/main.cpp" -o "$out/sketch"
"$out/sketch" >/dev/null
echo "ok: $ino compiles against the host stubs"
