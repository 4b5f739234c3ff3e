#include "sessionstore.h"

#include "config.h"
#include "detector.h"
#include "logging.h"
#include "messagevalidator.h"
#include "redisclient.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

#include <chrono>
#include <cstdio>

namespace LearnPulse {

namespace {

const QByteArray &turnScript()
{
    static const QByteArray script = [] {
        QFile f(QStringLiteral(":/redis/turn.lua"));
        if (!f.open(QIODevice::ReadOnly))
            qFatal("the turn script resource is missing");
        return f.readAll();
    }();
    return script;
}

const QByteArray finishScript = R"lua(
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
)lua";

const QByteArray releaseScript = R"lua(
if redis.call('HGET', KEYS[1], 'claim') == ARGV[1] and (redis.call('HGET', KEYS[1], 'ticket_id') or '') == '' then
  -- escalation_reason stays: the next teacher message retries the escalation.
  redis.call('HSET', KEYS[1], 'escalated', '0')
  redis.call('HDEL', KEYS[1], 'claim', 'claimed_at')
  return 1
end
return 0
)lua";

// Counts one message in the user's window of the current minute (a key of its own slot, so that it sits in
// the same pipeline as the turn script on a cluster too).
const QByteArray rateScript = R"lua(
local n = redis.call('INCR', KEYS[1])
if n == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return n
)lua";

// Takes back a turn that went over the rate limit: everything resources/redis/turn.lua changed.
// KEYS: state, history. ARGV: 1 the entry, 2 dissatisfied (0/1), 3 its rules, 4 its claim token (or ''),
// 5 the entry the cap pushed out (or ''), 6 escalation_reason before, 7 updated before.
const QByteArray takeBackScript = R"lua(
if redis.call('LREM', KEYS[2], -1, ARGV[1]) == 0 then
  return 0
end
if ARGV[5] ~= '' then
  redis.call('LPUSH', KEYS[2], ARGV[5])
end
if ARGV[2] == '1' then
  redis.call('HINCRBY', KEYS[1], 'dissatisfaction_count', -1)
  local s = redis.call('HGET', KEYS[1], 'signals') or ''
  local tail = ';' .. ARGV[3]
  if s == ARGV[3] then
    redis.call('HDEL', KEYS[1], 'signals')
  elseif #s > #tail and string.sub(s, -#tail) == tail then
    redis.call('HSET', KEYS[1], 'signals', string.sub(s, 1, #s - #tail))
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
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[1], 'updated', ARGV[7])
end
return 1
)lua";

// Writes a whole conversation kept in memory back to a server that lost it (restarted empty, or flushed),
// only when the server has no state for it, so that a conversation another process wrote meanwhile wins.
// KEYS: state, history (one hash slot, as for the turn script). ARGV: 1 ttl, then the history entries; the fields of the
// state hash follow the entries after a separator ARGV of '--'.
const QByteArray restoreScript = R"lua(
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
)lua";

// "2026-11-24T10:00:00.000Z": what Qt::ISODateWithMs writes for UTC, made on every turn, so without
// QDateTime's locale-aware formatting.
QByteArray isoUtc(const QDateTime &t)
{
    if (!t.isValid())
        return {};
    using namespace std::chrono;
    const sys_time<milliseconds> tp{milliseconds{t.toMSecsSinceEpoch()}};
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    const hh_mm_ss hms{tp - day};
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                                int(hms.minutes().count()), int(hms.seconds().count()), int(hms.subseconds().count()));
    return QByteArray(buf, n);
}

// A JSON string with its quotes; non-ASCII stays UTF-8 (RFC 8259).
void appendJsonString(QByteArray &out, const QString &text)
{
    static const char hex[] = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8();
    out += '"';
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xf];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

// Turns the script's error replies into sentences for the person at the keyboard.
QString explain(ErrorKind kind, const QString &error)
{
    switch (kind) {
    case ErrorKind::NoSession:
        return QStringLiteral("This conversation no longer exists (conversations expire after a week without "
                              "activity). Start a new conversation.");
    case ErrorKind::Forbidden:
        return QStringLiteral("This conversation belongs to another user.");
    default:
        return error;
    }
}

