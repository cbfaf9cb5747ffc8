// Thumbnails for the cards on screen only: an IntersectionObserver keeps the set of visible
// cards (as the camera wall does), and every THUMB_MS the visible live ones are revalidated
// (If-None-Match; a 304 costs no picture). At most MAX_PER_TICK requests per round and
// MAX_PARALLEL at once, round robin when more cards are visible, so a huge screen cannot
// exceed the page's request budget. Cards off screen cost nothing.

const THUMB_MS = 2000;
const MAX_PER_TICK = 40;
const MAX_PARALLEL = 4;

export class ThumbnailScheduler {
  /**
   * `src(room)`: the frame.jpg URL of a room, or null (offline, or no play token yet: keep the
   * last picture); `onStatus(status, src)`: the HTTP status of each answer and the URL asked.
   */
  constructor(src, onStatus) {
    this.src = src;
    this.onStatus = onStatus;
    this.visible = new Map(); // card element -> card
    this.cursor = 0;
    this.timer = null;
    this.stopped = false;
    this.observer = new IntersectionObserver((entries) => this.#seen(entries), { rootMargin: '100px 0px' });
    /** Called with the cards that just came on screen. */
    this.onVisible = () => {};
  }

  observe(card) {
    this.observer.observe(card.el);
    this.cards ??= new WeakMap();
    this.cards.set(card.el, card);
  }

  unobserve(card) {
    this.observer.unobserve(card.el);
    this.visible.delete(card.el);
  }

  #seen(entries) {
    const shown = [];
    for (const e of entries) {
      const card = this.cards.get(e.target);
      if (!card) continue;
      if (e.isIntersecting) {
        if (!this.visible.has(e.target)) shown.push(card);
        this.visible.set(e.target, card);
      } else {
        this.visible.delete(e.target);
      }
    }
    if (shown.length) {
      this.onVisible(shown);
      this.#refresh(shown); // a card scrolled into view gets its picture at once
    }
  }

  isVisible(card) {
    return this.visible.has(card.el);
  }

  start() {
    const run = async () => {
      if (this.stopped) return;
      if (!document.hidden) await this.#refresh(this.#nextBatch());
      if (!this.stopped) this.timer = setTimeout(run, THUMB_MS);
    };
    this.timer = setTimeout(run, THUMB_MS);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.observer.disconnect();
    this.visible.clear();
  }

  #nextBatch() {
    const cards = [...this.visible.values()];
    if (cards.length <= MAX_PER_TICK) return cards;
    const batch = [];
    for (let i = 0; i < MAX_PER_TICK; i++) batch.push(cards[(this.cursor + i) % cards.length]);
    this.cursor = (this.cursor + MAX_PER_TICK) % cards.length;
    return batch;
  }

  async #refresh(cards) {
    const queue = [...cards];
    const worker = async () => {
      for (let card = queue.shift(); card && !this.stopped; card = queue.shift()) {
        // The URL is read per request: after a 401 the rest of the round waits for the new token.
        const src = this.src(card.room);
        if (!src) continue;
        const status = await card.thumbnail.refresh(src);
        if (status !== null) this.onStatus(status, src);
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_PARALLEL, queue.length) }, worker));
  }
}
