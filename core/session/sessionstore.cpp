#include "sessionstore.h"

#include "config.h"
#include "detector.h"
#include "logging.h"
#include "messagevalidator.h"
#include "redisclient.h"
#include "redisscripts.h"
#include "repetition.h"
#include "sessionwire.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

namespace LearnPulse {

using SessionWire::isoUtc;
using SessionWire::parseHistory;
using SessionWire::parseState;

namespace {

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

} // namespace

SessionStore::SessionStore(RedisClient &redis, const Config &config)
    : m_redis(redis)
    , m_config(config)
{ }

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

QString SessionStore::sessionTag(const QString &userId)
{
    return QString::fromLatin1(QCryptographicHash::hash(userId.toUtf8(), QCryptographicHash::Sha256).toHex().left(8));
}

QString SessionStore::boundSessionId(const QString &userId)
{
    // A random UUID whose last 8 hex digits name its account: the index takes a ticket for a session only from that
    // account's seat (lp_create_ticket), so a session id read from the shared Redis cannot be claimed by another.
    // The first 8 digits (the ticket ID's) stay random.
    return QUuid::createUuid().toString(QUuid::WithoutBraces).chopped(8) + sessionTag(userId);
}

Result<QString> SessionStore::createSession(const SessionContext &context)
{
    if (context.userId.isEmpty())
        return Result<QString>::failure(QStringLiteral("A conversation needs a signed-in user."));
    const QString id = boundSessionId(context.userId);
    const QByteArray now = isoUtc(QDateTime::currentDateTimeUtc());
    const QByteArray ttl = QByteArray::number(m_config.sessionTtlSeconds);
    const QByteArray key = stateKey(id);
    auto r = m_redis.pipeline({
        { "HSET", key, "user_id", context.userId.toUtf8(), "teacher_email", context.teacherEmail.toUtf8(), "student",
            context.student.toUtf8(), "class_id", context.classId.toUtf8(), "scope", context.scope.toUtf8(),
            "dissatisfaction_count", "0", "escalated", "0", "ticket_id", "", "created", now, "updated", now },
        { "EXPIRE", key, ttl }, { "SADD", userSessionsKey(context.userId), id.toUtf8() },
        { "EXPIRE", userSessionsKey(context.userId), ttl }, // every key expires (an erasure also scans states)
    });
    if (!r)
        return Result<QString>::failure(r.error(), r.kind());
    qCInfo(lcSession) << "Session created session=" << id;
    return id;
}

Result<SessionState> SessionStore::state(const QString &sessionId)
{
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return Result<SessionState>::failure(valid.error(), valid.kind());
    (void)flushPending();
    if (auto cached = m_cache.constFind(sessionId);
        cached != m_cache.constEnd() && (m_offline || !cached->pending.isEmpty()))
        return cached->state;
    auto r = m_redis.command({ "HGETALL", stateKey(sessionId) });
    if (!r) {
        if (connectionLost() && m_cache.contains(sessionId)) {
            markOutage();
            return m_cache.value(sessionId).state;
        }
        return Result<SessionState>::failure(r.error(), r.kind());
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
        return R::failure(valid.error(), valid.kind());
    (void)flushPending();
    if (auto cached = m_cache.constFind(sessionId);
        cached != m_cache.constEnd() && (m_offline || !cached->pending.isEmpty()))
        return cached->history;
    auto r = m_redis.command({ "LRANGE", historyKey(sessionId), "0", "-1" });
    if (!r) {
        if (connectionLost() && m_cache.contains(sessionId)) {
            markOutage();
            return m_cache.value(sessionId).history;
        }
        return R::failure(r.error(), r.kind());
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
    auto r = m_redis.command({ "SMEMBERS", userSessionsKey(userId) });
    if (!r)
        return Result<QStringList>::failure(r.error(), r.kind());
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

Result<RecordOutcome> SessionStore::record(const QString &sessionId, const QString &userId, const HistoryEntry &entry,
    const Detection *detection, bool forceEscalation, int ratePerMinute)
{
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return Result<RecordOutcome>::failure(valid.error(), valid.kind());
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
        markOutage();
        qCWarning(lcSession).noquote()
            << QStringLiteral("Redis unreachable: keeping session=%1 in memory").arg(sessionId);
        return recordOffline(m_cache[sessionId], userId, entry, detection, forceEscalation);
    }
    return outcome;
}

Result<RecordOutcome> SessionStore::recordInRedis(const QString &sessionId, const QString &userId,
    const HistoryEntry &entry, const Detection *detection, bool forceEscalation, int ratePerMinute)
{
    using R = Result<RecordOutcome>;
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return R::failure(valid.error(), valid.kind());
    bool dissatisfied = detection && detection->dissatisfied;
    const bool explicitRequest = detection && detection->explicitRequest;
    const QString token = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QDateTime now = entry.timestamp.isValid() ? entry.timestamp : QDateTime::currentDateTimeUtc();
    QByteArray entryJson = entry.toJson();
    QByteArray rules = detection ? detection->rules.join(QLatin1Char(',')).toUtf8() : QByteArray();
    // A teacher message carries its content words, so that the script can tell a question asked again.
    const bool compare = entry.role == QLatin1String("teacher") && m_config.repetitionSignal;
    const QByteArray words
        = compare ? Repetition::contentWords(entry.content).join(QLatin1Char(' ')).toUtf8() : QByteArray();
    if (!words.isEmpty()) // letters, digits and apostrophes only: nothing to escape
        entryJson.insert(entryJson.size() - 1, ",\"w\":\"" + words + '"');
    const QList<QByteArray> keys { stateKey(sessionId), historyKey(sessionId) };
    const QList<QByteArray> args { userId.toUtf8(), entry.role.toUtf8(), entryJson, dissatisfied ? "1" : "0",
        explicitRequest ? "1" : "0", QByteArray::number(m_config.escalationThreshold),
        QByteArray::number(m_config.historyCap), QByteArray::number(m_config.sessionTtlSeconds),
        (m_config.escalateOnExplicitRequest || forceEscalation) ? "1" : "0", isoUtc(now),
        QByteArray::number(now.toSecsSinceEpoch()), token.toUtf8(), rules,
        QByteArray::number(m_config.claimLapseSeconds), words,
        compare && Repetition::saysAgain(entry.content) ? "1" : "0",
        QByteArray::number(compare ? m_config.repetitionWindow : 0),
        detection && detection->vagueRequest && m_config.offerSignal ? "1" : "0",
        detection && detection->correction ? "1" : "0",
        QByteArray::number(m_config.offerSignal ? m_config.correctionsBeforeOffer : 0) };

    // One round trip: the user's rate counter, the turn, and (first message of the session in this process)
    // a copy of the session for the outage cache.
    QList<QList<QByteArray>> commands;
    QByteArray rateKey;
    const QByteArray rateWindow = "120";
    if (ratePerMinute > 0) {
        const qint64 minute = QDateTime::currentSecsSinceEpoch() / 60;
        rateKey = "lp:user:" + userId.toUtf8() + ":rate:" + QByteArray::number(minute);
        commands << RedisClient::evalShaCommand(RedisScripts::rate(), { rateKey }, { rateWindow });
    }
    const qsizetype turnAt = commands.size();
    commands << RedisClient::evalShaCommand(RedisScripts::turn(), keys, args);
    const bool fill = !m_cache.contains(sessionId);
    if (fill)
        commands << QList<QByteArray> { "HGETALL", keys.at(0) }
                 << QList<QByteArray> { "LRANGE", keys.at(1), "0", "-1" };
    auto replies = m_redis.exchange(commands);
    if (!replies)
        return R::failure(replies.error(), replies.kind());

    bool overLimit = false;
    if (ratePerMinute > 0) {
        RedisReply counted = replies->at(0);
        if (RedisClient::isNoScript(counted)) { // a server that restarted or flushed its scripts
            auto again = m_redis.evalSource(RedisScripts::rate(), { rateKey }, { rateWindow });
            if (!again)
                return R::failure(again.error(), again.kind());
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
        auto again = m_redis.evalSource(RedisScripts::turn(), keys, args);
        if (!again)
            return fail<RecordOutcome>(again);
        turn = again.value();
    } else if (turn.isError()) {
        return fail<RecordOutcome>(turn);
    }
    const auto &e = turn.elements;
    if (e.size() != 12)
        return R::failure(QStringLiteral("Unexpected reply from the Redis turn script"));
    RecordOutcome out;
    out.dissatisfactionCount = int(e.at(0).integer);
    out.claimed = e.at(1).integer == 1;
    out.claimToken = out.claimed ? token : QString();
    out.escalated = e.at(2).integer == 1;
    out.ticketId = QString::fromUtf8(e.at(3).string);
    out.historyLength = int(e.at(4).integer);
    out.reason = QString::fromUtf8(e.at(5).string);
    out.repetition = e.at(9).integer == 1;
    out.offered = e.at(10).integer == 1;
    if (out.repetition) { // the script counted it: a take-back must take that back too
        dissatisfied = true;
        rules += rules.isEmpty() ? QByteArray("repetition") : QByteArray(",repetition");
    }

    if (overLimit) {
        // Counted in the same round trip as the turn, so the turn ran: take it back, nothing is stored.
        auto undone = m_redis.eval(RedisScripts::takeBack(), keys,
            { entryJson, dissatisfied ? "1" : "0", isoUtc(now) + '=' + rules, out.claimToken.toUtf8(), e.at(6).string,
                e.at(7).string, e.at(8).string, out.offered ? "1" : "0", e.at(11).string });
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
                                    << QStringLiteral("rules=") + QString::fromUtf8(rules);
    return out;
}

QByteArray SessionStore::changePayload(const QString &ticketId, const QString &change)
{
    return QJsonDocument(
        QJsonObject { { QStringLiteral("ticket_id"), ticketId }, { QStringLiteral("change"), change } })
        .toJson(QJsonDocument::Compact);
}

Status SessionStore::publishTicketChange(const QString &ticketId, const QString &change)
{
    return Status::from(m_redis.command({ "PUBLISH", ticketsChannel(), changePayload(ticketId, change) }));
}

Status SessionStore::publishUserEvent(const QString &userId, const QString &ticketId, const QString &change)
{
    if (userId.isEmpty())
        return Status::failure(QStringLiteral("The ticket names no user to tell."));
    return Status::from(m_redis.command({ "PUBLISH", userChannel(userId), changePayload(ticketId, change) }));
}

namespace {

// A viewer is one member of the ticket's sorted set: id and name, scored with the time it lapses.
QByteArray viewerMember(const QString &userId, const QString &name)
{
    return userId.toUtf8() + '\x1f' + name.toUtf8();
}

} // namespace

Status SessionStore::markViewing(const QString &ticketId, const QString &userId, const QString &name, int ttlSeconds)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QByteArray key = presenceKey(ticketId);
    for (const QList<QByteArray> &cmd :
        { QList<QByteArray> { "ZREMRANGEBYSCORE", key, "-inf", QByteArray::number(now) },
            QList<QByteArray> {
                "ZADD", key, QByteArray::number(now + ttlSeconds * 1000LL), viewerMember(userId, name) },
            QList<QByteArray> { "EXPIRE", key, QByteArray::number(ttlSeconds) } })
        if (auto done = m_redis.command(cmd); !done)
            return Status::from(done);
    return {};
}

Status SessionStore::stopViewing(const QString &ticketId, const QString &userId, const QString &name)
{
    return Status::from(m_redis.command({ "ZREM", presenceKey(ticketId), viewerMember(userId, name) }));
}

Result<QStringList> SessionStore::viewers(const QString &ticketId, const QString &exceptUserId)
{
    auto reply = m_redis.command(
        { "ZRANGEBYSCORE", presenceKey(ticketId), QByteArray::number(QDateTime::currentMSecsSinceEpoch()), "+inf" });
    if (!reply)
        return Result<QStringList>::failure(reply.error(), reply.kind());
    QStringList names;
    for (const RedisReply &member : reply->elements) {
        const qsizetype split = member.string.indexOf('\x1f');
        if (split < 0 || QString::fromUtf8(member.string.left(split)) == exceptUserId)
            continue;
        const QString name = QString::fromUtf8(member.string.mid(split + 1));
        if (!names.contains(name))
            names << name;
    }
    return names;
}

Status SessionStore::setLastSession(const QString &userId, const QString &sessionId)
{
    const QByteArray ttl = QByteArray::number(m_config.sessionTtlSeconds);
    auto r = m_redis.pipeline({ { "SET", lastSessionKey(userId), sessionId.toUtf8(), "EX", ttl },
        { "EXPIRE", userSessionsKey(userId), ttl } }); // the list lives as long as the conversation it opens
    return r ? Status() : Status::failure(r.error(), r.kind());
}

Result<QString> SessionStore::lastSession(const QString &userId)
{
    auto r = m_redis.command({ "GET", lastSessionKey(userId) });
    if (!r)
        return Result<QString>::failure(r.error(), r.kind());
    return QString::fromUtf8(r->string);
}

Status SessionStore::setContext(const QString &sessionId, const SessionContext &c)
{
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return valid;
    auto r = m_redis.eval(RedisScripts::setContext(), { stateKey(sessionId) },
        { c.student.toUtf8(), c.classId.toUtf8(), c.scope.toUtf8() });
    return r ? Status() : Status::failure(explain(r.kind(), r.error()), r.kind());
}

Result<VoteOutcome> SessionStore::vote(
    const QString &sessionId, const QString &userId, const QString &replyKey, bool up, bool countsAsSignal)
{
    using R = Result<VoteOutcome>;
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return R::failure(valid.error(), ErrorKind::BadInput);
    (void)flushPending(); // what was kept in memory during an outage first (the reply may be among it)
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString token = QUuid::createUuid().toString(QUuid::WithoutBraces);
    auto r = m_redis.eval(RedisScripts::feedback(), { stateKey(sessionId), historyKey(sessionId) },
        { userId.toUtf8(), replyKey.toUtf8(), up ? "up" : "down", QByteArray::number(m_config.escalationThreshold),
            QByteArray::number(m_config.sessionTtlSeconds), isoUtc(now), QByteArray::number(now.toSecsSinceEpoch()),
            token.toUtf8(), QByteArray::number(m_config.claimLapseSeconds), countsAsSignal ? "1" : "0" });
    if (!r) {
        if (r.kind() == ErrorKind::NotFound)
            return R::failure(
                QStringLiteral("There is no such reply of the assistant in this conversation."), ErrorKind::NotFound);
        return fail<VoteOutcome>(r);
    }
    const auto &e = r->elements;
    if (e.size() != 8)
        return R::failure(QStringLiteral("Unexpected reply from the Redis feedback script"));
    VoteOutcome out;
    out.dissatisfactionCount = int(e.at(0).integer);
    out.claimed = e.at(1).integer == 1;
    out.claimToken = out.claimed ? token : QString();
    out.escalated = e.at(2).integer == 1;
    out.ticketId = QString::fromUtf8(e.at(3).string);
    out.replyKey = QString::fromUtf8(e.at(4).string);
    out.before = QString::fromUtf8(e.at(5).string);
    out.signalChange = int(e.at(6).integer);
    refreshCachedState(sessionId);
    qCInfo(lcSession).noquote() << QStringLiteral("Reply rated session=") + sessionId
                                << QStringLiteral("vote=") + (up ? QStringLiteral("up") : QStringLiteral("down"))
                                << QStringLiteral("count=") + QString::number(out.dissatisfactionCount);
    return out;
}

Result<WithdrawOutcome> SessionStore::withdrawSignal(
    const QString &sessionId, const QString &userId, const QString &key)
{
    using R = Result<WithdrawOutcome>;
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return R::failure(valid.error(), ErrorKind::BadInput);
    (void)flushPending();
    auto r = m_redis.eval(RedisScripts::withdraw(), { stateKey(sessionId) },
        { userId.toUtf8(), key.toUtf8(), isoUtc(QDateTime::currentDateTimeUtc()),
            QByteArray::number(m_config.sessionTtlSeconds), QByteArray::number(m_config.escalationThreshold) });
    if (!r) {
        if (r.kind() == ErrorKind::NotFound)
            return R::failure(
                QStringLiteral("That message did not count as a sign that you were unhappy."), ErrorKind::NotFound);
        if (r.kind() == ErrorKind::BadInput)
            return R::failure(
                QStringLiteral("This conversation has its support ticket already; nothing can be withdrawn now."),
                ErrorKind::BadInput);
        return fail<WithdrawOutcome>(r);
    }
    const auto &e = r->elements;
    if (e.size() != 3)
        return R::failure(QStringLiteral("Unexpected reply from the Redis withdraw script"));
    WithdrawOutcome out;
    out.dissatisfactionCount = int(e.at(0).integer);
    out.key = QString::fromUtf8(e.at(1).string);
    out.rules = QString::fromUtf8(e.at(2).string).split(QLatin1Char(','), Qt::SkipEmptyParts);
    refreshCachedState(sessionId);
    qCInfo(lcSession).noquote() << QStringLiteral("Signal withdrawn session=") + sessionId
                                << QStringLiteral("rules=") + out.rules.join(QLatin1Char(','));
    return out;
}

Result<QString> SessionStore::answerOffer(const QString &sessionId, const QString &userId, bool accept)
{
    if (auto valid = MessageValidator::checkSessionId(sessionId); !valid)
        return Result<QString>::failure(valid.error(), ErrorKind::BadInput);
    (void)flushPending();
    auto r = m_redis.eval(RedisScripts::offer(), { stateKey(sessionId) },
        { userId.toUtf8(), accept ? "accepted" : "declined", QByteArray::number(m_config.sessionTtlSeconds) });
    if (!r)
        return fail<QString>(r);
    refreshCachedState(sessionId);
    return QString::fromUtf8(r->string);
}

Status SessionStore::reopenOffer(const QString &sessionId, const QString &userId)
{
    auto r = m_redis.eval(RedisScripts::offer(), { stateKey(sessionId) },
        { userId.toUtf8(), "reopen", QByteArray::number(m_config.sessionTtlSeconds) });
    refreshCachedState(sessionId);
    return r ? Status() : Status::failure(r.error(), r.kind());
}

void SessionStore::refreshCachedState(const QString &sessionId)
{
    // The copy kept for an outage follows what the scripts changed (votes, withdrawn signals, the offer), so
    // that writing it back after a loss does not bring back what the teacher took back.
    auto it = m_cache.find(sessionId);
    if (it == m_cache.end())
        return;
    if (auto all = m_redis.command({ "HGETALL", stateKey(sessionId) }); all && !all->elements.isEmpty())
        it->state = parseState(sessionId, all.value());
}

Result<QString> SessionStore::finishEscalation(
    const QString &sessionId, const QString &claimToken, const QString &ticketId)
{
    if (auto it = m_cache.find(sessionId); it != m_cache.end() && m_offline) {
        if (it->state.ticketId.isEmpty())
            it->state.ticketId = ticketId;
        it->state.escalated = true;
        it->localTicket = it->state.ticketId;
        return it->state.ticketId;
    }
    auto r = m_redis.eval(RedisScripts::finish(), { stateKey(sessionId) }, { claimToken.toUtf8(), ticketId.toUtf8() });
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
    auto r = m_redis.eval(RedisScripts::release(), { stateKey(sessionId) }, { claimToken.toUtf8() });
    if (!r)
        return Status::failure(explain(r.kind(), r.error()), r.kind());
    if (r->integer == 1)
        qCWarning(lcSession).noquote() << QStringLiteral("Escalation claim released session=") + sessionId;
    return {};
}

} // namespace LearnPulse