template<typename T, typename From>
Result<T> fail(const From &from)
{
    return Result<T>::failure(explain(from.kind(), from.error()), from.kind());
}

template<typename T>
Result<T> fail(const RedisReply &errorReply)
{
    const ErrorKind kind = RedisClient::errorKind(errorReply);
    return Result<T>::failure(explain(kind, QString::fromUtf8(errorReply.string)), kind);
}


SessionState parseState(const QString &sessionId, const RedisReply &hgetall)
{
    QHash<QByteArray, QString> f;
    for (qsizetype i = 0; i + 1 < hgetall.elements.size(); i += 2)
        f.insert(hgetall.elements.at(i).string, QString::fromUtf8(hgetall.elements.at(i + 1).string));
    SessionState s;
    s.id = sessionId;
    s.context = {f.value("user_id"), f.value("teacher_email"), f.value("student"), f.value("class_id"), f.value("scope")};
    s.dissatisfactionCount = f.value("dissatisfaction_count").toInt();
    s.escalated = f.value("escalated") == QLatin1String("1");
    s.ticketId = f.value("ticket_id");
    s.escalationReason = f.value("escalation_reason");
    for (const QString &group : f.value("signals").split(QLatin1Char(';'), Qt::SkipEmptyParts))
        s.signalRules << group.split(QLatin1Char(','), Qt::SkipEmptyParts);
    s.created = QDateTime::fromString(f.value("created"), Qt::ISODateWithMs);
    s.updated = QDateTime::fromString(f.value("updated"), Qt::ISODateWithMs);
    return s;
}

Result<QList<HistoryEntry>> parseHistory(const RedisReply &lrange)
{
    QList<HistoryEntry> entries;
    entries.reserve(lrange.elements.size());
    for (const RedisReply &item : lrange.elements) {
        auto entry = HistoryEntry::fromJson(item.string);
        if (!entry)
            return Result<QList<HistoryEntry>>::failure(entry.error());
        entries.append(std::move(entry).value());
    }
    return entries;
}

} // namespace

QByteArray HistoryEntry::toJson() const
{
    // Written directly: this runs on every turn, and QJsonDocument costs more than the rest of the turn's
    // client-side work together (docs/BENCHMARKS.md).
    QByteArray out;
    out.reserve(content.size() + 64);
    out += "{\"role\":";
    appendJsonString(out, role);
    out += ",\"content\":";
    appendJsonString(out, content);
    out += ",\"ts\":\"";
    out += isoUtc(timestamp);
    out += "\"}";
    return out;
}

Result<HistoryEntry> HistoryEntry::fromJson(const QByteArray &json)
{
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    if (!doc.isObject())
        return Result<HistoryEntry>::failure(QStringLiteral("A history entry in Redis is not a JSON object"));
    const QJsonObject o = doc.object();
    HistoryEntry e;
    e.role = o.value(QLatin1String("role")).toString();
    e.content = o.value(QLatin1String("content")).toString();
    e.timestamp = QDateTime::fromString(o.value(QLatin1String("ts")).toString(), Qt::ISODateWithMs);
    return e;
}

SessionStore::SessionStore(RedisClient &redis, const Config &config)
    : m_redis(redis)
    , m_config(config)
{
}

QByteArray SessionStore::stateKey(const QString &sessionId)
{
    return "lp:{" + sessionId.toUtf8() + "}:state";
}

QByteArray SessionStore::historyKey(const QString &sessionId)
{
    return "lp:{" + sessionId.toUtf8() + "}:history";
}

QByteArray SessionStore::userSessionsKey(const QString &userId)
{
    return "lp:user:" + userId.toUtf8() + ":sessions";
}

