-- The teacher says a message was not a complaint: its signal is withdrawn before the ticket (DESIGN.md,
-- "Signals"), and kept in the "withdrawn" field so that the ticket can say so.
-- KEYS[1] lp:{session}:state. ARGV: 1 user_id, 2 the signal's key (the message's "ts"; '' for the newest
-- signal), 3 now (ISO 8601), 4 ttl seconds, 5 the threshold.
-- Returns {dissatisfaction_count, the key, its rules (comma-separated)}.
local f = redis.call('HMGET', KEYS[1], 'user_id', 'dissatisfaction_count', 'escalated', 'signals', 'withdrawn',
                     'escalation_reason', 'ticket_id')
if not f[1] then
  return redis.error_reply('LP_NO_SESSION no such session, or it expired')
end
if f[1] ~= ARGV[1] then
  return redis.error_reply('LP_FORBIDDEN the session belongs to another user')
end
if f[3] == '1' then
  return redis.error_reply('LP_ESCALATED the conversation has its support ticket already')
end
local marks = {}
for item in string.gmatch(f[4] or '', '[^;]+') do
  table.insert(marks, item)
end
local at = 0
for i = #marks, 1, -1 do
  local k = string.match(marks[i], '^([^=]*)=') or ''
  if (ARGV[2] == '' and k ~= '') or (ARGV[2] ~= '' and k == ARGV[2]) then
    at = i
    break
  end
end
if at == 0 then
  return redis.error_reply('LP_NOT_FOUND that message did not count as a signal')
end
local mark = table.remove(marks, at)
local key, rules = string.match(mark, '^([^=]*)=(.*)$')
local count = math.max(tonumber(f[2] or '0') - 1, 0)
local withdrawn = f[5]
if withdrawn and withdrawn ~= '' then
  withdrawn = withdrawn .. ';' .. mark
else
  withdrawn = mark
end
redis.call('HSET', KEYS[1], 'signals', table.concat(marks, ';'), 'dissatisfaction_count', tostring(count),
           'withdrawn', withdrawn, 'updated', ARGV[3])
-- A threshold escalation that failed and waits for a retry is no longer due when the count falls below it.
if f[6] == 'threshold' and (f[7] or '') == '' and count < tonumber(ARGV[5] or '0') then
  redis.call('HDEL', KEYS[1], 'escalation_reason')
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {count, key, rules}
