-- Gives a claim back when its ticket could not be created, so that the next message retries.
-- KEYS[1] state. ARGV: 1 claim token. Returns 1 when released.
if redis.call('HGET', KEYS[1], 'claim') == ARGV[1] and (redis.call('HGET', KEYS[1], 'ticket_id') or '') == '' then
  -- escalation_reason stays: the next teacher message retries the escalation.
  redis.call('HSET', KEYS[1], 'escalated', '0')
  redis.call('HDEL', KEYS[1], 'claim', 'claimed_at')
  return 1
end
return 0