Result<QString> SessionStore::createSession(const SessionContext &context)
{
    if (context.userId.isEmpty())
        return Result<QString>::failure(QStringLiteral("A conversation needs a signed-in user."));
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QByteArray now = isoUtc(QDateTime::currentDateTimeUtc());
    const QByteArray ttl = QByteArray::number(m_config.sessionTtlSeconds);
    const QByteArray key = stateKey(id);
    auto r = m_redis.pipeline({
        {"HSET", key, "user_id", context.userId.toUtf8(), "teacher_email", context.teacherEmail.toUtf8(), "student",
         context.student.toUtf8(), "class_id", context.classId.toUtf8(), "scope", context.scope.toUtf8(),
         "dissatisfaction_count", "0", "escalated", "0", "ticket_id", "", "created", now, "updated", now},
        {"EXPIRE", key, ttl},
        {"SADD", userSessionsKey(context.userId), id.toUtf8()},
    });
    if (!r)
        return Result<QString>::failure(r.error());
    qCInfo(lcSession) << "Session created session=" << id;
    return id;
}

Result<SessionState> SessionStore::state(const QString &sessionId)
{
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return Result<SessionState>::failure(valid.error());
    (void)flushPending();
    if (auto cached = m_cache.constFind(sessionId); cached != m_cache.constEnd() && (m_offline || !cached->pending.isEmpty()))
        return cached->state;
    auto r = m_redis.command({"HGETALL", stateKey(sessionId)});
    if (!r) {
        if (connectionLost() && m_cache.contains(sessionId)) {
            m_offline = true;
            return m_cache.value(sessionId).state;
        }
        return Result<SessionState>::failure(r.error());
    }
    if (r->elements.isEmpty())
        return Result<SessionState>::failure(explain(ErrorKind::NoSession, QString()), ErrorKind::NoSession);
    const SessionState s = parseState(sessionId, r.value());
    m_cache[sessionId].state = s;
    return s;
}

Result<QList<HistoryEntry>> SessionStore::history(const QString &sessionId)
{
    using R = Result<QList<HistoryEntry>>;
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return R::failure(valid.error());
    (void)flushPending();
    if (auto cached = m_cache.constFind(sessionId); cached != m_cache.constEnd() && (m_offline || !cached->pending.isEmpty()))
        return cached->history;
    auto r = m_redis.command({"LRANGE", historyKey(sessionId), "0", "-1"});
    if (!r) {
        if (connectionLost() && m_cache.contains(sessionId)) {
            m_offline = true;
            return m_cache.value(sessionId).history;
        }
        return R::failure(r.error());
    }
    auto parsed = parseHistory(r.value());
    if (!parsed)
        return parsed;
    const QList<HistoryEntry> &entries = parsed.value();
    if (m_cache.contains(sessionId))
        m_cache[sessionId].history = entries;
    return entries;
}

Result<QStringList> SessionStore::sessionsOfUser(const QString &userId)
{
    auto r = m_redis.command({"SMEMBERS", userSessionsKey(userId)});
    if (!r)
        return Result<QStringList>::failure(r.error());
    QStringList ids;
    for (const RedisReply &item : r->elements)
        ids << QString::fromUtf8(item.string);
    ids.sort();
    return ids;
}

bool SessionStore::connectionLost() const
{
    return !m_redis.isConnected();
}

int SessionStore::pendingWrites() const
{
    int n = 0;
    for (const Cached &c : m_cache)
        n += int(c.pending.size());
    return n;
}

Result<RecordOutcome> SessionStore::record(const QString &sessionId, const QString &userId, const HistoryEntry &entry,
                                           const Detection *detection, bool forceEscalation, int ratePerMinute)
{
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return Result<RecordOutcome>::failure(valid.error());
    (void)flushPending();
    auto it = m_cache.find(sessionId);
    if (it != m_cache.end() && (m_offline || !it->pending.isEmpty()))
        return recordOffline(*it, userId, entry, detection, forceEscalation);
    const bool known = it != m_cache.end();
    auto outcome = recordInRedis(sessionId, userId, entry, detection, forceEscalation, ratePerMinute);
    if (outcome) {
        if (known && !outcome->rateLimited)
            remember(sessionId, entry, outcome.value());
        return outcome;
    }
    if (connectionLost() && known) {
        m_offline = true;
        qCWarning(lcSession).noquote() << QStringLiteral("Redis unreachable: keeping session=%1 in memory").arg(sessionId);
        return recordOffline(m_cache[sessionId], userId, entry, detection, forceEscalation);
    }
    return outcome;
}

