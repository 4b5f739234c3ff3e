#pragma once

#include "accountstore.h"
#include "admincontroller.h"
#include "chatcontroller.h"
#include "consolecontext.h"
#include "privacycontroller.h"
#include "request.h"
#include "ticketcontroller.h"

#include <QObject>
#include <QThread>
#include <QTimer>
#include <QVariantMap>

#include <memory>

namespace LearnPulse {

class DeliveryWorker;
class RedisSubscriber;

// The console's worker thread: everything that touches Redis, the database or the disk runs here, so the
// GUI thread never blocks. The window calls the slots through queued invocations.
//
// One answer per request: every slot that takes a `requestId` emits finished(requestId, result) exactly
// once, also when it fails, is refused, or (a chat turn) is stopped or cut short by a sign-out or new
// settings. The other signals are pushes that answer no request. The work itself is done by controllers
// (chat, tickets, administration, privacy) over one Services object (the composition root), which new
// settings rebuild only after the turn in flight is finished. Delivery (mail, webhooks, the assistant's
// health check) runs on a thread of its own (DeliveryWorker).
class ConsoleBackend final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsoleBackend)

public:
    explicit ConsoleBackend(QString dataDirOption, QObject *parent = nullptr);
    ~ConsoleBackend() override;

    static void registerTypes();

public slots:
    // Value: QVariantMap: "first_start" (bool: no account yet, the first admin must be created) and
    // "max_message_chars" (the configured limit of a teacher's message), "first_response_hours" (support's
    // target).
    void initialize(quint64 requestId);
    // Stops the delivery thread and a private redis-server; called blocking by the window as it closes.
    void shutdown();
    void createFirstAdmin(
        quint64 requestId, const QString &email, const QString &name, const QString &password); // value: Account
    void signIn(quint64 requestId, const QString &email, const QString &password); // value: Account
    void signOut(quint64 requestId);

    // Teacher chat (ChatController).
    void openConversation(
        quint64 requestId, const QString &sessionId, const LearnPulse::SessionContext &context, bool forceNew);
    void updateContext(quint64 requestId, const LearnPulse::SessionContext &context);
    void listConversations(quint64 requestId);
    // `toSupport`: written to support (the conversation's ticket gets it; the assistant is not asked).
    void sendMessage(quint64 requestId, const QString &text, bool toSupport = false);
    // `description`: the teacher's optional line about what it is about (it goes into the ticket).
    void contactSupport(quint64 requestId, const QString &description = {});
    // A thumbs up or down on one of the assistant's replies (by its "ts"); the answer is a ChatTurnResult.
    void voteOnReply(quint64 requestId, const QString &replyKey, bool up);
    // The teacher's answer to the offer of a ticket; the answer is a ChatTurnResult.
    void answerOffer(quint64 requestId, bool accept);
    // "That was not a complaint" about the message with "ts" `messageKey`. Value: WithdrawOutcome.
    void withdrawSignal(quint64 requestId, const QString &messageKey);
    // The teacher rates the conversation's resolved ticket. Value: TicketRecord.
    void rateTicket(quint64 requestId, bool helpful, const QString &comment);
    // Not a request of its own: the running turn's answer says that it was stopped.
    void stopReply();

    // Ticket browser (TicketController).
    void listTickets(quint64 requestId, const LearnPulse::TicketFilter &filter);
    void loadTicket(quint64 requestId, const QString &ticketId);
    void setTicketStatus(quint64 requestId, const QString &ticketId, const QString &status);
    void deleteTicket(quint64 requestId, const QString &ticketId);
    // A reply to the teacher or an internal note. Value: TicketView.
    void replyToTicket(quint64 requestId, const QString &ticketId, const QString &text, bool note);
    // Value: TicketRecord.
    void assignTicket(quint64 requestId, const QString &ticketId, bool toMe);
    void listCannedReplies(quint64 requestId); // value: QList<CannedReply>
    // Admins; value: the list afterwards.
    void saveCannedReply(quint64 requestId, const QString &title, const QString &body);
    void removeCannedReply(quint64 requestId, const QString &title);
    // Not a request: the browser no longer shows a ticket (its presence ends).
    void closeTicket();

    // Metrics and administration (AdminController, PrivacyController).
    void loadMetrics(quint64 requestId, int days);
    void listAccounts(quint64 requestId);
    void addAccount(
        quint64 requestId, const QString &email, const QString &name, LearnPulse::Role role, const QString &password);
    void setAccountRole(quint64 requestId, const QString &userId, LearnPulse::Role role);
    void resetPassword(quint64 requestId, const QString &userId, const QString &password);
    void removeAccount(quint64 requestId, const QString &userId);
    void listAudit(quint64 requestId);
    void previewErasure(quint64 requestId, const QString &email);
    void erasePerson(quint64 requestId, const QString &email);
    void exportPerson(quint64 requestId, const QString &email, const QString &directory);
    void loadSettings(quint64 requestId);
    void saveSettings(quint64 requestId, const QVariantMap &values);

    // Every two seconds: is Redis there? Reports a change at once, writes back what was kept in memory when
    // it comes back, and connects when it was not there at the start.
    void watchRedis();
    void applyRetention();
    // Looks at the open conversation's ticket (a push from support, or the regular look in case one was
    // missed) and renews this console's presence on the ticket it shows.
    void lookAtTickets();

