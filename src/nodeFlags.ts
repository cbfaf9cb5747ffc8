// How the server process is launched: V8 flags and the environment it needs before it starts.
// `npm start`, bin/framehub.js, the Dockerfile, the systemd unit and bench/ all pass these
// (test/launchers.test.ts, dockerfile.test.ts and systemd.test.ts hold them to it).
//
// - `--max-semi-space-size=1`: small young generations. Every thread's heap keeps up to three
//   semi-spaces of new space, and the frame path's short-lived garbage does not need more.
//   Measured on the 600-camera fleet bench: RSS 185 MB -> 145 MB at the same CPU per frame.
// - `--optimize-for-size`: V8 keeps its heaps smaller (earlier old-generation GCs, less
//   eager growth). Measured in a 7-minute soak at the fleet profile: steady RSS 151 -> 140 MB.
// - `MALLOC_ARENA_MAX=2`: glibc gives each thread that mallocs its own arena (up to 8 per
//   core); uWS, libuv and OpenSSL buffers in 3+ threads left fragmented arenas behind.
//   Measured the same way: 159 -> 151 MB. glibc reads it at process start only, so it
//   cannot be set from inside; a server started without it just uses more memory.
// bench/RESULTS.md (RSS) has the runs and their CPU figures.
// main.ts also sets the V8 flags at run time (for the worker isolates) when they were not passed.
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size'];
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
