#include "config.h"
#include "logging.h"
#include "redisclient.h"
#include "redisscripts.h"
#include "sessionstore.h"
#include "sessionwire.h"

#include <QUuid>

// The session store's outage cache: what it keeps of the conversations it has seen, so that a Redis
// outage loses nothing; messages recorded meanwhile are written back when Redis answers again (whole,
// when the server came back without them).

namespace LearnPulse {

using SessionWire::isoUtc;

int SessionStore::pendingWrites() const
{
    int n = 0;
    for (const Cached &c : m_cache)
        n += int(c.pending.size());
    return n;
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

Result<RecordOutcome> SessionStore::recordOffline(
    Cached &c, const QString &userId, const HistoryEntry &entry, const Detection *detection, bool forceEscalation)
{
    if (c.state.context.userId != userId)
        return Result<RecordOutcome>::failure(
            QStringLiteral("This conversation belongs to another user."), ErrorKind::Forbidden);
    HistoryEntry e = entry;
    if (!e.timestamp.isValid())
        e.timestamp = QDateTime::currentDateTimeUtc();
    c.pending.append({ e, detection ? *detection : Detection {}, forceEscalation });
    c.history.append(e);
    while (c.history.size() > m_config.historyCap)
        c.history.removeFirst();
    RecordOutcome out;
    out.offline = true;
    if (detection && detection->dissatisfied) {
        ++c.state.dissatisfactionCount;
        c.state.signalRules << detection->rules;
        c.state.signalMarks.append({ QString::fromUtf8(isoUtc(e.timestamp)), detection->rules });
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

void SessionStore::markOutage()
{
    m_offline = true;
    for (Cached &c : m_cache)
        c.sawOutage = true;
}

void SessionStore::adoptConversations(SessionStore &previous)
{
    for (auto it = previous.m_cache.begin(); it != previous.m_cache.end(); ++it)
        m_cache.insert(it.key(), std::move(it.value()));
    previous.m_cache.clear();
    if (!m_cache.isEmpty())
        markOutage(); // written back (whole where this server lacks them) on the next call that reaches it
}

Status SessionStore::probe()
{
    if (!m_redis.command({ "PING" })) {
        if (!m_cache.isEmpty())
            markOutage();
        return Status::failure(QStringLiteral("Redis is unreachable"));
    }
    return flushPending();
}

namespace {

QByteArray votesField(const QHash<QString, bool> &votes)
{
    QByteArrayList out;
    for (auto it = votes.cbegin(); it != votes.cend(); ++it)
        out << it.key().toUtf8() + (it.value() ? "=up" : "=down");
    return out.join(';');
}

} // namespace

Result<bool> SessionStore::restoreIfMissing(const QString &sessionId, const Cached &c)
{
    const SessionState &s = c.state;
    const QString ticket = !s.ticketId.isEmpty() ? s.ticketId : c.localTicket;
    QList<QByteArray> args { QByteArray::number(m_config.sessionTtlSeconds) };
    for (const HistoryEntry &e : c.history)
        args << e.toJson();
    args << "--";
    args << "user_id" << s.context.userId.toUtf8() << "teacher_email" << s.context.teacherEmail.toUtf8() << "student"
         << s.context.student.toUtf8() << "class_id" << s.context.classId.toUtf8() << "scope"
         << s.context.scope.toUtf8() << "dissatisfaction_count"
         << QByteArray::number(s.dissatisfactionCount)
         // A claim in flight is not written: without a ticket the reason stays, so the next message retries.
         << "escalated" << (ticket.isEmpty() ? "0" : "1") << "ticket_id" << ticket.toUtf8() << "escalation_reason"
         << s.escalationReason.toUtf8() << "signals" << SessionWire::signalsField(s.signalMarks) << "withdrawn"
         << SessionWire::signalsField(s.withdrawnSignals) << "votes" << votesField(s.votes) << "offer"
         << s.offer.toUtf8() << "created" << isoUtc(s.created.isValid() ? s.created : QDateTime::currentDateTimeUtc())
         << "updated" << isoUtc(QDateTime::currentDateTimeUtc());
    auto r = m_redis.eval(RedisScripts::restore(), { stateKey(sessionId), historyKey(sessionId) }, args);
    if (!r)
        return Result<bool>::failure(r.error());
    if (r->integer != 1)
        return false;
    // The conversation is back; its place in the user's list is a convenience (the last-session key and the
    // session id still open it): a failure here must not make the caller write the messages a second time.
    if (auto listed = m_redis.command({ "SADD", userSessionsKey(s.context.userId), sessionId.toUtf8() }); !listed)
        qCWarning(lcSession).noquote() << QStringLiteral("Cannot list a restored conversation session=") + sessionId;
    return true;
}

Status SessionStore::flushPending()
{
    if (m_cache.isEmpty() || (!m_offline && pendingWrites() == 0))
        return {};
    if (!m_redis.isConnected() && !m_redis.command({ "PING" }))
        return Status::failure(QStringLiteral("Redis is still unreachable"));
    m_offline = false; // from here on, finishEscalation and releaseClaim go to Redis
    // A person erased meanwhile (by another console, during or after the outage): their conversations kept
    // here are forgotten, never written back.
    for (auto it = m_cache.begin(); it != m_cache.end();) {
        auto erased = m_redis.command({ "EXISTS", erasedKey(it->state.context.userId) });
        if (erased && erased->integer == 1) {
            qCInfo(lcSession).noquote() << QStringLiteral("Conversation of an erased person forgotten session=")
                    + it.key();
            it = m_cache.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = m_cache.begin(); it != m_cache.end(); ++it) {
        Cached &c = it.value();
        if (!c.pending.isEmpty() || !c.localTicket.isEmpty() || c.sawOutage) {
            // A server that came back empty has none of this conversation: write it back whole.
            auto restored = restoreIfMissing(it.key(), c);
            if (!restored) {
                m_offline = connectionLost();
                return Status::failure(restored.error());
            }
            c.sawOutage = false;
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

} // namespace LearnPulse
