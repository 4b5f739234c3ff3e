#pragma once

#include "messageclassifier.h"
#include "metricsstore.h"
#include "sessionstore.h"
#include "ticketservice.h"
#include "ticketthread.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace LearnPulse {

struct Account;
struct Config;

// What one teacher message led to.
struct TurnOutcome
{
    enum class Status
    {
        Recorded, // stored; the assistant should answer unless `newlyEscalated`
        BadInput, // refused before anything was stored (`error` says why)
        RateLimited, // refused before anything was stored: too many messages this minute
        Failed, // a server or the disk failed (`error` says what); see `recorded`
    };
    Status status = Status::Failed;
    QString error;
    bool recorded = false; // the message is in the session history
    bool offline = false; // Redis was unreachable: kept in memory, written back on reconnect

    QString sessionId;
    Detection detection;
    int dissatisfactionCount = 0;
    bool escalated = false; // the session has (or is getting) a ticket
    bool newlyEscalated = false; // this message opened the ticket; `reply` is the application's text
    QString ticketId;
    QString reply;
    std::optional<TicketResult> ticket;
    bool addedToThread = false; // a message in an escalated conversation went into the ticket's thread
    bool reopened = false; // ... and reopened the resolved ticket
    QString messageKey; // the "ts" of the teacher's message (a vote: of the reply rated), for withdrawing and votes
    bool offered = false; // a vague ask: the application offers a ticket instead of asking the assistant
    int signalChange = 0; // a vote: 1 a thumbs-down counted, -1 its signal went with a thumbs-up

    bool needsAssistantReply() const { return status == Status::Recorded && !newlyEscalated; }
    QJsonObject toJson() const;
};

// Steps 1 to 4 of a turn (DESIGN.md, "The turn"): validate, detect, record atomically, and escalate
// when this caller won the claim. The application, never the model, opens the ticket. Blocking: use
// from a worker thread.
class EscalationEngine final
{
public:
    EscalationEngine(
        const Config &config, const MessageClassifier &detector, SessionStore &sessions, TicketService &tickets);

    // `supportRequested`: the teacher pressed "Contact support" (or accepted the offer of a ticket): an explicit
    // request whatever the text, counted under `requestRule`.
    TurnOutcome handleTeacherMessage(const Account &teacher, const QString &sessionId, const QString &text,
        bool supportRequested = false, const QString &requestRule = QStringLiteral("contact_support_button"));
    // A thumbs up or down on the assistant's reply with "ts" `replyKey` (empty: the newest). A thumbs-down
    // counts as a signal (signals/feedback) and opens the ticket when it reaches the threshold (`newlyEscalated`,
    // `reply` then holds the application's message). BadInput: no such reply.
    TurnOutcome handleVote(const Account &teacher, const QString &sessionId, const QString &replyKey, bool up);
    // "That was not a complaint": the signal of the message with "ts" `messageKey` (empty: the newest) goes,
    // before the ticket; recorded in the conversation (the ticket shows it) and in the metrics.
    Result<WithdrawOutcome> withdrawSignal(const Account &teacher, const QString &sessionId, const QString &messageKey);
    // Which messages counted, and why, in words, by history index (and which the teacher withdrew).
    QHash<int, QString> signalNotes(
        const SessionState &state, const QList<HistoryEntry> &history, const Detection &latest) const;

    // The application's message with the real ticket ID; after signals (not an explicit request) it says
    // what counted, in words ("you said the answer was wrong; you asked the same thing again").
    static QString escalationReply(
        const QString &ticketId, const QString &email, bool explicitRequest, const QStringList &signalRules = {});

    // The anonymous metric events of this engine's index (sessions, escalations, guard hits).
    MetricsStore &metrics() { return m_metrics; }
    // `ticketId` if the index holds it as this session's ticket, else empty: what the session state says is
    // checked against the store before the guard lets a reply name it.
    QString verifiedTicket(const QString &sessionId, const QString &ticketId);
    // The threads of the tickets: messages after an escalation go there too, for support to see.
    TicketThread &thread() { return m_thread; }

private:
    // This caller won the claim: it alone opens the ticket (or gives the claim back, and `out` says why).
    void openClaimedTicket(const Account &teacher, const QString &claimToken, bool explicitRequest, TurnOutcome &out);

    const Config &m_config;
    const MessageClassifier &m_detector;
    SessionStore &m_sessions;
    TicketService &m_tickets;
    MetricsStore m_metrics;
    TicketThread m_thread;
};

} // namespace LearnPulse
