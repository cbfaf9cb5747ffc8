// What a page reads from its URL: `/<page>/<app>[/<room>]?token=...`, and the query
// string to pass on to every request it makes (the play token, when there is one).

export function pageParams(loc = window.location) {
  const [, page = '', app = '', room = ''] = loc.pathname.split('/').map((s) => decodeURIComponent(s));
  const query = new URLSearchParams(loc.search);
  return { page, app, room, token: query.get('token'), query };
}

/** `url` with `token=` added (when there is a token). */
export function withToken(url, token) {
  if (!token) return url;
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

/** A same-origin WebSocket URL for `path` (ws: or wss: after the page's scheme). */
export function wsUrl(path) {
  return `${window.location.protocol === 'https:' ? 'wss:' : 'ws:'}//${window.location.host}${path}`;
}
