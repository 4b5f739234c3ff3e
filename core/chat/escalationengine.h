#pragma once

#include "detector.h"
#include "metricsstore.h"
#include "ticketservice.h"
#include "ticketthread.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace LearnPulse {

class SessionStore;
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

    bool needsAssistantReply() const { return status == Status::Recorded && !newlyEscalated; }
    QJsonObject toJson() const;
};

// Steps 1 to 4 of a turn (DESIGN.md, "The turn"): validate, detect, record atomically, and escalate
// when this caller won the claim. The application, never the model, opens the ticket. Blocking: use
// from a worker thread.
class EscalationEngine final
{
public:
    EscalationEngine(const Config &config, const Detector &detector, SessionStore &sessions, TicketService &tickets);

    // `supportRequested`: the teacher pressed "Contact support": an explicit request whatever the text.
    TurnOutcome handleTeacherMessage(
        const Account &teacher, const QString &sessionId, const QString &text, bool supportRequested = false);

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
    const Config &m_config;
    const Detector &m_detector;
    SessionStore &m_sessions;
    TicketService &m_tickets;
    MetricsStore m_metrics;
    TicketThread m_thread;
};

} // namespace LearnPulse
