// Play tokens: `/api/v1/apps/:app/play-token/:room?ttl=<seconds>`. Short-lived, signed with
// the app's secret, scoped to one room; needed for playback when publicPlayback is off.
// `POST /api/v1/apps/:app/rotate-play-secret` voids them all (and ends their viewers).
import { CodedError } from '../../errors.js';
import { fullRoom } from '../../keys.js';
import { ROOM_NAME } from '../../names.js';
import { signPlayToken } from '../../playToken.js';
import type { ApiDeps } from './context.js';
import type { ControlService } from '../../control/service.js';
import { ok, type Route } from './router.js';
import { streamUrls } from '../../control/urls.js';

export const PLAY_TOKEN_DEFAULT_TTL_SEC = 3600;
export const PLAY_TOKEN_MAX_TTL_SEC = 24 * 3600;

function ttlOf(query: URLSearchParams): number {
  const raw = query.get('ttl');
  const ttl = raw === null ? PLAY_TOKEN_DEFAULT_TTL_SEC : Number(raw);
  if (!Number.isInteger(ttl) || ttl < 10 || ttl > PLAY_TOKEN_MAX_TTL_SEC) throw new CodedError('invalid_field', `ttl: must be a whole number of seconds from 10 to ${PLAY_TOKEN_MAX_TTL_SEC}`);
  return ttl;
}

export function playTokenRoutes(deps: ApiDeps, control: ControlService): Route[] {
  return [
    {
      // A new play secret: every play token of the app stops working, and the viewers that
      // hold one (MJPEG, WS feed, wall) are ended at once. Public-app viewers hold none.
      method: 'POST', pattern: '/api/v1/apps/:app/rotate-play-secret', scope: 'apps:write',
      handler: async ({ params }) => {
        const app = await control.rotatePlaySecret(params.app!);
        return ok(200, { app: app.name, rotatedAt: new Date().toISOString(), publicPlayback: app.publicPlayback });
      },
    },
    {
      // An app-wide token: every room of the app (dashboard thumbnails, the camera wall).
      method: 'GET', pattern: '/api/v1/apps/:app/play-token', scope: 'streams:read',
      handler: ({ params, query }) => {
        const app = control.requireApp(params.app!);
        const exp = Math.floor(Date.now() / 1000) + ttlOf(query);
        const token = signPlayToken({ app: app.name, room: '*', exp }, app.playSecret);
        return ok(200, { token, app: app.name, room: '*', expiresAt: new Date(exp * 1000).toISOString() });
      },
    },
    {
      method: 'GET', pattern: '/api/v1/apps/:app/play-token/:room', scope: 'streams:read',
      handler: ({ params, query }) => {
        const app = control.requireApp(params.app!);
        const given = params.room!;
        if (!ROOM_NAME.test(given)) throw new CodedError('invalid_field', 'room: must be a valid room name');
        const name = given.startsWith(`${app.name}-`) && !deps.store.listKeys(app.name).some((k) => k.room === given) ? given.slice(app.name.length + 1) : given;
        const ttl = ttlOf(query);
        const room = fullRoom(app.name, name);
        const exp = Math.floor(Date.now() / 1000) + ttl;
        const token = signPlayToken({ app: app.name, room, exp }, app.playSecret);
        const urls = streamUrls(deps.publicBase(), app.name, name);
        const q = `token=${encodeURIComponent(token)}`;
        const base = deps.publicBase().replace(/^http/, 'ws');
        return ok(200, {
          token, app: app.name, room, expiresAt: new Date(exp * 1000).toISOString(),
          mjpegUrl: `${urls.mjpegUrl}?${q}`, frameUrl: `${urls.frameUrl}?${q}`, playerUrl: `${urls.playerUrl}?${q}`, embedUrl: `${urls.embedUrl}?${q}`,
          viewerWsUrl: `${base}/live/ws?app=${encodeURIComponent(app.name)}&room=${encodeURIComponent(name)}&${q}`,
        });
      },
    },
  ];
}
