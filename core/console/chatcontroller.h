#pragma once

#include "chatengine.h"
#include "consolecontext.h"
#include "request.h"
#include "sessionstore.h"
#include "ticketthread.h"

#include <QObject>
#include <QPointer>

#include <functional>

namespace LearnPulse {

// The conversation's ticket as the teacher sees it: its status and rating, and support's replies (all of
// them when the conversation opens; the new ones in an update). `unread`: replies the teacher had not
// seen before (they count as seen once the console shows them).
struct TicketUpdate
{
    QString sessionId;
    TicketRecord ticket;
    QList<ThreadMessage> replies;
    int unread = 0;
};

// The value of an open-conversation request.
struct ConversationData
{
    SessionState state;
    QList<HistoryEntry> history;
    TicketUpdate ticket; // empty ticket id: the conversation has none
};

// One of the teacher's past conversations, for the list they reopen one from.
struct ConversationSummary
{
    QString sessionId;
    QDateTime updated;
    QString classId;
    QString firstMessage; // the teacher's first words, cut
    QString ticketId; // empty: none
};

// A teacher's conversation on the console's worker thread: opening one, its context, and one turn at a
// time (the assistant's reply streams as replyDelta()). Every turn is answered exactly once through the
// callback given to send(), also when it is stopped, signed out of, or cut short by new settings.
class ChatController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatController)

public:
    using Done = std::function<void(const RequestResult &)>;

    ChatController(ConsoleContext &context, std::function<Status()> ensureRedis, QObject *parent = nullptr);
    ~ChatController() override;

    // An empty id reopens the user's last conversation, or starts one. Value: ConversationData.
    RequestResult openConversation(const QString &sessionId, const SessionContext &context, bool forceNew);
    RequestResult updateContext(const SessionContext &context);
    // The signed-in teacher's conversations still in Redis, newest first. Value: QList<ConversationSummary>.
    RequestResult listConversations();
    // Value of the answer: ChatTurnResult (its status says how the turn went; a refused turn is not an
    // error of the request). A message for support is marked with `requestRule` ("contact_support_button"
    // for a press of Contact support, "to_support" for words written to support once there is a ticket).
    void send(const QString &text, bool supportRequested, const QString &requestRule, Done done);
    // A thumbs up or down on the reply with "ts" `replyKey`; answered like a turn (a thumbs-down may open the
    // ticket: Escalated).
    void vote(const QString &replyKey, bool up, Done done);
    // The teacher's answer to the offer of a ticket; answered like a turn.
    void answerOffer(bool accept, Done done);
    // "That was not a complaint": the signal of the message with "ts" `messageKey` goes. Value: WithdrawOutcome.
    RequestResult withdrawSignal(const QString &messageKey);
    void stop();
    // Ends the running turn now, with a result whose error says `reason`, before what it uses goes away.
    void cancelTurn(const QString &reason);
    bool hasTurn() const { return m_turn != nullptr; }
    void signOut();
    // Looks at the open conversation's ticket: true with `update` when its status, rating or support
    // replies changed since the last look.
    bool refreshTicket(TicketUpdate *update);
    // The teacher rates the conversation's resolved ticket. Value: TicketRecord.
    RequestResult rateTicket(bool helpful, const QString &comment);
    QString ticketId() const { return m_ticket.id; }

signals:
    void replyDelta(const QString &text);
    // What a turn found out about its servers, for the status bar.
    void redisReachable(bool reachable);
    void assistantReachable(bool reachable, const QString &status);
    void escalated();

private:
    // Runs one turn of the open conversation (made by `start`), answered through `done` exactly once.
    void run(const std::function<ChatTurn *(ChatEngine &)> &start, Done done);
    void onTurnFinished(const ChatTurnResult &result);
    // The ticket and the thread messages after `afterId` as the teacher sees them; marks them read.
    Result<TicketUpdate> lookAtTicket(const QString &ticketId, qint64 afterId);

    ConsoleContext &m_ctx;
    std::function<Status()> m_ensureRedis;
    QPointer<ChatTurn> m_turn;
    Done m_done;
    QString m_sessionId;
    TicketRecord m_ticket; // the open conversation's ticket as last seen
    qint64 m_lastThreadId = 0; // the newest thread message the teacher has been shown
};

} // namespace LearnPulse

Q_DECLARE_METATYPE(LearnPulse::ConversationData)
Q_DECLARE_METATYPE(LearnPulse::ConversationSummary)
Q_DECLARE_METATYPE(QList<LearnPulse::ConversationSummary>)
Q_DECLARE_METATYPE(LearnPulse::TicketUpdate)
Q_DECLARE_METATYPE(LearnPulse::WithdrawOutcome)
