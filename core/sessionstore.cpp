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

QString isoUtc(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

// Turns the script's error replies into sentences for the person at the keyboard.
QString explain(const QString &error)
{
    if (error.contains(QLatin1String("LP_NO_SESSION")))
        return QStringLiteral("This conversation no longer exists (conversations expire after a week without "
                              "activity). Start a new conversation.");
    if (error.contains(QLatin1String("LP_FORBIDDEN")))
        return QStringLiteral("This conversation belongs to another user.");
    return error;
}

template<typename T>
Result<T> fail(const QString &error)
{
    return Result<T>::failure(explain(error));
}

} // namespace

QByteArray HistoryEntry::toJson() const
{
    const QJsonObject o{{QStringLiteral("role"), role},
                        {QStringLiteral("content"), content},
                        {QStringLiteral("ts"), isoUtc(timestamp)}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
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
    const QByteArray now = isoUtc(QDateTime::currentDateTimeUtc()).toUtf8();
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
        return fail<SessionState>(QStringLiteral("LP_NO_SESSION"));
    QHash<QByteArray, QString> f;
    for (qsizetype i = 0; i + 1 < r->elements.size(); i += 2)
        f.insert(r->elements.at(i).string, QString::fromUtf8(r->elements.at(i + 1).string));
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
    QList<HistoryEntry> entries;
    entries.reserve(r->elements.size());
    for (const RedisReply &item : r->elements) {
        auto entry = HistoryEntry::fromJson(item.string);
        if (!entry)
            return R::failure(entry.error());
        entries.append(std::move(entry).value());
    }
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
                                           const Detection *detection, bool forceEscalation)
{
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return Result<RecordOutcome>::failure(valid.error());
    (void)flushPending();
    auto it = m_cache.find(sessionId);
    if (it != m_cache.end() && (m_offline || !it->pending.isEmpty()))
        return recordOffline(*it, userId, entry, detection, forceEscalation);
    auto outcome = recordInRedis(sessionId, userId, entry, detection, forceEscalation);
    if (outcome) {
        remember(sessionId, entry, outcome.value());
        return outcome;
    }
    if (connectionLost() && it != m_cache.end()) {
        m_offline = true;
        qCWarning(lcSession).noquote() << QStringLiteral("Redis unreachable: keeping session=%1 in memory").arg(sessionId);
        return recordOffline(*it, userId, entry, detection, forceEscalation);
    }
    return outcome;
}

void SessionStore::remember(const QString &sessionId, const HistoryEntry &entry, const RecordOutcome &outcome)
{
    auto it = m_cache.find(sessionId);
    if (it == m_cache.end()) {
        // First message of this session in this process: keep a copy, so that an outage loses nothing.
        auto s = state(sessionId);
        auto h = history(sessionId);
        if (s && h) {
            m_cache[sessionId].state = s.value();
            m_cache[sessionId].history = h.value();
        }
        return;
    }
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
        return Result<RecordOutcome>::failure(explain(QStringLiteral("LP_FORBIDDEN")));
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

Status SessionStore::flushPending()
{
    if (m_cache.isEmpty() || (!m_offline && pendingWrites() == 0))
        return {};
    if (!m_redis.isConnected() && !m_redis.command({"PING"}))
        return Status::failure(QStringLiteral("Redis is still unreachable"));
    m_offline = false; // from here on, finishEscalation and releaseClaim go to Redis
    for (auto it = m_cache.begin(); it != m_cache.end(); ++it) {
        Cached &c = it.value();
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
                                                  const Detection *detection, bool forceEscalation)
{
    using R = Result<RecordOutcome>;
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return R::failure(valid.error());
    const bool dissatisfied = detection && detection->dissatisfied;
    const bool explicitRequest = detection && detection->explicitRequest;
    const QString token = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QDateTime now = entry.timestamp.isValid() ? entry.timestamp : QDateTime::currentDateTimeUtc();
    auto r = m_redis.eval(turnScript(), {stateKey(sessionId), historyKey(sessionId)},
                          {userId.toUtf8(), entry.role.toUtf8(), entry.toJson(), dissatisfied ? "1" : "0",
                           explicitRequest ? "1" : "0", QByteArray::number(m_config.escalationThreshold),
                           QByteArray::number(m_config.historyCap), QByteArray::number(m_config.sessionTtlSeconds),
                           (m_config.escalateOnExplicitRequest || forceEscalation) ? "1" : "0", isoUtc(now).toUtf8(),
                           QByteArray::number(now.toSecsSinceEpoch()), token.toUtf8(),
                           detection ? detection->rules.join(QLatin1Char(',')).toUtf8() : QByteArray(),
                           QByteArray::number(m_config.claimLapseSeconds)});
    if (!r)
        return fail<RecordOutcome>(r.error());
    const auto &e = r->elements;
    if (e.size() != 6)
        return R::failure(QStringLiteral("Unexpected reply from the Redis turn script"));
    RecordOutcome out;
    out.dissatisfactionCount = int(e.at(0).integer);
    out.claimed = e.at(1).integer == 1;
    out.claimToken = out.claimed ? token : QString();
    out.escalated = e.at(2).integer == 1;
    out.ticketId = QString::fromUtf8(e.at(3).string);
    out.historyLength = int(e.at(4).integer);
    out.reason = QString::fromUtf8(e.at(5).string);
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
    return r ? Status() : Status::failure(explain(r.error()));
}

Status SessionStore::countEvent(const QString &name)
{
    return Status::from(m_redis.command({"HINCRBY", "lp:metrics", name.toUtf8(), "1"}));
}

Result<bool> SessionStore::allowMessage(const QString &userId, int perMinute)
{
    // A fixed one-minute window per user, shared by every window and process of that user.
    const qint64 minute = QDateTime::currentSecsSinceEpoch() / 60;
    const QByteArray key = "lp:user:" + userId.toUtf8() + ":rate:" + QByteArray::number(minute);
    auto r = m_redis.pipeline({{"INCR", key}, {"EXPIRE", key, "120"}});
    if (!r && connectionLost())
        return true; // no shared counter while Redis is away; the conversation goes on
    if (!r)
        return Result<bool>::failure(r.error());
    return r->constFirst().integer <= perMinute;
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
        return fail<QString>(r.error());
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
        return Status::failure(explain(r.error()));
    if (r->integer == 1)
        qCWarning(lcSession).noquote() << QStringLiteral("Escalation claim released session=") + sessionId;
    return {};
}

} // namespace LearnPulse
