-- A teacher's thumbs up or down on one of the assistant's replies (DESIGN.md, "Signals"), in one round trip:
-- the vote is kept once per reply, a thumbs-down counts as a signal and may claim the escalation like a turn.
-- KEYS[1] lp:{session}:state   KEYS[2] lp:{session}:history
-- ARGV: 1 user_id, 2 the reply's "ts" (or '' for the newest reply of the assistant), 3 'up' or 'down',
--       4 threshold, 5 ttl seconds, 6 now (ISO 8601), 7 now (epoch seconds), 8 claim token,
--       9 seconds after which an unfinished claim lapses, 10 a thumbs-down counts as a signal (0/1)
-- Returns {dissatisfaction_count, claimed (0/1), escalated (0/1), ticket_id, the reply's ts, the vote before
--          ('' when none), signal changed (1 counted, -1 withdrawn, 0 none), reason}.
local f = redis.call('HMGET', KEYS[1], 'user_id', 'dissatisfaction_count', 'escalated', 'ticket_id', 'claimed_at',
                     'signals', 'votes')
if not f[1] then
  return redis.error_reply('LP_NO_SESSION no such session, or it expired')
end
if f[1] ~= ARGV[1] then
  return redis.error_reply('LP_FORBIDDEN the session belongs to another user')
end
if ARGV[3] ~= 'up' and ARGV[3] ~= 'down' then
  return redis.error_reply('LP_BAD_INPUT a vote is up or down')
end

-- The reply: entries are written by SessionStore (HistoryEntry::toJson), role first and "ts" in plain text.
local key = ''
local entries = redis.call('LRANGE', KEYS[2], 0, -1)
for i = #entries, 1, -1 do
  local e = entries[i]
  if string.sub(e, 1, 19) == '{"role":"assistant"' then
    local ts = string.match(e, '"ts":"([^"]*)"')
    if ts and (ARGV[2] == '' or ts == ARGV[2]) then
      key = ts
      break
    end
  end
end
if key == '' then
  return redis.error_reply('LP_NOT_FOUND no such reply of the assistant in this conversation')
end

-- Votes: "ts=up;ts=down", one per reply.
local votes = {}
local before = ''
for item in string.gmatch(f[7] or '', '[^;]+') do
  local k, v = string.match(item, '^(.*)=(%a+)$')
  if k == key then
    before = v
  elseif k then
    table.insert(votes, item)
  end
end
local count = tonumber(f[2] or '0')
local escalated = f[3] == '1'
local ticket = f[4] or ''
local now = tonumber(ARGV[7])
if escalated and ticket == '' and now - tonumber(f[5] or '0') >= tonumber(ARGV[9]) then
  escalated = false -- a claim whose owner died lapses
end
if before == ARGV[3] then
  return {count, 0, escalated and 1 or 0, ticket, key, before, 0, ''}
end
table.insert(votes, key .. '=' .. ARGV[3])
local updates = {'votes', table.concat(votes, ';'), 'updated', ARGV[6]}

-- The signal of a thumbs-down: counted once per reply (also after the ticket, as turn.lua counts messages);
-- taken back when the vote turns up before the ticket.
local mark = key .. '=thumbs_down'
local marks = {}
local had = false
for item in string.gmatch(f[6] or '', '[^;]+') do
  if item == mark then
    had = true
  else
    table.insert(marks, item)
  end
end
local changed = 0
if ARGV[3] == 'down' and ARGV[10] == '1' and not had then
  table.insert(marks, mark)
  count = count + 1
  changed = 1
elseif ARGV[3] == 'up' and had and not escalated then
  count = math.max(count - 1, 0)
  changed = -1
end
if changed ~= 0 then
  for _, v in ipairs({'signals', table.concat(marks, ';'), 'dissatisfaction_count', tostring(count)}) do
    table.insert(updates, v)
  end
end

local claimed = 0
local reason = ''
if changed == 1 and not escalated and count >= tonumber(ARGV[4]) then
  reason = 'threshold'
  for _, v in ipairs({'escalated', '1', 'claim', ARGV[8], 'claimed_at', ARGV[7], 'escalation_reason', reason}) do
    table.insert(updates, v)
  end
  claimed = 1
  escalated = true
end
redis.call('HSET', KEYS[1], unpack(updates))
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return {count, claimed, escalated and 1 or 0, ticket, key, before, changed, reason}