void SessionStore::remember(const QString &sessionId, const HistoryEntry &entry, const RecordOutcome &outcome)
{
    auto it = m_cache.find(sessionId);
    if (it == m_cache.end())
        return;
    it->history.append(entry);
    while (it->history.size() > m_config.historyCap)
        it->history.removeFirst();
    it->state.dissatisfactionCount = outcome.dissatisfactionCount;
    it->state.escalated = outcome.escalated;
    if (!outcome.ticketId.isEmpty())
        it->state.ticketId = outcome.ticketId;
    if (!outcome.reason.isEmpty())
        it->state.escalationReason = outcome.reason;
}

Result<RecordOutcome> SessionStore::recordOffline(Cached &c, const QString &userId, const HistoryEntry &entry,
                                                  const Detection *detection, bool forceEscalation)
{
    if (c.state.context.userId != userId)
        return Result<RecordOutcome>::failure(explain(ErrorKind::Forbidden, QString()), ErrorKind::Forbidden);
    HistoryEntry e = entry;
    if (!e.timestamp.isValid())
        e.timestamp = QDateTime::currentDateTimeUtc();
    c.pending.append({e, detection ? *detection : Detection{}, forceEscalation});
    c.history.append(e);
    while (c.history.size() > m_config.historyCap)
        c.history.removeFirst();
    RecordOutcome out;
    out.offline = true;
    if (detection && detection->dissatisfied) {
        ++c.state.dissatisfactionCount;
        c.state.signalRules << detection->rules;
    }
    // The same decision as the turn script, on what this process knows.
    if (e.role == QLatin1String("teacher") && !c.state.escalated) {
        QString reason;
        if (c.state.ticketId.isEmpty() && !c.state.escalationReason.isEmpty())
            reason = c.state.escalationReason;
        else if (detection && detection->explicitRequest && (m_config.escalateOnExplicitRequest || forceEscalation))
            reason = QStringLiteral("explicit");
        else if (c.state.dissatisfactionCount >= m_config.escalationThreshold)
            reason = QStringLiteral("threshold");
        if (!reason.isEmpty()) {
            c.state.escalated = true;
            c.state.escalationReason = reason;
            c.claimToken = QUuid::createUuid().toString(QUuid::WithoutBraces);
            out.claimed = true;
            out.claimToken = c.claimToken;
            out.reason = reason;
        }
    }
    out.dissatisfactionCount = c.state.dissatisfactionCount;
    out.escalated = c.state.escalated;
    out.ticketId = c.state.ticketId;
    out.historyLength = int(c.history.size());
    return out;
}

Status SessionStore::probe()
{
    if (!m_redis.command({"PING"})) {
        if (!m_cache.isEmpty())
            m_offline = true;
        return Status::failure(QStringLiteral("Redis is unreachable"));
    }
    return flushPending();
}

