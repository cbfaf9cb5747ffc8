// The Lua scripts replication runs in Redis, where a check and a write must be one step:
// appending an entry only on top of the `prev` it was signed with (so the stream is one
// chain), and replacing the snapshot only with a newer one. Scripts run atomically; the
// commands they call must be allowed to framehub's Redis user (docs/cluster.md, ACL).

/**
 * Appends an entry under the id it was signed with (ARGV[2], chosen by the writer after
 * ARGV[1]) only if the stream's last id is the `prev` (ARGV[1]) it was signed with; else
 * returns {0, last id} and the writer signs again on top of that. A missing stream (new, or
 * lost with Redis's data) takes the entry as it is: its id sorts after the writer's position.
 */
export const APPEND_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' and info[i + 1] ~= ARGV[1] then return {0, info[i + 1]} end
  end
end
return {1, redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], ARGV[2], 'op', ARGV[4], 'node', ARGV[5], 'prev', ARGV[1], 'sig', ARGV[6])}
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
