// HTTP helpers for uWS handlers: copy what a request says while it is valid (uWS's
// HttpRequest dies when the handler returns), find the client address, answer JSON.
import { STATUS_CODES } from 'node:http';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { errorBody } from '../errors.js';

export interface RequestInfo {
  method: string;
  url: string;
  /** Raw query string (read once: uWS decodes getQuery(name) in place). */
  query: string;
  params: URLSearchParams;
  headers: Record<string, string>;
  ip: string;
}

/** Normalises uWS's address text (`0000:...:ffff:7f00:0001`) to a usual IP string. */
function normaliseIp(raw: string): string {
  const v4mapped = /^(?:0{1,4}:){5}ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(raw);
  if (v4mapped) {
    const hi = parseInt(v4mapped[1]!, 16);
    const lo = parseInt(v4mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  if (raw.startsWith('::ffff:') && raw.includes('.')) return raw.slice(7);
  if (!raw.includes(':')) return raw;
  // Compress a full IPv6 form: drop leading zeros, collapse the longest run of zero groups.
  const groups = raw.split(':').map((g) => g.replace(/^0+(?=.)/, '').toLowerCase());
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/**
 * The client's address: the socket peer, or, when the peer is a trusted proxy, the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy.
 */
function clientIp(peer: string, forwardedFor: string, trusted: ReadonlySet<string>): string {
  if (!trusted.has(peer) || !forwardedFor) return peer;
  const hops = forwardedFor.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trusted.has(hops[i]!)) return hops[i]!;
  }
  return peer;
}

/** Copies everything needed from a request, synchronously. */
export function readRequest(res: HttpResponse, req: HttpRequest, trusted: ReadonlySet<string>): RequestInfo {
  const headers: Record<string, string> = {};
  req.forEach((k, v) => {
    // A repeated header is one list, its copies joined in order (RFC 9110 section 5.3).
    // This matters for X-Forwarded-For: HAProxy's `option forwardfor` appends its own line
    // after the client's, and the right-most hop is the one a trusted proxy vouches for.
    headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
  });
  const query = req.getQuery() ?? '';
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    params = new URLSearchParams();
  }
  const peer = normaliseIp(Buffer.from(res.getRemoteAddressAsText()).toString());
  return { method: req.getMethod(), url: req.getUrl(), query, params, headers, ip: clientIp(peer, headers['x-forwarded-for'] ?? '', trusted) };
}

export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

/** Writes a complete JSON response (inside cork: safe from async callbacks). */
export function sendJson(res: HttpResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.cork(() => {
    res.writeStatus(statusLine(status));
    res.writeHeader('Content-Type', 'application/json; charset=utf-8');
    res.writeHeader('Cache-Control', 'no-store');
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    res.end(body);
  });
}

export function sendError(res: HttpResponse, status: number, code: string, message: string): void {
  sendJson(res, status, errorBody(code, message));
}

/**
 * Reads a request body up to `limit` bytes. Resolves null (after answering 413) when
 * it is larger; the caller must have attached onAborted.
 */
export function readBody(res: HttpResponse, limit: number, onBody: (body: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  res.onData((chunk, isLast) => {
    if (done) return;
    size += chunk.byteLength;
    if (size > limit) {
      done = true;
      onBody(null);
      return;
    }
    chunks.push(Buffer.from(chunk.slice(0)));
    if (isLast) {
      done = true;
      onBody(Buffer.concat(chunks));
    }
  });
}
