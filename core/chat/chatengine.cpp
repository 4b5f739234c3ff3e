#include "chatengine.h"

#include "accountstore.h"
#include "config.h"
#include "hallucinationguard.h"
#include "logging.h"
#include "messagevalidator.h"
#include "sessionstore.h"

#include <QFile>
#include <QJsonArray>
#include <QTimer>

namespace LearnPulse {

namespace {

QString statusName(ChatTurnResult::Status s)
{
    switch (s) {
    case ChatTurnResult::Status::Answered:
        return QStringLiteral("answered");
    case ChatTurnResult::Status::Offered:
        return QStringLiteral("offered");
    case ChatTurnResult::Status::Rated:
        return QStringLiteral("rated");
    case ChatTurnResult::Status::Escalated:
        return QStringLiteral("escalated");
    case ChatTurnResult::Status::SentToSupport:
        return QStringLiteral("sent_to_support");
    case ChatTurnResult::Status::BadInput:
        return QStringLiteral("bad_input");
    case ChatTurnResult::Status::RateLimited:
        return QStringLiteral("rate_limited");
    case ChatTurnResult::Status::AssistantFailed:
        return QStringLiteral("assistant_failed");
    case ChatTurnResult::Status::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

// What the turn's first part (EscalationEngine) decided, as the turn's result; the status is the caller's.
ChatTurnResult resultOf(const TurnOutcome &o)
{
    ChatTurnResult r;
    r.sessionId = o.sessionId;
    r.recorded = o.recorded;
    r.offline = o.offline;
    r.detection = o.detection;
    r.dissatisfactionCount = o.dissatisfactionCount;
    r.escalated = o.escalated;
    r.ticketId = o.ticketId;
    r.error = o.error;
    r.messageKey = o.messageKey;
    r.signalChange = o.signalChange;
    return r;
}

QString orNotSet(const QString &s)
{
    return s.isEmpty() ? QStringLiteral("not set") : s;
}

} // namespace

QJsonObject ChatTurnResult::toJson() const
{
    QJsonObject o { { QStringLiteral("session"), sessionId }, { QStringLiteral("reply"), reply },
        { QStringLiteral("escalated"), escalated },
        { QStringLiteral("ticket_id"), ticketId.isEmpty() ? QJsonValue() : QJsonValue(ticketId) },
        { QStringLiteral("dissatisfaction_count"), dissatisfactionCount },
        { QStringLiteral("status"), statusName(status) } };
    if (!error.isEmpty())
        o.insert(QStringLiteral("error"), error);
    if (!messageKey.isEmpty())
        o.insert(QStringLiteral("message_ts"), messageKey);
    if (!replyKey.isEmpty())
        o.insert(QStringLiteral("reply_ts"), replyKey);
    if (detection.dissatisfied || signalChange != 0)
        o.insert(QStringLiteral("signal_rules"), QJsonArray::fromStringList(detection.rules));
    if (status == Status::Offered)
        o.insert(QStringLiteral("offer"), true);
    return o;
}

ChatTurn::ChatTurn(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<ChatTurnResult>();
}

ChatTurn::~ChatTurn() = default;

void ChatTurn::cancel(const QString &reason)
{
    if (m_finished)
        return;
    if (m_llm)
        m_llm->abandon(reason); // finishes the turn through the reply's finished() (AssistantFailed, Cancelled)
    if (m_finished)
        return;
    if (m_hasOutcome) {
        finish(m_result); // decided already (an escalation, a refusal): that is the answer, given now
        return;
    }
    ChatTurnResult r = m_result;
    r.status = ChatTurnResult::Status::AssistantFailed;
    r.llmError = LlmError::Kind::Cancelled;
    r.error = reason.isEmpty() ? QStringLiteral("The reply was stopped.") : reason;
    r.reply = MessageValidator::neutralise(m_shown.trimmed()); // what was shown before the stop (not stored)
    finish(r);
}

void ChatTurn::finishSoon(ChatTurnResult result)
{
    m_result = std::move(result);
    m_hasOutcome = true;
    // On the next turn of the event loop, so that the caller can connect to the turn first.
    QTimer::singleShot(0, this, [this] { finish(m_result); });
}

void ChatTurn::finish(ChatTurnResult result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_result = std::move(result);
    emit finished(m_result);
    deleteLater();
}

ChatEngine::ChatEngine(const Config &config, EscalationEngine &escalation, SessionStore &sessions, LlmClient &llm,
    GuardModel guardModel, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_escalation(escalation)
    , m_sessions(sessions)
    , m_llm(llm)
    , m_guardModel(std::move(guardModel))
{ }

ChatEngine::~ChatEngine()
{
    // No turn ends without an answer: those still running finish now, before the services they use go.
    const auto turns = findChildren<ChatTurn *>(Qt::FindDirectChildrenOnly);
    for (ChatTurn *turn : turns)
        turn->cancel(
            QStringLiteral("The assistant's reply was stopped because the console's services were restarted."));
}

QString ChatEngine::systemInstruction()
{
    static const QString text = [] {
        QFile f(QStringLiteral(":/prompts/system-instruction.txt"));
        if (!f.open(QIODevice::ReadOnly))
            qFatal("the system instruction resource is missing");
        return QString::fromUtf8(f.readAll()).trimmed();
    }();
    return text;
}

QList<ChatMessage> ChatEngine::buildPrompt(const SessionState &session, const QList<HistoryEntry> &history)
{
    QString system = systemInstruction();
    system += QStringLiteral("\n\nConversation context: class: %1; student: %2; scope: %3.")
                  .arg(orNotSet(session.context.classId), orNotSet(session.context.student),
                      orNotSet(session.context.scope));
    if (!session.ticketId.isEmpty())
        system
            += QStringLiteral("\nThe application has opened support ticket %1 for this conversation; the support team "
                              "has the transcript.")
                   .arg(session.ticketId);
    QList<ChatMessage> messages { { QStringLiteral("system"), system } };
    for (const HistoryEntry &e : history)
        messages.append(
            { e.role == QLatin1String("teacher") ? QStringLiteral("user") : QStringLiteral("assistant"), e.content });
    return messages;
}

ChatTurn *ChatEngine::send(const Account &teacher, const QString &sessionId, const QString &text, bool supportRequested,
    const QString &requestRule)
{
    auto *turn = new ChatTurn(this);
    const TurnOutcome o = m_escalation.handleTeacherMessage(teacher, sessionId, text, supportRequested, requestRule);
    ChatTurnResult r = resultOf(o);

    auto finishSoon = [turn](ChatTurnResult result) {
        turn->finishSoon(std::move(result));
        return turn;
    };

    switch (o.status) {
    case TurnOutcome::Status::BadInput:
        r.status = ChatTurnResult::Status::BadInput;
        return finishSoon(r);
    case TurnOutcome::Status::RateLimited:
        r.status = ChatTurnResult::Status::RateLimited;
        return finishSoon(r);
    case TurnOutcome::Status::Failed:
        r.status = ChatTurnResult::Status::Failed;
        return finishSoon(r);
    case TurnOutcome::Status::Recorded:
        break;
    }

    if (o.newlyEscalated) {
        r.status = ChatTurnResult::Status::Escalated;
        turn->m_result = r;
        applicationReply(turn, teacher, o.reply);
        return turn;
    }
    if (o.offered) {
        // A vague ask for a person: the application offers the ticket (once); the assistant is not asked.
        r.status = ChatTurnResult::Status::Offered;
        turn->m_result = r;
        applicationReply(turn, teacher, offerText(teacher.email));
        return turn;
    }

    if (supportRequested && o.escalated) {
        // Written to support in a conversation that has its ticket: the thread has it; the assistant never
        // speaks for support.
        r.status = o.addedToThread ? ChatTurnResult::Status::SentToSupport : ChatTurnResult::Status::Failed;
        if (!o.addedToThread)
            r.error = o.ticketId.isEmpty()
                ? QStringLiteral("Your message was saved in the conversation; the support ticket is still being "
                                 "opened. Please send it to support again in a moment.")
                : QStringLiteral("Your message was saved in the conversation, but it could not be added to ticket "
                                 "%1 (it may have been closed and deleted). Please contact support another way.")
                      .arg(o.ticketId);
        return finishSoon(r);
    }

    turn->m_result = r;
    askAssistant(turn, teacher);
    return turn;
}

QString ChatEngine::offerText(const QString &email)
{
    return QStringLiteral("I can't contact anyone myself, but I can open a support ticket for you: the LearnPulse "
                          "support team would get this conversation and contact you at %1. Would you like a "
                          "support ticket?")
        .arg(email);
}

bool ChatEngine::isOffer(const QString &text)
{
    return text.endsWith(QLatin1String("Would you like a support ticket?"));
}

void ChatEngine::applicationReply(ChatTurn *turn, const Account &teacher, const QString &text)
{
    ChatTurnResult r = turn->m_result;
    r.reply = text;
    r.fromApplication = true;
    // The application's own message, told apart from the assistant's in the history.
    const HistoryEntry reply { QStringLiteral("application"), text, HistoryEntry::stamp() };
    if (auto stored = m_sessions.record(r.sessionId, teacher.id, reply, nullptr); !stored)
        qCWarning(lcChat).noquote() << QStringLiteral("Cannot store the application's reply session=") + r.sessionId;
    else
        r.replyKey = reply.key();
    QTimer::singleShot(0, turn, [turn, text] { emit turn->replyDelta(text); });
    turn->finishSoon(std::move(r));
}

ChatTurn *ChatEngine::vote(const Account &teacher, const QString &sessionId, const QString &replyKey, bool up)
{
    auto *turn = new ChatTurn(this);
    const TurnOutcome o = m_escalation.handleVote(teacher, sessionId, replyKey, up);
    ChatTurnResult r = resultOf(o);
    switch (o.status) {
    case TurnOutcome::Status::BadInput:
    case TurnOutcome::Status::RateLimited:
        r.status = ChatTurnResult::Status::BadInput;
        break;
    case TurnOutcome::Status::Failed:
        r.status = ChatTurnResult::Status::Failed;
        break;
    case TurnOutcome::Status::Recorded:
        r.status = ChatTurnResult::Status::Rated;
        if (o.newlyEscalated) {
            r.status = ChatTurnResult::Status::Escalated;
            turn->m_result = r;
            applicationReply(turn, teacher, o.reply);
            return turn;
        }
        break;
    }
    turn->finishSoon(r);
    return turn;
}

ChatTurn *ChatEngine::answerOffer(const Account &teacher, const QString &sessionId, bool accept)
{
    auto before = m_sessions.answerOffer(sessionId, teacher.id, accept);
    if (before && before.value() == QLatin1String("open")) {
        if (auto counted = m_escalation.metrics().recordFeedback(
                QStringLiteral("offer"), accept ? QStringLiteral("accepted") : QStringLiteral("declined"));
            !counted)
            qCWarning(lcChat).noquote() << QStringLiteral("Cannot count an offer's answer: ") + counted.error();
        if (accept) {
            ChatTurn *turn = send(teacher, sessionId, QStringLiteral("Yes, please open a support ticket."), true,
                QStringLiteral("offer_accepted"));
            // No ticket after all (refused, failed): the offer stands, so that a second "yes" can open it.
            connect(turn, &ChatTurn::finished, this, [this, sessionId, userId = teacher.id](const ChatTurnResult &r) {
                if (!r.escalated)
                    if (auto reopened = m_sessions.reopenOffer(sessionId, userId); !reopened)
                        qCWarning(lcChat).noquote()
                            << QStringLiteral("Cannot open the offer again session=") + sessionId;
            });
            return turn;
        }
        auto *turn = new ChatTurn(this);
        ChatTurnResult r;
        r.sessionId = sessionId;
        r.status = ChatTurnResult::Status::Answered;
        turn->m_result = r;
        applicationReply(turn, teacher,
            QStringLiteral("All right, no ticket. If you change your mind, press Contact support at any time."));
        return turn;
    }
    auto *turn = new ChatTurn(this);
    ChatTurnResult r;
    r.sessionId = sessionId;
    if (!before) {
        r.status = before.kind() == ErrorKind::NoSession || before.kind() == ErrorKind::Forbidden
                || before.kind() == ErrorKind::BadInput
            ? ChatTurnResult::Status::BadInput
            : ChatTurnResult::Status::Failed;
        r.error = before.error();
    } else {
        r.status = ChatTurnResult::Status::BadInput;
        r.error = before->isEmpty()
            ? QStringLiteral("No support ticket was offered in this conversation.")
            : QStringLiteral("You answered this offer already (%1).")
                  .arg(before.value() == QLatin1String("accepted") ? QStringLiteral("yes") : QStringLiteral("no"));
    }
    turn->finishSoon(r);
    return turn;
}

void ChatEngine::askAssistant(ChatTurn *turn, const Account &teacher)
{
    const QString sessionId = turn->m_result.sessionId;
    auto failNow = [turn](const QString &error) {
        ChatTurnResult r = turn->m_result;
        r.status = ChatTurnResult::Status::Failed;
        r.error = error;
        turn->finishSoon(std::move(r));
    };
    auto state = m_sessions.state(sessionId);
    if (!state)
        return failNow(state.error());
    auto history = m_sessions.history(sessionId);
    if (!history)
        return failNow(history.error());

    // Only a ticket the index holds makes claims about it true.
    turn->m_guard
        = std::make_unique<HallucinationGuard>(m_escalation.verifiedTicket(sessionId, state->ticketId), m_guardModel);
    LlmReply *reply = m_llm.chat(buildPrompt(state.value(), history.value()), true);
    turn->m_llm = reply;

    connect(reply, &LlmReply::delta, turn, [turn](const QString &piece) {
        // What the teacher sees as it streams is what is stored: no control character or change of direction.
        const QString safe = MessageValidator::neutralise(turn->m_guard->feed(piece));
        if (!safe.isEmpty()) {
            turn->m_shown += safe;
            emit turn->replyDelta(safe);
        }
    });
    connect(reply, &LlmReply::finished, turn,
        [this, turn, teacher, sessionId, ticketId = state->ticketId](const LlmResult &llm) {
            ChatTurnResult r = turn->m_result;
            if (!llm.ok) {
                r.status = ChatTurnResult::Status::AssistantFailed;
                r.llmError = llm.error.kind;
                if (llm.error.kind == LlmError::Kind::Cancelled) // what was shown before the stop (not stored)
                    r.reply = MessageValidator::neutralise(turn->m_shown.trimmed());
                r.error = llm.error.message
                    + QStringLiteral(
                        " Your message was saved. If you need a person, ask to contact support: that works "
                        "even while the assistant is unavailable.");
                turn->finish(r);
                return;
            }
            const QString rest = MessageValidator::neutralise(turn->m_guard->finish());
            if (!rest.isEmpty()) {
                turn->m_shown += rest;
                emit turn->replyDelta(rest);
            }
            r.reply = MessageValidator::neutralise(turn->m_shown.trimmed()); // stored as it may be shown and printed
            r.guardedClaims = turn->m_guard->claims();
            if (r.reply.isEmpty()) {
                r.status = ChatTurnResult::Status::AssistantFailed;
                r.llmError = LlmError::Kind::MalformedResponse;
                r.error = QStringLiteral("The assistant sent an empty reply. Your message was saved.");
                turn->finish(r);
                return;
            }
            if (!r.guardedClaims.isEmpty()) {
                qCWarning(lcGuard).noquote() << QStringLiteral("Hallucination guard replaced claims session=")
                        + sessionId << QStringLiteral("kinds=") + r.guardedClaims.join(QLatin1Char(','));
                for (const QString &kind : std::as_const(r.guardedClaims))
                    if (auto counted = m_escalation.metrics().recordGuardHit(kind); !counted)
                        qCWarning(lcGuard).noquote()
                            << QStringLiteral("Cannot count a guard event: ") + counted.error();
            }
            const HistoryEntry entry { QStringLiteral("assistant"), r.reply, HistoryEntry::stamp() };
            r.replyKey = entry.key();
            if (auto stored = m_sessions.record(sessionId, teacher.id, entry, nullptr); !stored) {
                r.status = ChatTurnResult::Status::Failed;
                r.error = QStringLiteral("The assistant answered, but the answer could not be saved: %1")
                              .arg(stored.error());
                turn->finish(r);
                return;
            }
            if (!ticketId.isEmpty()) // after the escalation the agent sees what the assistant said, marked as its
                if (auto added = m_escalation.thread().addAssistantMessage(teacher.actor(), ticketId, r.reply); !added)
                    qCWarning(lcChat).noquote()
                        << QStringLiteral("Cannot add the answer to ticket %1: %2").arg(ticketId, added.error());
            r.status = ChatTurnResult::Status::Answered;
            qCInfo(lcChat).noquote() << QStringLiteral("Assistant replied session=") + sessionId
                                     << QStringLiteral("chars=") + QString::number(r.reply.size());
            turn->finish(r);
        });
}

} // namespace LearnPulse
