-- Changes what a conversation is about. KEYS[1] state. ARGV: student, class id, scope.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('LP_NO_SESSION no such session, or it expired')
end
redis.call('HSET', KEYS[1], 'student', ARGV[1], 'class_id', ARGV[2], 'scope', ARGV[3])
return 1
