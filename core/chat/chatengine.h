#pragma once

#include "escalationengine.h"
#include "hallucinationguard.h"
#include "llmclient.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>

namespace LearnPulse {

class SessionStore;
struct Account;
struct Config;
struct HistoryEntry;
struct SessionState;

struct ChatTurnResult
{
    enum class Status
    {
        Answered, // the assistant answered (reply checked by the hallucination guard), or the application did
        Offered, // a vague ask: the reply is the application's offer of a ticket, to answer with Yes or No
        Rated, // a vote on a reply was recorded (no reply)
        Escalated, // this message opened a ticket; the reply is the application's own
        SentToSupport, // written to support in an escalated conversation: in the ticket's thread, no reply
        BadInput, // refused, nothing stored
        RateLimited, // refused, nothing stored
        AssistantFailed, // the message is stored (and was checked for escalation); the LLM failed
        Failed, // Redis, the database or the disk failed; see `recorded`
    };
    Status status = Status::Failed;
    QString error;
    bool recorded = false;
    bool offline = false; // Redis was unreachable: the conversation is kept in memory for now
    QString sessionId;
    QString reply; // stored, or (a stop: AssistantFailed, Cancelled) what had been shown, not stored
    bool escalated = false;
    QString ticketId;
    int dissatisfactionCount = 0;
    Detection detection;
    QStringList guardedClaims; // kinds of false claim the guard replaced in the reply
    QString messageKey; // the teacher message's "ts" (a vote: the rated reply's), to withdraw its signal
    QString replyKey; // the stored reply's "ts", to rate it
    int signalChange = 0; // a vote: 1 a thumbs-down counted as a signal, -1 it was taken back
    bool fromApplication = false; // the reply is the application's own (an escalation, an offer, its answer)
    LlmError::Kind llmError = LlmError::Kind::None;

    bool ok() const
    {
        return status == Status::Answered || status == Status::Escalated || status == Status::SentToSupport
            || status == Status::Offered || status == Status::Rated;
    }
    // The shape of `learnpulsectl chat --json` (DESIGN.md).
    QJsonObject toJson() const;
};

// One teacher message in flight. Emits replyDelta() as checked pieces of the assistant's reply
// arrive, then finished() exactly once; deletes itself afterwards.
class ChatTurn final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatTurn)

public:
    ~ChatTurn() override;
    // Ends the turn now with a result: the outcome already decided (an escalation, a refusal), or a
    // cancelled reply whose error says `reason`. The teacher's message stays recorded. Does nothing after
    // finished().
    void cancel(const QString &reason = {});
    bool isFinished() const { return m_finished; }

signals:
    void replyDelta(const QString &text);
    void finished(const LearnPulse::ChatTurnResult &result);

private:
    friend class ChatEngine;
    explicit ChatTurn(QObject *parent);
    void finish(ChatTurnResult result);
    void finishSoon(ChatTurnResult result);

    ChatTurnResult m_result;
    bool m_hasOutcome = false;
    QPointer<LlmReply> m_llm;
    std::unique_ptr<HallucinationGuard> m_guard;
    QString m_shown;
    bool m_finished = false;
};

// The whole turn of DESIGN.md: validate, rate-limit, detect, record atomically, then either escalate
// (the application's own reply with the real ticket ID; the LLM is not asked) or ask the assistant,
// guard its reply, append it and log. Redis and database calls block: run it on a worker thread in
// the GUI; the LLM call is asynchronous on that thread's event loop.
class ChatEngine final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatEngine)

public:
    // `guardModel`: the trained claim classifier beside the guard's rules (none: the rules alone).
    ChatEngine(const Config &config, EscalationEngine &escalation, SessionStore &sessions, LlmClient &llm,
        GuardModel guardModel = {}, QObject *parent = nullptr);
    ~ChatEngine() override; // cancels the turns still running, each with a result

    // `supportRequested`: the teacher wrote to support ("Contact support", or "To support" once the
    // conversation has its ticket): the message opens the ticket, or goes into its thread, and the
    // assistant is not asked.
    ChatTurn *send(const Account &teacher, const QString &sessionId, const QString &text, bool supportRequested = false,
        const QString &requestRule = QStringLiteral("contact_support_button"));

    // A thumbs up or down on the assistant's reply with "ts" `replyKey` (empty: the newest). A thumbs-down that
    // reaches the threshold opens the ticket: the turn then ends Escalated with the application's message.
    ChatTurn *vote(const Account &teacher, const QString &sessionId, const QString &replyKey, bool up);
    // The teacher's answer to the offer of a ticket: Yes opens it (Escalated), No is noted (Answered, with
    // the application's short reply). A second answer, or no offer: BadInput.
    ChatTurn *answerOffer(const Account &teacher, const QString &sessionId, bool accept);

    static QString offerText(const QString &email);
    // Whether the application's message `text` is the offer of a ticket.
    static bool isOffer(const QString &text);
    static QString systemInstruction();
    static QList<ChatMessage> buildPrompt(const SessionState &session, const QList<HistoryEntry> &history);

private:
    void askAssistant(ChatTurn *turn, const Account &teacher);
    // Stores the application's own message and streams it as the turn's reply.
    void applicationReply(ChatTurn *turn, const Account &teacher, const QString &text);

    const Config &m_config;
    EscalationEngine &m_escalation;
    SessionStore &m_sessions;
    LlmClient &m_llm;
    GuardModel m_guardModel;
};

} // namespace LearnPulse

Q_DECLARE_METATYPE(LearnPulse::ChatTurnResult)
