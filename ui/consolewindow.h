#pragma once

#include "accountstore.h"

#include <QMainWindow>
#include <QPointer>
#include <QThread>

class QLabel;
class QProgressBar;
class QStackedWidget;
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
    void showPrivacyNotice();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    template<typename F>
    void call(F &&f);
    void buildMainView();
    void signOut();
    void setBusy(int delta);
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
    QLabel *m_redisStatus;
    QLabel *m_assistantStatus;
    QLabel *m_userLabel;
    QProgressBar *m_busy;
    QAction *m_signOutAction;
    int m_busyCount = 0;
    Account m_account;
    bool m_signedIn = false;
};

} // namespace LearnPulse
