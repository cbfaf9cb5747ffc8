// A camera thumbnail from `/live/<app>/<room>/frame.jpg`, revalidated with its ETag: the
// request carries If-None-Match, a 304 keeps the shown image, only a 200 swaps it (as a
// blob URL, the previous one released once the new one is decoded).
export class Thumbnail {
  constructor(img) {
    this.img = img;
    this.etag = null;
    this.url = null;
    this.busy = false;
    this.updates = 0;
  }

  /** Fetches `src` once; answers the HTTP status (0 on a network error, null if busy). */
  async refresh(src) {
    if (this.busy) return null;
    this.busy = true;
    try {
      const headers = this.etag ? { 'If-None-Match': this.etag } : {};
      const res = await fetch(src, { headers, cache: 'no-store' });
      if (res.status === 200) {
        const blob = await res.blob();
        const url = URL.createObjectURL(blob);
        const old = this.url;
        this.url = url;
        this.etag = res.headers.get('ETag');
        await new Promise((resolve) => {
          this.img.onload = this.img.onerror = resolve;
          this.img.src = url;
        });
        if (old) URL.revokeObjectURL(old);
        this.updates++;
        this.img.dataset.updates = String(this.updates);
        this.img.dataset.etag = this.etag ?? '';
      }
      return res.status;
    } catch {
      return 0;
    } finally {
      this.busy = false;
    }
  }

  dispose() {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
  }
}
