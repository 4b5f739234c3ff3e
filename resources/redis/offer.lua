-- The teacher answers the application's offer of a ticket (made once per conversation, by turn.lua).
-- KEYS[1] lp:{session}:state. ARGV: 1 user_id, 2 'accepted', 'declined' or 'reopen' (an accepted offer whose
-- ticket could not be opened), 3 ttl seconds.
-- Returns the offer's state before: 'open' when this answer counted; 'accepted' or 'declined' when it had
-- been answered already; '' when no offer was made.
local f = redis.call('HMGET', KEYS[1], 'user_id', 'offer')
if not f[1] then
  return redis.error_reply('LP_NO_SESSION no such session, or it expired')
end
if f[1] ~= ARGV[1] then
  return redis.error_reply('LP_FORBIDDEN the session belongs to another user')
end
local before = f[2] or ''
if ARGV[2] == 'reopen' then
  -- An accepted offer whose ticket could not be opened: open again.
  if before == 'accepted' and (redis.call('HGET', KEYS[1], 'ticket_id') or '') == '' then
    redis.call('HSET', KEYS[1], 'offer', 'open')
  end
  return before
end
if ARGV[2] ~= 'accepted' and ARGV[2] ~= 'declined' then
  return redis.error_reply('LP_BAD_INPUT an offer is accepted or declined')
end
if before == 'open' then
  redis.call('HSET', KEYS[1], 'offer', ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
return before
