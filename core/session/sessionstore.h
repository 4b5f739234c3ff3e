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

struct HistoryEntry;

// One signal of a conversation: the "ts" of the message (or, for a thumbs-down, of the assistant's reply)
// that counted, and its rules. Signals written before marks had keys have an empty key.
struct SignalMark
{
    QString key;
    QStringList rules;
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
    QList<SignalMark> signalMarks; // the same, per message
    QList<SignalMark> withdrawnSignals; // signals the teacher took back ("that was not a complaint")
    QHash<QString, bool> votes; // the assistant's replies the teacher rated, by "ts": true for a thumbs-up
    QString offer; // the offer of a ticket: "" none made, "open", "accepted" or "declined"

    // The rules that counted for this stored message (`withdrawn`: that the teacher took back): a thumbs-down
    // marks a reply of the assistant, any other signal a teacher message (two may share a millisecond).
    QStringList rulesOf(const HistoryEntry &entry, bool withdrawn = false) const;
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
    // What names the entry within its conversation: its "ts" as stored ("2026-11-24T10:00:00.000Z").
    QString key() const;
    // The time for a new entry: now, and in this process always later than the one before, so that two
    // entries made within a millisecond still have keys of their own.
    static QDateTime stamp();
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
    bool offered = false; // a vague ask: the application offers a ticket (the first in the conversation)
};

// What a thumbs up or down did.
struct VoteOutcome
{
    QString replyKey; // the "ts" of the reply rated
    QString before; // the vote before: "", "up" or "down"
    int signalChange = 0; // 1: a signal was counted; -1: the thumbs-down's signal was withdrawn; 0: neither
    int dissatisfactionCount = 0;
    bool claimed = false; // the thumbs-down reached the threshold: this caller must open the ticket
    QString claimToken;
    bool escalated = false;
    QString ticketId;
};

// What withdrawing a signal did.
struct WithdrawOutcome
{
    QString key; // the "ts" of the message whose signal went
    QStringList rules;
    int dissatisfactionCount = 0;
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
    static QByteArray lastSessionKey(const QString &userId) { return "lp:user:" + userId.toUtf8() + ":last_session"; }
    // Set by an erasure (for longer than a conversation lives): a console that kept the person's conversation
    // in memory during an outage does not write it back.
    static QByteArray erasedKey(const QString &userId) { return "lp:erased:" + userId.toUtf8(); }

    Result<QString> createSession(const SessionContext &context);
    // A new session id of `userId`'s: a random UUID ending in sessionTag(userId) (issue 26).
    static QString boundSessionId(const QString &userId);
    // The first 8 hex digits of SHA-256(user id): what lp_create_ticket compares with a session id's last 8.
    static QString sessionTag(const QString &userId);
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

    // A thumbs up or down on one of the assistant's replies (`replyKey`: its "ts"; empty: the newest reply).
    // One vote per reply; a thumbs-down counts as a signal (if `countsAsSignal`) and may claim the
    // escalation, atomically (resources/redis/feedback.lua). Needs Redis.
    Result<VoteOutcome> vote(
        const QString &sessionId, const QString &userId, const QString &replyKey, bool up, bool countsAsSignal);
    // The teacher says the message with "ts" `key` (empty: the newest signal) was not a complaint: its signal
    // goes, before the conversation has a ticket, and is kept as withdrawn. Needs Redis.
    Result<WithdrawOutcome> withdrawSignal(const QString &sessionId, const QString &userId, const QString &key);
    // Answers the offer of a ticket; returns the offer's state before ("open" when this answer counted).
    Result<QString> answerOffer(const QString &sessionId, const QString &userId, bool accept);
    // An accepted offer whose ticket could not be opened is open again, so that the teacher can say yes again.
    Status reopenOffer(const QString &sessionId, const QString &userId);

    // Tells every console that the ticket list changed (pub/sub channel lp:tickets).
    Status publishTicketChange(const QString &ticketId, const QString &change);
    static QByteArray ticketsChannel() { return "lp:tickets"; }
    // Tells the teacher's open consoles that their ticket changed (a support reply, a new status), on
    // the user's own channel: the payload names the ticket and the change, never text.
    Status publishUserEvent(const QString &userId, const QString &ticketId, const QString &change);
    static QByteArray userChannel(const QString &userId) { return "lp:user:" + userId.toUtf8() + ":events"; }
    // The message published on those channels: {"ticket_id": ..., "change": ...} ("created", "status", "deleted",
    // "erased", ...).
    static QByteArray changePayload(const QString &ticketId, const QString &change);

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
    void refreshCachedState(const QString &sessionId);
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
