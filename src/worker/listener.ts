// The worker's listen socket on the public port. Every worker listens at start; then the
// primary's accept balancer (src/primary/acceptBalancer.ts) says which workers keep
// accepting new connections. Closing the listen socket leaves every accepted connection
// where it is; the kernel (SO_REUSEPORT) hands new ones to the workers still listening.
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { UwsModule } from './uws.js';

interface ListenerOptions {
  uws: UwsModule;
  app: TemplatedApp;
  /** FRAMEHUB_HOST / HOST and the public port (0: any free port). */
  host: string;
  port: number;
}

export class Listener {
  readonly #uws: UwsModule;
  readonly #app: TemplatedApp;
  readonly #host: string;
  readonly #port: number;
  #socket: us_listen_socket | null = null;

  constructor(options: ListenerOptions) {
    this.#uws = options.uws;
    this.#app = options.app;
    this.#host = options.host;
    this.#port = options.port;
  }

  get accepting(): boolean {
    return this.#socket !== null;
  }

  /** Listens (if not already); returns the bound port, or -1 when the port could not be bound. */
  open(): number {
    if (this.#socket) return this.#uws.us_socket_local_port(this.#socket);
    let port = -1;
    this.#app.listen(this.#host, this.#port, (ls) => {
      if (!ls) return;
      this.#socket = ls;
      port = this.#uws.us_socket_local_port(ls);
    });
    return port;
  }

  /** Stops accepting new connections. */
  close(): void {
    if (this.#socket) this.#uws.us_listen_socket_close(this.#socket);
    this.#socket = null;
  }
}
