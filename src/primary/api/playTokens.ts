// Play tokens: `/api/v1/apps/:app/play-token/:room?ttl=<seconds>` (one room) and
// `/api/v1/apps/:app/play-token` (every room of the app), minted by the control service
// (src/control/playTokens.ts); needed for playback when publicPlayback is off.
// `POST /api/v1/apps/:app/rotate-play-secret` voids them all (and ends their viewers).
import type { ControlService } from '../../control/service.js';
import { ok, type Route } from './router.js';

export function playTokenRoutes(control: ControlService): Route[] {
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
      handler: ({ params, query }) => ok(200, control.appPlayToken(params.app!, query.get('ttl'))),
    },
    {
      method: 'GET', pattern: '/api/v1/apps/:app/play-token/:room', scope: 'streams:read',
      handler: ({ params, query }) => ok(200, control.roomPlayToken(params.app!, params.room!, query.get('ttl'))),
    },
  ];
}
