-- The room key of a request, for HAProxy's consistent hashing: "<app>/<short room>".
-- From the query of the two WebSocket endpoints (/ingest/ws, /live/ws) or from the path of
-- /live/<app>/<room>/..., /play/<app>/<room> and /embed/<app>/<room>. A full room name
-- "<app>-<room>" is reduced to its short name, so both spellings land on the same node.
core.register_fetches("framehub_room", function(txn)
  local path = txn.sf:path() or ""
  local app, room
  if path == "/ingest/ws" or path == "/live/ws" then
    app = txn.sf:url_param("app") or ""
    room = txn.sf:url_param("room") or ""
  else
    app, room = string.match(path, "^/[^/]+/([^/]+)/([^/]+)")
    app = app or ""
    room = room or ""
  end
  local prefix = app .. "-"
  if string.sub(room, 1, #prefix) == prefix then
    room = string.sub(room, #prefix + 1)
  end
  return app .. "/" .. room
end)
