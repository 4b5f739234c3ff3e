-- One message of a session, in one round trip (DESIGN.md, "The turn", step 3).
-- KEYS[1] lp:{session}:state   KEYS[2] lp:{session}:history
-- ARGV: 1 user_id, 2 role (teacher|assistant), 3 history entry (JSON), 4 dissatisfied (0/1),
--       5 explicit request (0/1), 6 threshold, 7 history cap, 8 ttl seconds,
--       9 escalate on explicit request (0/1), 10 now (ISO 8601), 11 now (epoch seconds),
--       12 claim token, 13 rule names (comma-separated), 14 seconds after which an unfinished claim lapses,
--       15 the message's content words (space-separated; the entry carries them as "w"), 16 it says "again"
--       (0/1), 17 how many earlier teacher messages the repetition signal compares with (0: off),
--       18 a vague ask for a person (0/1): the application offers a ticket, once per conversation,
--       19 the message corrects or repeats the request (0/1, the detector's model), 20 how many teacher messages
--       that correct, repeat or complain (within one more message) bring the offer of a ticket (0: never by
--       themselves); the last marks are kept in "corrections"
-- A signal is kept in "signals" as "<the message's ts>=<rules>", ';' between signals (withdraw.lua finds it by ts).
-- Returns {dissatisfaction_count, claimed (0/1), escalated (0/1), ticket_id, history length, reason,
--          the entry the cap pushed out (or ''), escalation_reason before, updated before, repetition (0/1),
--          offered (0/1), corrections before}: the entry pushed out, the befores and "offered" let the caller
--          take the turn back exactly (a message over the rate limit).
-- One read of every field the decision needs (a missing hash reads as all nil).
local f = redis.call('HMGET', KEYS[1], 'user_id', 'dissatisfaction_count', 'escalated', 'ticket_id',
                     'escalation_reason', 'claimed_at', 'signals', 'updated', 'offer', 'corrections')
if not f[1] then
  return redis.error_reply('LP_NO_SESSION no such session, or it expired')
end
if f[1] ~= ARGV[1] then
  return redis.error_reply('LP_FORBIDDEN the session belongs to another user')
end

-- The repetition signal: the same question again, in other words, within the last few teacher messages
-- (most content words shared, or "again" and at least two shared), counted with the rest of this turn.
local dissatisfied = ARGV[4] == '1'
local rules = ARGV[13]
local repeated = 0
local window = tonumber(ARGV[17] or '0') or 0
if window > 0 and ARGV[2] == 'teacher' and (ARGV[15] or '') ~= '' then
  local mine = {}
  local mineCount = 0
  local mineKeys = 0
  for w in string.gmatch(ARGV[15], '%S+') do
    if not mine[w] then
      mine[w] = true
      mineCount = mineCount + 1
      if string.sub(w, 1, 1) == '#' then
        mineKeys = mineKeys + 1
      end
    end
  end
  -- Fewer words than any match needs: nothing to read.
  local recent = {}
  if mineCount >= 3 or (ARGV[16] == '1' and mineCount >= 2) then
    recent = redis.call('LRANGE', KEYS[2], -(window * 4), -1)
  end
  local seen = 0
  for i = #recent, 1, -1 do
    if seen >= window or repeated == 1 then
      break
    end
    -- Entries are written by SessionStore (HistoryEntry::toJson): the role comes first, and "w" holds
    -- letters, digits, apostrophes and '#' only, so plain string matching reads them without decoding JSON.
    if string.sub(recent[i], 1, 17) == '{"role":"teacher"' then
      seen = seen + 1
      local theirs = {}
      local theirCount = 0
      local shared = 0
      local theirKeys = 0
      local sharedKeys = 0
      for w in string.gmatch(string.match(recent[i], '"w":"([^"]*)"}$') or '', '%S+') do
        if not theirs[w] then
          theirs[w] = true
          theirCount = theirCount + 1
          local key = string.sub(w, 1, 1) == '#'
          if key then
            theirKeys = theirKeys + 1
          end
          if mine[w] then
            shared = shared + 1
            if key then
              sharedKeys = sharedKeys + 1
            end
          end
        end
      end
      -- Each names something the other does not (another class, another student): a new question.
      local otherSubject = mineKeys > sharedKeys and theirKeys > sharedKeys
      local all = mineCount + theirCount - shared
      local smaller = math.min(mineCount, theirCount)
      if not otherSubject and ((ARGV[16] == '1' and shared >= 2)
          or (shared >= 3 and (shared / all >= 0.6 or shared / smaller >= 0.8))) then
        repeated = 1
      end
    end
  end
  if repeated == 1 then
    dissatisfied = true
    rules = (rules ~= '' and (rules .. ',') or '') .. 'repetition'
  end
end

local len = redis.call('RPUSH', KEYS[2], ARGV[3])
local cap = tonumber(ARGV[7])
local dropped = ''
if len == cap + 1 then
  dropped = redis.call('LPOP', KEYS[2])
  len = cap
elseif len > cap then
  redis.call('LTRIM', KEYS[2], -cap, -1) -- the cap was lowered
  len = cap
end

local count = tonumber(f[2] or '0')
local updates = {'updated', ARGV[10]}
if dissatisfied then
  count = count + 1
  local signals = f[7]
  local mark = ARGV[10] .. '=' .. rules
  if signals and signals ~= '' then
    signals = signals .. ';' .. mark
  else
    signals = mark
  end
  table.insert(updates, 'dissatisfaction_count')
  table.insert(updates, tostring(count))
  table.insert(updates, 'signals')
  table.insert(updates, signals)
end

local escalated = f[3] == '1'
local ticket = f[4] or ''
local pendingReason = f[5] or ''
local now = tonumber(ARGV[11])
if escalated and ticket == '' then
  -- A claim whose owner died before it stored a ticket lapses, so that no escalation is lost.
  local claimedAt = tonumber(f[6] or '0')
  if now - claimedAt >= tonumber(ARGV[14]) then
    escalated = false
  end
end

local claimed = 0
local reason = ''
if ARGV[2] == 'teacher' and not escalated then
  if ticket == '' and pendingReason ~= '' then
    -- An escalation that was decided but has no ticket yet (its ticket failed, or its process died):
    -- this message retries it, whatever it says.
    reason = pendingReason
  elseif ARGV[5] == '1' and ARGV[9] == '1' then
    reason = 'explicit'
  elseif count >= tonumber(ARGV[6]) then
    reason = 'threshold'
  end
  if reason ~= '' then
    for _, v in ipairs({'escalated', '1', 'claim', ARGV[12], 'claimed_at', ARGV[11], 'escalation_reason', reason}) do
      table.insert(updates, v)
    end
    claimed = 1
    escalated = true
  end
end

-- Turns that show the teacher is not getting what they asked: a correction or repetition of the request (the model's
-- label, or the repetition signal) or any other signal. "corrections" keeps one mark a turn
-- ('1' such a turn, '0' another), the newest last, as many as the decision reads: `needed` of the last `needed` + 1
-- teacher messages (one ordinary turn between them, "thanks, but...", does not start again). A number there was
-- written before the marks: that many such turns in a row.
local marks = f[10] or ''
if string.find(marks, '[^01]') then
  marks = string.rep('1', math.min(tonumber(marks) or 0, 20))
end
local needed = tonumber(ARGV[20] or '0') or 0
if ARGV[2] == 'teacher' then
  if ARGV[19] == '1' or dissatisfied then
    marks = marks .. '1'
  else
    marks = marks .. '0'
  end
  marks = string.sub(marks, -(math.max(needed, 1) + 1))
  table.insert(updates, 'corrections')
  table.insert(updates, marks)
end
local _, strained = string.gsub(marks, '1', '')

-- A vague ask ("is there someone I can email about this?") gets the offer of a ticket, once per conversation; so do
-- enough strained turns.
local offered = 0
if ARGV[2] == 'teacher' and (ARGV[18] == '1' or (needed > 0 and strained >= needed)) and not escalated
    and (f[9] or '') == '' then
  table.insert(updates, 'offer')
  table.insert(updates, 'open')
  offered = 1
end

-- Every change to the state hash in one command.
redis.call('HSET', KEYS[1], unpack(updates))
redis.call('EXPIRE', KEYS[1], ARGV[8])
redis.call('EXPIRE', KEYS[2], ARGV[8])
return {count, claimed, escalated and 1 or 0, ticket, len, reason, dropped, pendingReason, f[8] or '', repeated,
        offered, f[10] or ''}