Result<bool> SessionStore::restoreIfMissing(const QString &sessionId, const Cached &c)
{
    const SessionState &s = c.state;
    const QString ticket = !s.ticketId.isEmpty() ? s.ticketId : c.localTicket;
    QList<QByteArray> args{QByteArray::number(m_config.sessionTtlSeconds)};
    for (const HistoryEntry &e : c.history)
        args << e.toJson();
    args << "--";
    args << "user_id" << s.context.userId.toUtf8() << "teacher_email" << s.context.teacherEmail.toUtf8() << "student"
         << s.context.student.toUtf8() << "class_id" << s.context.classId.toUtf8() << "scope"
         << s.context.scope.toUtf8() << "dissatisfaction_count" << QByteArray::number(s.dissatisfactionCount)
         // A claim in flight is not written: without a ticket the reason stays, so the next message retries.
         << "escalated" << (ticket.isEmpty() ? "0" : "1") << "ticket_id" << ticket.toUtf8() << "escalation_reason"
         << s.escalationReason.toUtf8() << "signals" << s.signalRules.join(QLatin1Char(',')).toUtf8() << "created"
         << isoUtc(s.created.isValid() ? s.created : QDateTime::currentDateTimeUtc()) << "updated"
         << isoUtc(QDateTime::currentDateTimeUtc());
    auto r = m_redis.eval(restoreScript, {stateKey(sessionId), historyKey(sessionId)}, args);
    if (!r)
        return Result<bool>::failure(r.error());
    if (r->integer != 1)
        return false;
    if (auto listed = m_redis.command({"SADD", userSessionsKey(s.context.userId), sessionId.toUtf8()}); !listed)
        return Result<bool>::failure(listed.error());
    return true;
}

Status SessionStore::flushPending()
{
    if (m_cache.isEmpty() || (!m_offline && pendingWrites() == 0))
        return {};
    if (!m_redis.isConnected() && !m_redis.command({"PING"}))
        return Status::failure(QStringLiteral("Redis is still unreachable"));
    m_offline = false; // from here on, finishEscalation and releaseClaim go to Redis
    for (auto it = m_cache.begin(); it != m_cache.end(); ++it) {
        Cached &c = it.value();
        if (!c.pending.isEmpty() || !c.localTicket.isEmpty()) {
            // A server that came back empty has none of this conversation: write it back whole.
            auto restored = restoreIfMissing(it.key(), c);
            if (!restored) {
                m_offline = connectionLost();
                return Status::failure(restored.error());
            }
            if (restored.value()) {
                qCInfo(lcSession).noquote() << QStringLiteral("Conversation written back whole session=") + it.key();
                c.pending.clear();
                if (!c.localTicket.isEmpty())
                    c.state.ticketId = c.localTicket;
                c.state.escalated = !c.state.ticketId.isEmpty();
                c.localTicket.clear();
                continue;
            }
        }
        while (!c.pending.isEmpty()) {
            const Cached::Pending p = c.pending.constFirst();
            auto written = recordInRedis(it.key(), c.state.context.userId, p.entry, &p.detection, p.force);
            if (!written) {
                m_offline = connectionLost();
                return Status::failure(written.error()); // still down: keep the rest for the next time
            }
            c.pending.removeFirst();
            if (written->claimed) {
                // The write-back reached the point of escalation: the ticket opened offline is the one.
                if (!c.localTicket.isEmpty())
                    (void)finishEscalation(it.key(), written->claimToken, c.localTicket);
                else
                    (void)releaseClaim(it.key(), written->claimToken); // the next message opens it
            }
        }
        if (!c.localTicket.isEmpty()) {
            auto stored = finishEscalation(it.key(), QString(), c.localTicket);
            if (!stored) {
                m_offline = connectionLost();
                return Status::failure(stored.error());
            }
            c.localTicket.clear();
        }
    }
    m_offline = false;
    qCInfo(lcSession) << "Redis reachable again: pending messages written back";
    return {};
}

