#include "escalationengine.h"

#include "accountstore.h"
#include "config.h"
#include "faultinjection.h"
#include "logging.h"
#include "messagevalidator.h"
#include "sessionstore.h"
#include "ticketstore.h"

#include <QJsonArray>

#include <algorithm>

namespace LearnPulse {

QJsonObject TurnOutcome::toJson() const
{
    QJsonObject o { { QStringLiteral("session"), sessionId }, { QStringLiteral("reply"), reply },
        { QStringLiteral("escalated"), escalated },
        { QStringLiteral("ticket_id"), ticketId.isEmpty() ? QJsonValue() : QJsonValue(ticketId) },
        { QStringLiteral("dissatisfaction_count"), dissatisfactionCount },
        { QStringLiteral("dissatisfied"), detection.dissatisfied },
        { QStringLiteral("explicit_request"), detection.explicitRequest },
        { QStringLiteral("rules"), QJsonArray::fromStringList(detection.rules) } };
    if (!error.isEmpty())
        o.insert(QStringLiteral("error"), error);
    return o;
}

EscalationEngine::EscalationEngine(
    const Config &config, const MessageClassifier &detector, SessionStore &sessions, TicketService &tickets)
    : m_config(config)
    , m_detector(detector)
    , m_sessions(sessions)
    , m_tickets(tickets)
    , m_metrics(tickets.store()->database())
    , m_thread(tickets.store()->database())
{ }

QString EscalationEngine::verifiedTicket(const QString &sessionId, const QString &ticketId)
{
    if (ticketId.isEmpty())
        return {};
    auto ticket = m_tickets.store()->findBySession(sessionId);
    return ticket && ticket->id == ticketId ? ticketId : QString();
}

QString EscalationEngine::escalationReply(
    const QString &ticketId, const QString &email, bool explicitRequest, const QStringList &signalRules)
{
    const QString opening
        = explicitRequest ? QStringLiteral("Of course.") : QStringLiteral("I'm sorry this hasn't been helpful.");
    QString reply = QStringLiteral("%1 I have opened support ticket %2 and passed our whole conversation to the "
                                   "LearnPulse support team. A member of the team will contact you at %3. Please quote "
                                   "%2 if you get in touch with support.")
                        .arg(opening, ticketId, email);
    if (!explicitRequest && !signalRules.isEmpty()) {
        // What counted, each kind once, in words (no product we compare with tells the teacher).
        reply
            += QStringLiteral(" (What counted: %1.)").arg(Detection::rulesInWords(signalRules, QStringLiteral("you ")));
    }
    return reply;
}

TurnOutcome EscalationEngine::handleTeacherMessage(const Account &teacher, const QString &sessionId,
    const QString &typed, bool supportRequested, const QString &requestRule)
{
    TurnOutcome out;
    out.sessionId = sessionId;

    auto valid = MessageValidator::validate(typed, m_config.maxMessageChars);
    if (!valid) {
        out.status = TurnOutcome::Status::BadInput;
        out.error = valid.error();
        return out;
    }
    // Stored with "\n" as its only line break (a CR or U+2028 could forge a line of the transcript).
    const QString text = MessageValidator::neutralise(typed);
    if (auto id = MessageValidator::checkSessionId(sessionId); !id) {
        out.status = TurnOutcome::Status::BadInput;
        out.error = id.error();
        return out;
    }

    out.detection = m_detector.classify(text);
    if (supportRequested) {
        out.detection.dissatisfied = true;
        out.detection.explicitRequest = true;
        out.detection.vagueRequest = false;
        if (!out.detection.rules.contains(requestRule)) {
            out.detection.rules.prepend(requestRule);
            out.detection.phrases.prepend(QString());
        }
    }
    const HistoryEntry entry { QStringLiteral("teacher"), text, HistoryEntry::stamp() };
    auto recorded = m_sessions.record(
        sessionId, teacher.id, entry, &out.detection, supportRequested, m_config.rateLimitPerMinute);
    if (!recorded) {
        out.status = TurnOutcome::Status::Failed;
        out.error = recorded.error();
        return out;
    }
    if (recorded->rateLimited) {
        out.detection = {};
        out.status = TurnOutcome::Status::RateLimited;
        out.error = QStringLiteral("You are sending messages too quickly (at most %1 a minute). Please wait a moment "
                                   "and send it again.")
                        .arg(m_config.rateLimitPerMinute);
        return out;
    }
    out.recorded = true;
    out.offline = recorded->offline;
    out.messageKey = entry.key();
    out.offered = recorded->offered;
    if (out.offered)
        if (auto counted = m_metrics.recordFeedback(QStringLiteral("offer"), QStringLiteral("made")); !counted)
            qCWarning(lcEscalation).noquote() << QStringLiteral("Cannot count an offer: ") + counted.error();
    if (recorded->repetition) { // counted by the record itself (the same question asked again)
        out.detection.dissatisfied = true;
        out.detection.rules << QStringLiteral("repetition");
        out.detection.phrases << QString();
    }
    out.status = TurnOutcome::Status::Recorded;
    out.dissatisfactionCount = recorded->dissatisfactionCount;
    out.escalated = recorded->escalated;
    out.ticketId = recorded->ticketId;
    if (recorded->historyLength == 1) // the conversation's first message
        if (auto counted = m_metrics.recordSession(); !counted)
            qCWarning(lcEscalation).noquote() << QStringLiteral("Cannot count the session: ") + counted.error();
    if (!recorded->claimed) {
        if (out.escalated && !out.ticketId.isEmpty()) {
            // A follow-up in an escalated conversation: support sees it in the ticket's thread, and a
            // resolved ticket opens again (the same ticket: a conversation never gets a second one).
            auto added = m_thread.addTeacherMessage(teacher.actor(), out.ticketId, text);
            if (!added) {
                qCWarning(lcEscalation).noquote()
                    << QStringLiteral("Cannot add a follow-up to the ticket thread ticket=%1: %2")
                           .arg(out.ticketId, added.error());
            } else {
                out.addedToThread = true;
                out.reopened = added->reopened;
                const QString change = added->reopened ? QStringLiteral("reopened") : QStringLiteral("message");
                if (auto published = m_sessions.publishTicketChange(out.ticketId, change); !published)
                    qCWarning(lcEscalation).noquote()
                        << QStringLiteral("Cannot announce a ticket change: ") + published.error();
            }
        }
        return out;
    }

    // This caller won the claim: it alone opens the ticket.
    crashPoint("after_claim");
    openClaimedTicket(teacher, recorded->claimToken, recorded->reason == QLatin1String("explicit"), out);
    return out;
}

QHash<int, QString> EscalationEngine::signalNotes(
    const SessionState &state, const QList<HistoryEntry> &history, const Detection &latest) const
{
    QHash<int, QString> notes;
    const bool keyed = std::any_of(
        state.signalMarks.cbegin(), state.signalMarks.cend(), [](const SignalMark &m) { return !m.key.isEmpty(); });
    for (qsizetype i = 0; i < history.size(); ++i) {
        const HistoryEntry &e = history.at(i);
        QStringList rules = state.rulesOf(e);
        if (!keyed && e.role == QLatin1String("teacher")) {
            // Signals stored before they had keys: the detector says again what counted.
            rules = m_detector.classify(e.content).rules;
            if (i == history.size() - 1 && latest.rules.contains(QLatin1String("repetition"))
                && !rules.contains(QLatin1String("repetition")))
                rules << QStringLiteral("repetition");
        }
        QString note = Detection::rulesInWords(rules);
        if (const QStringList taken = state.rulesOf(e, true); !taken.isEmpty())
            note += (note.isEmpty() ? QString() : QStringLiteral("; "))
                + QStringLiteral("withdrawn by the teacher as not a complaint: %1").arg(Detection::rulesInWords(taken));
        if (!note.isEmpty())
            notes.insert(int(i), note);
    }
    return notes;
}

void EscalationEngine::openClaimedTicket(
    const Account &teacher, const QString &claimToken, bool explicitRequest, TurnOutcome &out)
{
    const QString sessionId = out.sessionId;
    auto fail = [&](const QString &error) {
        if (auto released = m_sessions.releaseClaim(sessionId, claimToken); !released)
            qCWarning(lcEscalation).noquote() << QStringLiteral("Cannot release escalation claim session=") + sessionId;
        out.status = TurnOutcome::Status::Failed;
        out.escalated = false;
        out.error = QStringLiteral("Your message was saved, but the support ticket could not be opened: %1 "
                                   "It will be opened with your next message.")
                        .arg(error);
        qCWarning(lcEscalation).noquote() << QStringLiteral("Escalation failed session=") + sessionId;
    };

    auto state = m_sessions.state(sessionId);
    if (!state)
        return fail(state.error());
    auto history = m_sessions.history(sessionId);
    if (!history)
        return fail(history.error());

    TicketRequest request;
    request.session = state.value();
    request.history = history.value();
    request.teacherName = teacher.displayName;
    request.teacherEmail = teacher.email;
    request.teacherUserId = teacher.id;
    request.teacherRole = roleName(teacher.role);
    request.summary = TicketService::summaryFor(request.session);
    // Which messages counted, and why, for the agent reading the ticket (and which the teacher took back).
    request.signalNotes = signalNotes(request.session, request.history, out.detection);

    TicketResult ticket = m_tickets.createTicket(request);
    if (!ticket.success)
        return fail(ticket.error);
    auto stored = m_sessions.finishEscalation(sessionId, claimToken, ticket.ticketId);
    if (!stored)
        return fail(stored.error());

    out.ticketId = stored.value();
    out.escalated = true;
    if (auto published = m_sessions.publishTicketChange(out.ticketId, QStringLiteral("created")); !published)
        qCWarning(lcEscalation).noquote() << QStringLiteral("Cannot announce the new ticket: ") + published.error();
    out.newlyEscalated = true;
    out.ticket = ticket;
    const auto teacherMessages = std::count_if(request.history.cbegin(), request.history.cend(),
        [](const HistoryEntry &e) { return e.role == QLatin1String("teacher"); });
    QStringList rules = request.session.signalRules;
    if (explicitRequest) // the request itself is the reason (its rule may not be a signal mark: an accepted offer)
        for (const QString &rule : std::as_const(out.detection.rules))
            if (!rules.contains(rule))
                rules << rule;
    if (auto counted = m_metrics.recordEscalation(int(teacherMessages), rules); !counted)
        qCWarning(lcEscalation).noquote() << QStringLiteral("Cannot count the escalation: ") + counted.error();
    out.reply = escalationReply(out.ticketId, teacher.email, explicitRequest, request.session.signalRules);
    qCInfo(lcEscalation).noquote() << QStringLiteral("Escalation threshold reached session=") + sessionId
                                   << QStringLiteral("ticket=") + out.ticketId
                                   << QStringLiteral("reason=")
            + (explicitRequest ? QStringLiteral("explicit") : QStringLiteral("threshold"));
}

TurnOutcome EscalationEngine::handleVote(
    const Account &teacher, const QString &sessionId, const QString &replyKey, bool up)
{
    TurnOutcome out;
    out.sessionId = sessionId;
    auto voted = m_sessions.vote(sessionId, teacher.id, replyKey, up, m_config.feedbackSignal);
    if (!voted) {
        out.status = voted.kind() == ErrorKind::BadInput || voted.kind() == ErrorKind::NotFound
            ? TurnOutcome::Status::BadInput
            : TurnOutcome::Status::Failed;
        out.error = voted.error();
        return out;
    }
    out.status = TurnOutcome::Status::Recorded;
    out.recorded = true;
    out.messageKey = voted->replyKey;
    out.dissatisfactionCount = voted->dissatisfactionCount;
    out.escalated = voted->escalated;
    out.ticketId = voted->ticketId;
    out.signalChange = voted->signalChange;
    if (voted->before != (up ? QLatin1String("up") : QLatin1String("down")))
        if (auto counted
            = m_metrics.recordFeedback(QStringLiteral("thumbs"), up ? QStringLiteral("up") : QStringLiteral("down"));
            !counted)
            qCWarning(lcEscalation).noquote() << QStringLiteral("Cannot count a rating: ") + counted.error();
    if (voted->signalChange > 0) {
        out.detection.dissatisfied = true;
        out.detection.rules << QStringLiteral("thumbs_down");
        out.detection.phrases << QString();
    }
    if (voted->claimed)
        openClaimedTicket(teacher, voted->claimToken, false, out);
    return out;
}

Result<WithdrawOutcome> EscalationEngine::withdrawSignal(
    const Account &teacher, const QString &sessionId, const QString &messageKey)
{
    auto withdrawn = m_sessions.withdrawSignal(sessionId, teacher.id, messageKey);
    if (withdrawn)
        for (const QString &rule : std::as_const(withdrawn->rules))
            if (auto counted = m_metrics.recordFeedback(QStringLiteral("withdrawn"), rule); !counted)
                qCWarning(lcEscalation).noquote() << QStringLiteral("Cannot count a withdrawal: ") + counted.error();
    return withdrawn;
}

} // namespace LearnPulse
