#pragma once

#include "accountstore.h"
#include "chatengine.h"
#include "config.h"
#include "database.h"
#include "metricsstore.h"
#include "redisconnector.h"
#include "sessionstore.h"
#include "ticketstore.h"

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QVariantMap>

#include <memory>

namespace LearnPulse {

class EscalationEngine;
class LlmClient;
class Outbox;
class RedisSubscriber;
class TicketService;

// Everything the console does that touches Redis, the database, the disk or the network, on a worker
// thread of its own: the GUI thread calls the slots through queued invocations and gets results back
// as signals, so it never blocks (DESIGN.md; issue "Never blocking").
class ConsoleBackend final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsoleBackend)

public:
    explicit ConsoleBackend(QString dataDirOption, QObject *parent = nullptr);
    ~ConsoleBackend() override;

    static void registerTypes();

public slots:
    void initialize();
    void shutdown();
    void createFirstAdmin(const QString &email, const QString &name, const QString &password);
    void signIn(const QString &email, const QString &password);
    void signOut();

    // Teacher chat. An empty id reopens the user's last conversation, or starts one.
    void openConversation(const QString &sessionId, const LearnPulse::SessionContext &context, bool forceNew);
    void updateContext(const LearnPulse::SessionContext &context);
    void sendMessage(const QString &text);
    void contactSupport();
    void stopReply();

    // Ticket browser.
    void listTickets(quint64 requestId, const LearnPulse::TicketFilter &filter);
    void loadTicket(const QString &ticketId);
    void setTicketStatus(const QString &ticketId, const QString &status);
    void deleteTicket(const QString &ticketId);

    // Metrics: the last `days` days, ending today (UTC).
    void loadMetrics(int days);

    // Administration.
    void listAccounts();
    void addAccount(const QString &email, const QString &name, LearnPulse::Role role, const QString &password);
    void setAccountRole(const QString &userId, LearnPulse::Role role);
    void resetPassword(const QString &userId, const QString &password);
    void removeAccount(const QString &userId);
    void listAudit();
    void erasePerson(const QString &email);
    void exportPerson(const QString &email, const QString &directory);
    void applyRetention();
    void loadSettings();
    void saveSettings(const QVariantMap &values);

    void deliverOutbox();
    void checkAssistant();
    // Every two seconds: is Redis there? Reports a change of state at once, writes back what was kept in
    // memory when it comes back, and connects when it was not there at sign-in.
    void watchRedis();

signals:
    void initialized(bool ok, const QString &error, bool needsFirstAdmin);
    void signedIn(const LearnPulse::Account &account);
    void signInFailed(const QString &error);
    void conversationOpened(const LearnPulse::SessionState &state, const QList<LearnPulse::HistoryEntry> &history);
    void replyDelta(const QString &text);
    void turnFinished(const LearnPulse::ChatTurnResult &result);
    void ticketsPage(quint64 requestId, const QList<LearnPulse::TicketRecord> &rows, int total, const QString &error);
    void ticketLoaded(const LearnPulse::TicketRecord &ticket, const QString &transcript, const QString &error);
    void ticketsChanged();
    void accountsListed(const QList<LearnPulse::Account> &accounts);
    void auditListed(const QList<LearnPulse::Database::AuditEntry> &entries);
    void metricsLoaded(const LearnPulse::MetricsStore::Summary &summary, const QString &error);
    void settingsLoaded(const QVariantMap &values);
    // `summary` says what was removed or written, for the admin.
    void privacyFinished(const QString &what, const QString &summary, const QString &error);
    // A background operation finished; `error` empty on success. `what` names it for the person.
    void operationFinished(const QString &what, const QString &error);
    void redisStatus(const QString &status, bool ok);
    void assistantStatus(const QString &status, bool ok);

private:
    bool ensureRedis();
    void setRedisReachable(bool reachable);
    void startTurn(const QString &text, bool supportRequested);
    Actor actor() const { return m_account.actor(); }

    QString m_dataDirOption;
    Config m_config;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<RedisConnection> m_redis;
    std::unique_ptr<SessionStore> m_sessions;
    std::shared_ptr<TicketStore> m_tickets;
    std::unique_ptr<TicketService> m_ticketService;
    std::unique_ptr<AccountStore> m_accounts;
    std::unique_ptr<Outbox> m_outbox;
    std::shared_ptr<const Detector> m_detector;
    std::unique_ptr<EscalationEngine> m_escalation;
    LlmClient *m_llm = nullptr;
    ChatEngine *m_chat = nullptr;
    RedisSubscriber *m_subscriber = nullptr;
    QTimer *m_outboxTimer = nullptr;
    QTimer *m_retentionTimer = nullptr;
    QTimer *m_redisWatch = nullptr;
    int m_redisReachable = -1; // as last reported: -1 not yet, 0 no, 1 yes
    QPointer<ChatTurn> m_turn;
    Account m_account;
    bool m_signedIn = false;
    QString m_sessionId;
};

} // namespace LearnPulse

Q_DECLARE_METATYPE(LearnPulse::Account)
Q_DECLARE_METATYPE(LearnPulse::SessionContext)
Q_DECLARE_METATYPE(LearnPulse::SessionState)
Q_DECLARE_METATYPE(LearnPulse::HistoryEntry)
Q_DECLARE_METATYPE(LearnPulse::TicketRecord)
Q_DECLARE_METATYPE(LearnPulse::TicketFilter)
Q_DECLARE_METATYPE(LearnPulse::Database::AuditEntry)
Q_DECLARE_METATYPE(LearnPulse::Role)
Q_DECLARE_METATYPE(LearnPulse::MetricsStore::Summary)
