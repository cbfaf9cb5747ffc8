// Reads a latency stamp `fh:<seq>:<sendTimeMs>` from a JPEG COM segment, as the camera
// simulator (`stamp: true`) and the bench write it. Real cameras send no stamp: null.
const decoder = new TextDecoder('latin1');

export function readStamp(bytes) {
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    const len = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker === 0xda) return null; // image data starts: no stamp before it
    if (marker === 0xfe) {
      const m = /^fh:(\d+):(\d+(?:\.\d+)?)$/.exec(decoder.decode(bytes.subarray(i + 4, i + 2 + len)));
      return m ? { seq: Number(m[1]), sentAt: Number(m[2]) } : null;
    }
    i += 2 + len;
  }
  return null;
}