Result<RecordOutcome> SessionStore::recordInRedis(const QString &sessionId, const QString &userId, const HistoryEntry &entry,
                                                  const Detection *detection, bool forceEscalation, int ratePerMinute)
{
    using R = Result<RecordOutcome>;
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return R::failure(valid.error());
    const bool dissatisfied = detection && detection->dissatisfied;
    const bool explicitRequest = detection && detection->explicitRequest;
    const QString token = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QDateTime now = entry.timestamp.isValid() ? entry.timestamp : QDateTime::currentDateTimeUtc();
    const QByteArray entryJson = entry.toJson();
    const QByteArray rules = detection ? detection->rules.join(QLatin1Char(',')).toUtf8() : QByteArray();
    const QList<QByteArray> keys{stateKey(sessionId), historyKey(sessionId)};
    const QList<QByteArray> args{userId.toUtf8(), entry.role.toUtf8(), entryJson, dissatisfied ? "1" : "0",
                                 explicitRequest ? "1" : "0", QByteArray::number(m_config.escalationThreshold),
                                 QByteArray::number(m_config.historyCap), QByteArray::number(m_config.sessionTtlSeconds),
                                 (m_config.escalateOnExplicitRequest || forceEscalation) ? "1" : "0",
                                 isoUtc(now), QByteArray::number(now.toSecsSinceEpoch()), token.toUtf8(), rules,
                                 QByteArray::number(m_config.claimLapseSeconds)};

    // One round trip: the user's rate counter, the turn, and (first message of the session in this process)
    // a copy of the session for the outage cache.
    QList<QList<QByteArray>> commands;
    QByteArray rateKey;
    const QByteArray rateWindow = "120";
    if (ratePerMinute > 0) {
        const qint64 minute = QDateTime::currentSecsSinceEpoch() / 60;
        rateKey = "lp:user:" + userId.toUtf8() + ":rate:" + QByteArray::number(minute);
        commands << RedisClient::evalShaCommand(rateScript, {rateKey}, {rateWindow});
    }
    const qsizetype turnAt = commands.size();
    commands << RedisClient::evalShaCommand(turnScript(), keys, args);
    const bool fill = !m_cache.contains(sessionId);
    if (fill)
        commands << QList<QByteArray>{"HGETALL", keys.at(0)} << QList<QByteArray>{"LRANGE", keys.at(1), "0", "-1"};
    auto replies = m_redis.exchange(commands);
    if (!replies)
        return R::failure(replies.error());

    bool overLimit = false;
    if (ratePerMinute > 0) {
        RedisReply counted = replies->at(0);
        if (RedisClient::isNoScript(counted)) { // a server that restarted or flushed its scripts
            auto again = m_redis.evalSource(rateScript, {rateKey}, {rateWindow});
            if (!again)
                return R::failure(again.error());
            counted = again.value();
        } else if (counted.isError()) {
            return fail<RecordOutcome>(counted);
        }
        overLimit = counted.integer > ratePerMinute;
    }
    RedisReply turn = replies->at(turnAt);
    bool copied = fill;
    if (RedisClient::isNoScript(turn)) {
        copied = false; // the copy was read before the turn ran
        if (overLimit) {
            RecordOutcome limited;
            limited.rateLimited = true;
            return limited;
        }
        auto again = m_redis.evalSource(turnScript(), keys, args);
        if (!again)
            return fail<RecordOutcome>(again);
        turn = again.value();
    } else if (turn.isError()) {
        return fail<RecordOutcome>(turn);
    }
    const auto &e = turn.elements;
    if (e.size() != 9)
        return R::failure(QStringLiteral("Unexpected reply from the Redis turn script"));
    RecordOutcome out;
    out.dissatisfactionCount = int(e.at(0).integer);
    out.claimed = e.at(1).integer == 1;
    out.claimToken = out.claimed ? token : QString();
    out.escalated = e.at(2).integer == 1;
    out.ticketId = QString::fromUtf8(e.at(3).string);
    out.historyLength = int(e.at(4).integer);
    out.reason = QString::fromUtf8(e.at(5).string);

    if (overLimit) {
        // Counted in the same round trip as the turn, so the turn ran: take it back, nothing is stored.
        auto undone = m_redis.eval(takeBackScript, keys,
                                   {entryJson, dissatisfied ? "1" : "0", rules, out.claimToken.toUtf8(), e.at(6).string,
                                    e.at(7).string, e.at(8).string});
        if (!undone)
            return R::failure(QStringLiteral("The message went over the rate limit and could not be taken back: %1")
                                  .arg(explain(undone.kind(), undone.error())),
                                  undone.kind());
        RecordOutcome limited;
        limited.rateLimited = true;
        return limited;
    }

    if (fill) {
        // Keep a copy of the session, so that an outage of Redis loses nothing of this conversation.
        if (copied && !replies->at(turnAt + 1).elements.isEmpty()) {
            auto h = parseHistory(replies->at(turnAt + 2));
            if (h) {
                Cached &c = m_cache[sessionId];
                c.state = parseState(sessionId, replies->at(turnAt + 1));
                c.history = h.value();
            }
        } else if (auto s = state(sessionId); s) {
            if (auto h = history(sessionId); h)
                m_cache[sessionId].history = h.value();
        }
    }
    if (dissatisfied)
        qCInfo(lcSession).noquote() << QStringLiteral("Dissatisfaction detected session=") + sessionId
                                    << QStringLiteral("count=") + QString::number(out.dissatisfactionCount)
                                    << QStringLiteral("rules=") + detection->rules.join(QLatin1Char(','));
    return out;
}

