-- Writes a whole conversation kept in memory back to a server that lost it (restarted empty, or flushed),
-- only when the server has no state for it, so that a conversation another process wrote meanwhile wins.
-- KEYS: state, history (one hash slot, as for the turn script). ARGV: 1 ttl, then the history entries;
-- the fields of the state hash follow the entries after a separator ARGV of '--'.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local ttl = tonumber(ARGV[1])
local i = 2
while ARGV[i] ~= '--' do
  redis.call('RPUSH', KEYS[2], ARGV[i])
  i = i + 1
end
local fields = {}
for j = i + 1, #ARGV do
  table.insert(fields, ARGV[j])
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('EXPIRE', KEYS[1], ttl)
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('EXPIRE', KEYS[2], ttl)
end
return 1