signals:
    void finished(quint64 requestId, const LearnPulse::RequestResult &result);
    // Progress of a chat request: a checked piece of the assistant's reply.
    void replyDelta(quint64 requestId, const QString &text);
    // Pushes.
    void ticketsChanged();
    // A ticket was opened (on any console); only for accounts that work tickets.
    void ticketCreated(const QString &ticketId);
    // A ticket was deleted or erased (on any console): whatever shows it drops it at once.
    void ticketGone(const QString &ticketId);
    // A person was erased (on any console): account lists are read again.
    void personErased();
    // The open conversation's ticket changed: a support reply, a new status.
    void ticketUpdated(const LearnPulse::TicketUpdate &update);
    // Who else has the ticket open in their console now.
    void ticketViewers(const QString &ticketId, const QStringList &names);
    void redisStatus(const QString &status, bool ok);
    void assistantStatus(const QString &status, bool ok);
    // Something the person should know that answers no request (the admin's rules file is broken).
    void warning(const QString &message);
    // The signed-in account was removed, disabled or given another role: the session ended (why, in words).
    void signedOutByAdministrator(const QString &reason);

private:
    // The Redis connection, connected first if need be; null while Redis cannot be reached (the privacy
    // operations then do what they can without it).
    RedisClient *reachableRedis();
    // Emits finished(); a Redis connection found lost while answering shows at once, not at the next probe.
    void answer(quint64 requestId, const RequestResult &result);
    // Whether the signed-in account still acts as it did at sign-in (an admin on any seat may have changed its
    // role, disabled, removed or erased it): empty, or why the session ends (it has ended then).
    QString checkAccount(bool *readFailed = nullptr, RequestResult *failure = nullptr);
    void dropUserSubscriber();
    // Answers `requestId` with a refusal unless the index is open and someone is signed in.
    // With someone signed in, their account is read again first: removed, disabled or given another role, the
    // session ends (signedOutByAdministrator) and the request is refused.
    bool ready(quint64 requestId, bool needSignIn = true);
    // Forgets who is signed in: the running turn is answered, presence and the user's channel end.
    void endSession();
    Status ensureRedis();
    void setRedisReachable(bool reachable);
    void startTurn(quint64 requestId, const QString &text, bool supportRequested, const QString &requestRule);
    // A turn of the chat controller, started by `start`; its reply pieces go out as replyDelta(requestId).
    void runTurn(quint64 requestId, const std::function<void(ChatController *, const ChatController::Done &)> &start);
    void announce(const QString &ticketId, const QString &change, const QString &teacherId = {});
    // Listens on the signed-in user's own channel (support replies to their tickets).
    void subscribeUser();
    void deliverSoon();

    ConsoleContext m_ctx;
    ChatController *m_chat = nullptr;
    std::unique_ptr<TicketController> m_tickets;
    std::unique_ptr<AdminController> m_admin;
    std::unique_ptr<PrivacyController> m_privacy;
    RedisSubscriber *m_subscriber = nullptr;
    RedisSubscriber *m_userSubscriber = nullptr;
    QThread m_deliveryThread;
    DeliveryWorker *m_delivery = nullptr;
    QTimer *m_retentionTimer = nullptr;
    QTimer *m_redisWatch = nullptr;
    int m_redisReachable = -1; // as last reported: -1 not yet, 0 no, 1 yes
    bool m_rulesWarned = false;
    bool m_pendingErasuresDone = false; // erasures left by an unreachable Redis were finished on this connection
};

} // namespace LearnPulse

Q_DECLARE_METATYPE(LearnPulse::Account)
Q_DECLARE_METATYPE(LearnPulse::SessionContext)
Q_DECLARE_METATYPE(LearnPulse::SessionState)
Q_DECLARE_METATYPE(LearnPulse::HistoryEntry)
Q_DECLARE_METATYPE(LearnPulse::TicketRecord)
Q_DECLARE_METATYPE(LearnPulse::TicketFilter)
Q_DECLARE_METATYPE(LearnPulse::Role)
