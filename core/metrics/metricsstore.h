#pragma once

#include "result.h"

#include <QDate>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <memory>

namespace LearnPulse {

class Database;
struct Actor;

// Anonymous metric events in the index: no session, person or message text, only what happened,
// when (to the hour) and, for an escalation, how many teacher messages it took and which rules
// signalled. They survive an erasure because they name no one.
class MetricsStore final
{
public:
    static constexpr double targetEscalationRate = 0.05;

    explicit MetricsStore(std::shared_ptr<Database> db);

    // A conversation got its first teacher message.
    Status recordSession();
    // A conversation opened its ticket after `teacherMessages` teacher messages; `rules` are the
    // rule names of its signals (each counted once).
    Status recordEscalation(int teacherMessages, const QStringList &rules);
    // The hallucination guard replaced a false claim of this kind in a reply.
    Status recordGuardHit(const QString &kind);
    // A teacher's feedback: kind "thumbs" (detail "up" or "down"), "offer" (the offer of a ticket: "made",
    // "accepted" or "declined") or "withdrawn" (a signal taken back: its rule).
    Status recordFeedback(const QString &kind, const QString &detail);

    struct Period
    {
        QString label; // "2026-11-24" for a day, "2026-W48" for an ISO week
        int days = 1; // a week at either end of the range may hold fewer than 7 of its days
        int sessions = 0;
        int escalations = 0;
        int ratings = 0; // teachers' ratings of resolved tickets
        int helpful = 0; // ... of which "helpful"
        int thumbsUp = 0; // teachers' votes on the assistant's replies
        int thumbsDown = 0;
        int offersMade = 0; // offers of a ticket after a vague ask, and their answers
        int offersAccepted = 0;
        int offersDeclined = 0;
        double rate() const { return sessions > 0 ? double(escalations) / sessions : 0.0; }
        // Satisfaction: the share of helpful ratings; negative without ratings.
        double csat() const { return ratings > 0 ? double(helpful) / ratings : -1.0; }
    };
    struct RuleCount
    {
        QString rule;
        int escalations = 0;
    };
    struct Summary
    {
        QDate from; // first day counted (UTC)
        QDate to; // last day counted
        int sessions = 0;
        int escalations = 0;
        double escalationRate() const { return sessions > 0 ? double(escalations) / sessions : 0.0; }
        int ratings = 0;
        int helpfulRatings = 0;
        double csat() const { return ratings > 0 ? double(helpfulRatings) / ratings : -1.0; }
        // Median of the teacher messages before escalation; negative when nothing escalated.
        double medianMessagesToEscalation = -1;
        QMap<int, int> messagesToEscalation; // messages -> escalations
        QList<RuleCount> topRules; // most escalations first
        QMap<QString, int> guardHits; // kind -> hits
        QMap<QString, int> escalationsBySignalKind; // signalKind() -> escalations (one escalation: each kind once)
        int thumbsUp = 0;
        int thumbsDown = 0;
        int offersMade = 0;
        int offersAccepted = 0;
        int offersDeclined = 0;
        int withdrawnTotal = 0; // signals teachers withdrew ("not a complaint")
        QMap<QString, int> withdrawnSignals; // rule -> withdrawals
        QList<Period> days; // every day of the range, oldest first
        QList<Period> weeks; // every ISO week touching the range, oldest first

        // The shape of `learnpulsectl metrics --json`.
        QJsonObject toJson() const;
    };
    // Everything from `from` to `to` (UTC days, both included).
    Result<Summary> summary(const Actor &actor, QDate from, QDate to);
    // What kind of signal a rule is: "request", "button", "offer", "message", "repetition" or "feedback".
    static QString signalKind(const QString &rule);
    // The last `days` days (1 to 3660), ending today (UTC).
    Result<Summary> lastDays(const Actor &actor, int days);

private:
    Status record(const QString &kind, int messages, const QString &detail);

    std::shared_ptr<Database> m_db;
};

} // namespace LearnPulse
