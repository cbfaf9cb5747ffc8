// The Lua scripts replication runs in Redis, where a check and a write must be one step:
// appending an entry only on top of the `prev` it was signed with (so the stream is one
// chain), and replacing the snapshot only with a newer one. Scripts run atomically; the
// commands they call must be allowed to framehub's Redis user (docs/cluster.md, ACL).

/** Appends an entry only if the stream's last id is the `prev` the entry was signed with. */
export const APPEND_SCRIPT = `
local last = nil
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then last = info[i + 1] end
  end
end
local id = '*'
if last == nil then
  -- a new (or lost) stream: the entry must still sort after the writer's position
  local pm, ps = string.match(ARGV[1], '^(%d+)%-(%d+)$')
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  if now > tonumber(pm) then id = string.format('%d-0', now) else id = pm .. '-' .. string.format('%d', tonumber(ps) + 1) end
elseif last ~= ARGV[1] then
  return {0, last}
end
return {1, redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], id, 'op', ARGV[3], 'node', ARGV[4], 'prev', ARGV[1], 'sig', ARGV[5])}
`;

/**
 * Replaces the snapshot only with a newer one (or, with ARGV[3] = '1', whatever is there:
 * it was missing or failed its checks). The stored envelope starts `{"v":1,"id":"<id>"`,
 * so the current id is read from its first bytes without loading the whole snapshot.
 */
export const SNAPSHOT_SCRIPT = `
if ARGV[3] ~= '1' then
  local cm, cs = string.match(redis.call('GETRANGE', KEYS[1], 0, 80), '"id":"(%d+)%-(%d+)"')
  local nm, ns = string.match(ARGV[1], '^(%d+)%-(%d+)$')
  if cm and (tonumber(cm) > tonumber(nm) or (tonumber(cm) == tonumber(nm) and tonumber(cs) >= tonumber(ns))) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;
