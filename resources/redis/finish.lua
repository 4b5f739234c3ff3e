-- Stores the ticket of a claimed escalation; keeps a ticket already stored (the first one wins).
-- KEYS[1] state. ARGV: 1 claim token, 2 ticket id. Returns the session's ticket id.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('LP_NO_SESSION no such session, or it expired')
end
local existing = redis.call('HGET', KEYS[1], 'ticket_id')
if existing and existing ~= '' then
  return existing
end
redis.call('HSET', KEYS[1], 'ticket_id', ARGV[2], 'escalated', '1')
redis.call('HDEL', KEYS[1], 'claim')
return ARGV[2]
