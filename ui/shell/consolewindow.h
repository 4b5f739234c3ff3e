#pragma once

#include "accountstore.h"
#include "request.h"
#include "sessionstore.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include <functional>

class QAction;
class QLabel;
class QProgressBar;
class QStackedWidget;
class QSystemTrayIcon;
class QTabWidget;

namespace LearnPulse {

class AdminView;
class ChatView;
class ConsoleBackend;
class MetricsView;
class SignInPage;
class TicketBrowser;

// The console's main window: sign-in first, then the views the signed-in role may use (chat for
// everyone, the ticket browser for support and admins, administration for admins). All work that
// touches Redis, the database, the disk or the network runs in ConsoleBackend on a worker thread.
// Every request to it gets exactly one answer; the busy indicator shows while any is outstanding.
class ConsoleWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsoleWindow)

public:
    explicit ConsoleWindow(const QString &dataDirOption = {}, QWidget *parent = nullptr);
    ~ConsoleWindow() override;

    SignInPage *signInPage() const { return m_signIn; }
    ChatView *chatView() const;
    TicketBrowser *ticketBrowser() const;
    AdminView *adminView() const;
    MetricsView *metricsView() const;
    QTabWidget *tabs() const { return m_tabs; }
    const Account &account() const { return m_account; }
    bool isSignedIn() const { return m_signedIn; }
    // Requests sent to the backend and not answered yet (the busy indicator shows while there are any,
    // from 200 ms on).
    int pendingRequests() const { return int(m_pending.size()); }
    void showPrivacyNotice();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    using Handler = std::function<void(const RequestResult &)>;
    struct Pending
    {
        QString what; // names the request for the person ("Save the settings")
        Handler handler;
    };
    // Sends a request: `call(backend, id)` runs on the backend's thread; `handler` (or, without one, the
    // default: a status-bar note or an error box) gets its one answer on this thread.
    template<typename F>
    quint64 request(const QString &what, F &&call, Handler handler = {});
    void onFinished(quint64 id, const RequestResult &result);
    // A failure is reported; a success shows `done` (words for people, e.g. "Settings saved") if given.
    void defaultAnswer(const QString &what, const RequestResult &result, const QString &done = {});
    void reportSettingsProblems();
    void updateBusy();
    void buildMainView();
    void signOut();
    // Back to the sign-in page with nothing of the account left in the window.
    void leaveSession();
    // `sessionId` empty: the last conversation (or a new one when `forceNew`).
    void openConversation(bool forceNew, const SessionContext &context = {}, const QString &sessionId = {});
    void showPastConversations();
    // A new ticket from any console: a count on the Tickets tab while unseen, the status bar, the taskbar and
    // (where the desktop has one) a notification.
    void announceNewTicket(const QString &ticketId);
    void sendTurn(const QString &what, const std::function<void(ConsoleBackend *, quint64)> &call);
    void openCannedReplies();
    void showShortcuts();
    void rateTicket(bool helpful);
    void refreshAccounts();
    void refreshAudit();
    void openSettings(const QVariantMap &values);
    void reportFailure(const QString &what, const QString &error);

    QThread m_thread;
    ConsoleBackend *m_backend;
    QStackedWidget *m_pages;
    QLabel *m_starting;
    SignInPage *m_signIn;
    QTabWidget *m_tabs = nullptr;
    QPointer<ChatView> m_chat;
    QPointer<TicketBrowser> m_browser;
    QPointer<AdminView> m_admin;
    QPointer<MetricsView> m_metrics;
    int m_newTickets = 0; // announced while the ticket queue was not in front
    QSystemTrayIcon *m_tray = nullptr; // made on the first announcement, where the desktop has a tray
    QLabel *m_redisStatus;
    QLabel *m_assistantStatus;
    QLabel *m_userLabel;
    QProgressBar *m_busy;
    QAction *m_signOutAction;
    QHash<quint64, Pending> m_pending;
    QTimer m_busyDelay;
    quint64 m_nextRequest = 0;
    quint64 m_turnRequest = 0; // the chat turn whose reply is streaming
    quint64 m_conversationRequest = 0; // an open-conversation request not answered yet
    int m_maxMessageChars = 8000;
    int m_firstResponseHours = 4;
    QStringList m_settingsProblems; // what the settings file holds that is not valid (its defaults are in use)
    QAction *m_shortcutsAction = nullptr;
    Account m_account;
    bool m_signedIn = false;
};

} // namespace LearnPulse