Status SessionStore::publishTicketChange(const QString &ticketId, const QString &change)
{
    const QByteArray payload = QJsonDocument(QJsonObject{{QStringLiteral("ticket_id"), ticketId},
                                                         {QStringLiteral("change"), change}})
                                   .toJson(QJsonDocument::Compact);
    return Status::from(m_redis.command({"PUBLISH", ticketsChannel(), payload}));
}

Status SessionStore::setLastSession(const QString &userId, const QString &sessionId)
{
    return Status::from(m_redis.command({"SET", "lp:user:" + userId.toUtf8() + ":last_session", sessionId.toUtf8(), "EX",
                                         QByteArray::number(m_config.sessionTtlSeconds)}));
}

Result<QString> SessionStore::lastSession(const QString &userId)
{
    auto r = m_redis.command({"GET", "lp:user:" + userId.toUtf8() + ":last_session"});
    if (!r)
        return Result<QString>::failure(r.error());
    return QString::fromUtf8(r->string);
}

Status SessionStore::setContext(const QString &sessionId, const SessionContext &c)
{
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return valid;
    static const QByteArray script = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('LP_NO_SESSION no such session, or it expired')
end
redis.call('HSET', KEYS[1], 'student', ARGV[1], 'class_id', ARGV[2], 'scope', ARGV[3])
return 1
)lua";
    auto r = m_redis.eval(script, {stateKey(sessionId)}, {c.student.toUtf8(), c.classId.toUtf8(), c.scope.toUtf8()});
    return r ? Status() : Status::failure(explain(r.kind(), r.error()), r.kind());
}

Result<QString> SessionStore::finishEscalation(const QString &sessionId, const QString &claimToken,
                                               const QString &ticketId)
{
    if (auto it = m_cache.find(sessionId); it != m_cache.end() && m_offline) {
        if (it->state.ticketId.isEmpty())
            it->state.ticketId = ticketId;
        it->state.escalated = true;
        it->localTicket = it->state.ticketId;
        return it->state.ticketId;
    }
    auto r = m_redis.eval(finishScript, {stateKey(sessionId)}, {claimToken.toUtf8(), ticketId.toUtf8()});
    if (!r)
        return fail<QString>(r);
    if (auto it = m_cache.find(sessionId); it != m_cache.end()) {
        it->state.ticketId = QString::fromUtf8(r->string);
        it->state.escalated = true;
    }
    return QString::fromUtf8(r->string);
}

Status SessionStore::releaseClaim(const QString &sessionId, const QString &claimToken)
{
    if (auto it = m_cache.find(sessionId); it != m_cache.end() && m_offline && it->claimToken == claimToken) {
        if (it->state.ticketId.isEmpty())
            it->state.escalated = false; // the reason stays: the next message retries
        return {};
    }
    auto r = m_redis.eval(releaseScript, {stateKey(sessionId)}, {claimToken.toUtf8()});
    if (!r)
        return Status::failure(explain(r.kind(), r.error()), r.kind());
    if (r->integer == 1)
        qCWarning(lcSession).noquote() << QStringLiteral("Escalation claim released session=") + sessionId;
    return {};
}

} // namespace LearnPulse
