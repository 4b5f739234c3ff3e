-- Takes back a turn that went over the rate limit: everything resources/redis/turn.lua changed.
-- KEYS: state, history. ARGV: 1 the entry, 2 dissatisfied (0/1), 3 its signal ("<ts>=<rules>"), 4 its claim token
-- (or ''), 5 the entry the cap pushed out (or ''), 6 escalation_reason before, 7 updated before, 8 it made the
-- offer of a ticket (0/1), 9 "corrections" before (the marks of the turns before it; '' none).
if redis.call('LREM', KEYS[2], -1, ARGV[1]) == 0 then
  return 0
end
if ARGV[5] ~= '' then
  redis.call('LPUSH', KEYS[2], ARGV[5])
end
if ARGV[2] == '1' then
  redis.call('HINCRBY', KEYS[1], 'dissatisfaction_count', -1)
  -- Its own mark, wherever it is: another signal (a thumbs-down, another window) may have come after it.
  local marks = {}
  for mark in string.gmatch(redis.call('HGET', KEYS[1], 'signals') or '', '[^;]+') do
    table.insert(marks, mark)
  end
  for i = #marks, 1, -1 do
    if marks[i] == ARGV[3] then
      table.remove(marks, i)
      break
    end
  end
  if #marks == 0 then
    redis.call('HDEL', KEYS[1], 'signals')
  else
    redis.call('HSET', KEYS[1], 'signals', table.concat(marks, ';'))
  end
end
if ARGV[4] ~= '' and redis.call('HGET', KEYS[1], 'claim') == ARGV[4]
   and (redis.call('HGET', KEYS[1], 'ticket_id') or '') == '' then
  redis.call('HSET', KEYS[1], 'escalated', '0')
  redis.call('HDEL', KEYS[1], 'claim', 'claimed_at')
  if ARGV[6] == '' then
    redis.call('HDEL', KEYS[1], 'escalation_reason')
  else
    redis.call('HSET', KEYS[1], 'escalation_reason', ARGV[6])
  end
end
if ARGV[8] == '1' and redis.call('HGET', KEYS[1], 'offer') == 'open' then
  redis.call('HDEL', KEYS[1], 'offer')
end
if ARGV[9] == '' then
  redis.call('HDEL', KEYS[1], 'corrections')
elseif ARGV[9] then
  redis.call('HSET', KEYS[1], 'corrections', ARGV[9])
end
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[1], 'updated', ARGV[7])
end
return 1
