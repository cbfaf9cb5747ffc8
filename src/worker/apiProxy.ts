// `/api/*` on any worker: the request (body capped) is handed to the primary, which owns
// the control store and answers; the worker writes the answer back.
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { RequestChannel } from '../channel.js';
import type { ApiResponse, WorkerRequest } from '../protocol.js';
import type { Logger } from '../telemetry.js';
import { readBody, readRequest, sendError, statusLine } from './http.js';

/** Largest API request body. */
const MAX_API_BODY = 64 * 1024;
/** Largest body of the bulk key routes (up to 1000 cameras with 64-character rooms and identities). */
const MAX_BULK_API_BODY = 256 * 1024;
const BULK_PATH = /^\/api\/v1\/apps\/[^/]+\/ws-ingest\/bulk(-revoke)?\/?$/;
/** Headers the API may look at; nothing else crosses to the primary. */
const FORWARDED = ['authorization', 'content-type', 'if-none-match'];

export function apiRoute(primary: RequestChannel<WorkerRequest>, trusted: ReadonlySet<string>, log: Logger, shard: number) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const info = readRequest(res, req, trusted);
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const forward = (body: Buffer): void => {
      const headers: Record<string, string> = {};
      for (const h of FORWARDED) if (info.headers[h] !== undefined) headers[h] = info.headers[h]!;
      primary
        .request<ApiResponse>({ kind: 'api', method: info.method.toUpperCase(), path: info.url, query: info.query, headers, body: body.toString('utf8'), ip: info.ip })
        .then(
          (answer) => {
            if (aborted) return;
            res.cork(() => {
              res.writeStatus(statusLine(answer.status));
              res.writeHeader('Content-Type', 'application/json; charset=utf-8');
              res.writeHeader('Cache-Control', 'no-store');
              res.writeHeader('X-Framehub-Shard', String(shard));
              for (const [k, v] of Object.entries(answer.headers ?? {})) res.writeHeader(k, v);
              res.end(answer.body);
            });
          },
          (err: Error) => {
            log.error({ err: err.message, path: info.url }, 'API request failed');
            if (!aborted) sendError(res, 503, 'unavailable', 'the control plane did not answer; retry');
          },
        );
    };
    const hasBody = info.headers['content-length'] !== undefined || info.headers['transfer-encoding'] !== undefined;
    if (!hasBody) {
      forward(Buffer.alloc(0));
      return;
    }
    const limit = BULK_PATH.test(info.url) ? MAX_BULK_API_BODY : MAX_API_BODY;
    const declared = Number(info.headers['content-length'] ?? 0);
    if (declared > limit) {
      sendError(res, 413, 'payload_too_large', `request body over ${limit} bytes`);
      return;
    }
    readBody(res, limit, (body) => {
      if (aborted) return;
      if (body === null) sendError(res, 413, 'payload_too_large', `request body over ${limit} bytes`);
      else forward(body);
    });
  };
}
