#pragma once

#include "detector.h"
#include "result.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace LearnPulse {

class RedisClient;
struct Config;
struct Detection;

// What a conversation is about; stored with the session and copied into its ticket.
struct SessionContext
{
    QString userId;
    QString teacherEmail;
    QString student;
    QString classId;
    QString scope;
};

struct SessionState
{
    QString id;
    SessionContext context;
    int dissatisfactionCount = 0;
    bool escalated = false;
    QString ticketId;
    QString escalationReason; // "threshold" or "explicit" once claimed
    QStringList signalRules; // rule names of every signal so far, oldest first
    QDateTime created;
    QDateTime updated;
};

struct HistoryEntry
{
    QString role; // "teacher" or "assistant"
    QString content;
    QDateTime timestamp;

    QByteArray toJson() const;
    static Result<HistoryEntry> fromJson(const QByteArray &json);
};

// What recording one message did to the session.
struct RecordOutcome
{
    int dissatisfactionCount = 0;
    bool claimed = false; // this caller, and no other, must now create the ticket
    QString claimToken;
    bool escalated = false;
    QString ticketId;
    QString reason;
    int historyLength = 0;
    bool offline = false; // Redis was unreachable: recorded in memory, written back on reconnect
    bool rateLimited = false; // over the user's limit per minute: nothing was stored
    bool repetition = false; // the message asked again what a recent one asked: counted as a signal
};

// Session state in Redis (DESIGN.md, "Session state"). Both keys of a session share the hash tag
// {<session id>} so that the turn script works on Redis Cluster. Blocking: use from a worker thread.
class SessionStore final
{
public:
    SessionStore(RedisClient &redis, const Config &config);

    static QByteArray stateKey(const QString &sessionId);
    static QByteArray historyKey(const QString &sessionId);
    static QByteArray userSessionsKey(const QString &userId);

    Result<QString> createSession(const SessionContext &context);
    Result<SessionState> state(const QString &sessionId);
    Result<QList<HistoryEntry>> history(const QString &sessionId);
    Result<QStringList> sessionsOfUser(const QString &userId);

    // Appends a message, counts a signal and claims escalation atomically (resources/redis/turn.lua).
    // `forceEscalation`: the teacher pressed "Contact support"; claim whatever the settings say.
    // `ratePerMinute` > 0 also counts the message towards the user's limit, in the same round trip
    // (a fixed one-minute window per user, shared by every window and process of that user); a message
    // over the limit is taken back and comes back as `rateLimited`. While Redis is unreachable there is no
    // shared counter and the conversation goes on.
    Result<RecordOutcome> record(const QString &sessionId, const QString &userId, const HistoryEntry &entry,
        const Detection *detection, bool forceEscalation = false, int ratePerMinute = 0);

    // Tells every console that the ticket list changed (pub/sub channel lp:tickets).
    Status publishTicketChange(const QString &ticketId, const QString &change);
    static QByteArray ticketsChannel() { return "lp:tickets"; }
    // Tells the teacher's open consoles that their ticket changed (a support reply, a new status), on
    // the user's own channel: the payload names the ticket and the change, never text.
    Status publishUserEvent(const QString &userId, const QString &ticketId, const QString &change);
    static QByteArray userChannel(const QString &userId) { return "lp:user:" + userId.toUtf8() + ":events"; }

    // Who has a ticket open (support consoles), so that two agents do not answer at once: each viewer is
    // kept for `ttlSeconds` after their console last said so; a closed or crashed console drops out by itself.
    static constexpr int presenceTtlSeconds = 6; // three looks of a live console (every 2 s)
    Status markViewing(
        const QString &ticketId, const QString &userId, const QString &name, int ttlSeconds = presenceTtlSeconds);
    Status stopViewing(const QString &ticketId, const QString &userId, const QString &name);
    // The names of the others who have the ticket open now.
    Result<QStringList> viewers(const QString &ticketId, const QString &exceptUserId);
    static QByteArray presenceKey(const QString &ticketId) { return "lp:presence:" + ticketId.toUtf8(); }
    // The user's last conversation, so that the console reopens it.
    Status setLastSession(const QString &userId, const QString &sessionId);
    Result<QString> lastSession(const QString &userId);
    // Changes what the conversation is about (class, student, scope).
    Status setContext(const QString &sessionId, const SessionContext &context);

    // Stores the ticket of a claimed escalation; keeps a ticket already stored (the first one wins).
    Result<QString> finishEscalation(const QString &sessionId, const QString &claimToken, const QString &ticketId);
    // Gives a claim back when the ticket could not be created, so that the next message retries.
    Status releaseClaim(const QString &sessionId, const QString &claimToken);

    // True while Redis is unreachable and sessions this store has seen are kept in memory.
    bool isOffline() const { return m_offline; }
    // Messages recorded in memory and not yet written back to Redis.
    int pendingWrites() const;
    // Writes back what was recorded while Redis was unreachable; done by every call once Redis answers.
    // A conversation that the server no longer has (it came back empty) is written back whole from memory.
    Status flushPending();
    // Asks Redis whether it answers (reconnecting when the connection was lost) and, when it does, writes
    // back what is pending. Fails while Redis is unreachable. For the console's connection watch.
    Status probe();
    // Takes over the conversations `previous` kept in memory (a store of another Redis URL that is going
    // away): they are written to this store's server as soon as it answers.
    void adoptConversations(SessionStore &previous);
    bool hasConversationsInMemory() const { return !m_cache.isEmpty(); }

private:
    // What this store knows of a session, so that a conversation survives a Redis outage.
    struct Cached
    {
        SessionState state;
        QList<HistoryEntry> history;
        struct Pending
        {
            HistoryEntry entry;
            Detection detection;
            bool force = false;
        };
        QList<Pending> pending;
        QString localTicket; // a ticket opened while offline, stored in Redis on reconnect
        QString claimToken;
        bool sawOutage = false; // Redis was lost while this was cached: the server may have come back without it
    };
    bool connectionLost() const;
    // Redis is unreachable: every cached conversation is written back (whole, if need be) when it returns.
    void markOutage();
    // Writes a cached conversation to a server that does not have it; false when the server has it.
    Result<bool> restoreIfMissing(const QString &sessionId, const Cached &cached);
    void remember(const QString &sessionId, const HistoryEntry &entry, const RecordOutcome &outcome);
    Result<RecordOutcome> recordOffline(Cached &cached, const QString &userId, const HistoryEntry &entry,
        const Detection *detection, bool forceEscalation);
    Result<RecordOutcome> recordInRedis(const QString &sessionId, const QString &userId, const HistoryEntry &entry,
        const Detection *detection, bool forceEscalation, int ratePerMinute = 0);

    RedisClient &m_redis;
    const Config &m_config;
    QHash<QString, Cached> m_cache;
    bool m_offline = false;
};

} // namespace LearnPulse
