// Static pages and assets from src/web: the player (`/play/<app>/<room>`), the embed page
// and shared assets. Files are read once at start; pages are the same for every room
// (they read app and room from the URL). A page file (src/web/*.html) holds its own head
// lines (title, styles, script) and body; the head's opening, the same for every page, is
// put in front of it here.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Directory } from './directory.js';
import { sendError } from './http.js';
import { roomListRoute } from './roomList.js';
import { vendorFiles } from './vendor.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** src/web, found from the compiled file's place (dist/src/worker) or the source's. */
const WEB_ROOT = [path.resolve(import.meta.dirname, '../../../src/web'), path.resolve(import.meta.dirname, '../web')].find((p) => {
  try {
    return readdirSync(p).length > 0;
  } catch {
    return false;
  }
}) ?? path.resolve(import.meta.dirname, '../../../src/web');

/** How every page begins, up to its own head lines. */
const PAGE_OPENING = Buffer.from('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width,initial-scale=1">\n');

/** A page whole: the shared opening, then the page file. */
const page = (file: Buffer): Buffer => Buffer.concat([PAGE_OPENING, file]);

function load(): Map<string, { body: Buffer; type: string }> {
  const files = new Map<string, { body: Buffer; type: string }>();
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        walk(path.join(dir, entry.name), `${prefix}${entry.name}/`);
        continue;
      }
      const ext = path.extname(entry.name);
      const body = readFileSync(path.join(dir, entry.name));
      files.set(prefix + entry.name, { body: prefix === '' && ext === '.html' ? page(body) : body, type: TYPES[ext] ?? 'application/octet-stream' });
    }
  };
  walk(WEB_ROOT, '');
  for (const [name, body] of vendorFiles()) files.set(name, { body, type: TYPES['.js']! });
  return files;
}

/** Forbids framing by any page, in both the old and the CSP form. */
const NO_FRAMING: Record<string, string> = { 'X-Frame-Options': 'DENY', 'Content-Security-Policy': "frame-ancestors 'none'" };

export function pageRoutes(app: TemplatedApp, directory: Directory): void {
  const files = load();
  const send = (res: HttpResponse, name: string, cache: string, extra: Record<string, string> = {}): void => {
    const file = files.get(name);
    if (!file) {
      sendError(res, 404, 'not_found', 'no such page');
      return;
    }
    res.cork(() => {
      res.writeStatus('200 OK');
      res.writeHeader('Content-Type', file.type);
      res.writeHeader('Cache-Control', cache);
      res.writeHeader('X-Content-Type-Options', 'nosniff');
      for (const [k, v] of Object.entries(extra)) res.writeHeader(k, v);
      res.end(file.body);
    });
  };
  /**
   * A page behind the playback rule: the app must exist, and with private playback the
   * `?token=` must be a play token for the room (players) or an app-wide one (the wall).
   */
  const guarded = (page: string, scope: 'room' | 'app') => (res: HttpResponse, req: HttpRequest): void => {
    const token = new URLSearchParams(req.getQuery() ?? '').get('token');
    const auth = scope === 'room' ? directory.authorize(req.getParameter(0), req.getParameter(1), token) : directory.authorizeApp(req.getParameter(0), token);
    if (!auth.ok) sendError(res, auth.status, auth.code, auth.message);
    else send(res, page, 'no-cache');
  };
  app.get('/play/:app/:room', guarded('player.html', 'room'));
  app.get('/embed/:app/:room', guarded('embed.html', 'room'));
  app.get('/wall/:app', guarded('wall.html', 'app'));
  app.get('/live/:app/rooms.json', roomListRoute(directory));
  // The dashboard acts with the operator's token (revoke, delete, rotate): never inside
  // another site's frame (clickjacking). /embed is made for iframes and keeps no such header.
  app.get('/dashboard', (res) => send(res, 'dashboard.html', 'no-cache', NO_FRAMING));
  app.get('/assets/*', (res, req) => send(res, req.getUrl().slice('/assets/'.length), 'public, max-age=300'));
  app.get('/', (res) => send(res, 'index.html', 'no-cache'));
}
