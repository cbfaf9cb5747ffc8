// One reusable receive buffer per generator thread, handed to every socket through
// net's `onread` option: incoming bytes land in it and are parsed at once, so receiving
// a frame allocates nothing (per-chunk Buffers made the generator's own GC pauses, not
// the server, the largest part of the measured p99).
export const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
