-- Counts one message in the user's window of the current minute (a key of its own slot, so that it sits in
-- the same pipeline as the turn script on a cluster too).
local n = redis.call('INCR', KEYS[1])
if n == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return n
