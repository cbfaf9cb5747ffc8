// `GET /live/<app>/rooms.json[?token=<app-wide play token>]`: the live rooms of an app, for
// the camera wall. Same access rule as the wall feed (public app, or an app-wide play
// token); answered from the worker's directory, so it costs a map walk and no I/O.
import type { HttpResponse, HttpRequest } from 'uWebSockets.js';
import type { Directory } from './directory.js';
import { sendError, sendJson } from './http.js';

export function roomListRoute(directory: Directory) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const token = new URLSearchParams(req.getQuery() ?? '').get('token');
    const auth = directory.authorizeApp(req.getParameter(0), token);
    if (!auth.ok) {
      sendError(res, auth.status, auth.code, auth.message);
      return;
    }
    const rooms = [];
    for (const r of directory.rooms.values()) {
      if (r.app === auth.app.name) rooms.push({ room: r.room, name: r.name, state: r.state, startedAt: new Date(r.startedAt).toISOString() });
    }
    rooms.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    sendJson(res, 200, JSON.stringify({ data: { app: auth.app.name, rooms } }));
  };
}
