#include "consolewindow.h"

#include "adminview.h"
#include "metricsview.h"
#include "chatview.h"
#include "consolebackend.h"
#include "settingsdialog.h"
#include "signinpage.h"
#include "ticketbrowser.h"
#include "tickettablemodel.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace LearnPulse {

template<typename F>
void ConsoleWindow::call(F &&f)
{
    QMetaObject::invokeMethod(m_backend, std::forward<F>(f), Qt::QueuedConnection);
}

ConsoleWindow::ConsoleWindow(const QString &dataDirOption, QWidget *parent)
    : QMainWindow(parent)
    , m_backend(new ConsoleBackend(dataDirOption))
{
    setWindowTitle(tr("LearnPulse Support Console"));
    setObjectName(QStringLiteral("consoleWindow"));
    m_thread.setObjectName(QStringLiteral("lp-backend"));
    m_backend->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_backend, &QObject::deleteLater);
    m_thread.start();

    m_pages = new QStackedWidget(this);
    m_starting = new QLabel(tr("Starting…"), m_pages);
    m_starting->setAlignment(Qt::AlignCenter);
    m_starting->setWordWrap(true);
    m_signIn = new SignInPage(m_pages);
    m_pages->addWidget(m_starting);
    m_pages->addWidget(m_signIn);
    setCentralWidget(m_pages);

    auto *fileMenu = menuBar()->addMenu(tr("&File"));
    m_signOutAction = fileMenu->addAction(tr("Sign &out"), this, &ConsoleWindow::signOut);
    m_signOutAction->setObjectName(QStringLiteral("signOutAction"));
    m_signOutAction->setEnabled(false);
    fileMenu->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    auto *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(tr("&Privacy notice"), this, &ConsoleWindow::showPrivacyNotice);
    helpMenu->addAction(tr("&About"), this, [this] {
        QMessageBox::about(this, tr("About"),
                           tr("<b>LearnPulse Support Console</b><p>Teachers chat with the LearnPulse assistant; when "
                              "they need a person, the console opens a support ticket.</p>"));
    });

    m_redisStatus = new QLabel(tr("Redis: …"), this);
    m_redisStatus->setObjectName(QStringLiteral("redisStatus"));
    m_assistantStatus = new QLabel(tr("Assistant: …"), this);
    m_assistantStatus->setObjectName(QStringLiteral("assistantStatus"));
    m_userLabel = new QLabel(this);
    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setTextVisible(false);
    m_busy->hide();
    statusBar()->addPermanentWidget(m_busy);
    statusBar()->addPermanentWidget(m_redisStatus);
    statusBar()->addPermanentWidget(m_assistantStatus);
    statusBar()->addPermanentWidget(m_userLabel);

    // Backend → window.
    connect(m_backend, &ConsoleBackend::initialized, this, [this](bool ok, const QString &error, bool firstStart) {
        setBusy(-1);
        if (!ok) {
            m_starting->setText(tr("The console cannot start:\n\n%1").arg(error));
            return;
        }
        m_signIn->setFirstStart(firstStart);
        m_pages->setCurrentWidget(m_signIn);
    });
    connect(m_backend, &ConsoleBackend::signedIn, this, [this](const Account &account) {
        m_account = account;
        m_signedIn = true;
        m_signIn->setBusy(false);
        buildMainView();
    });
    connect(m_backend, &ConsoleBackend::signInFailed, m_signIn, &SignInPage::showError);
    connect(m_backend, &ConsoleBackend::redisStatus, this, [this](const QString &status, bool ok) {
        m_redisStatus->setText(ok ? status : tr("Redis: unavailable"));
        m_redisStatus->setToolTip(status);
        m_redisStatus->setStyleSheet(ok ? QString() : QStringLiteral("color: #c62828;"));
        if (m_chat)
            m_chat->setConnectionLost(!ok);
    });
    connect(m_backend, &ConsoleBackend::assistantStatus, this, [this](const QString &status, bool ok) {
        m_assistantStatus->setText(ok ? tr("Assistant: ready") : tr("Assistant: unavailable"));
        m_assistantStatus->setToolTip(status);
        m_assistantStatus->setStyleSheet(ok ? QString() : QStringLiteral("color: #c62828;"));
    });
    connect(m_backend, &ConsoleBackend::conversationOpened, this, [this](const SessionState &s, const QList<HistoryEntry> &h) {
        setBusy(-1);
        if (m_chat)
            m_chat->setConversation(s, h);
    });
    connect(m_backend, &ConsoleBackend::replyDelta, this, [this](const QString &d) {
        if (m_chat)
            m_chat->appendReplyDelta(d);
    });
    connect(m_backend, &ConsoleBackend::turnFinished, this, [this](const ChatTurnResult &r) {
        setBusy(-1);
        if (m_chat)
            m_chat->finishTurn(r);
    });
    connect(m_backend, &ConsoleBackend::ticketsPage, this,
            [this](quint64 id, const QList<TicketRecord> &rows, int total, const QString &error) {
                setBusy(-1);
                if (m_browser)
                    m_browser->model()->addPage(id, rows, total, error);
            });
    connect(m_backend, &ConsoleBackend::ticketLoaded, this, [this](const TicketRecord &t, const QString &text, const QString &error) {
        if (m_browser)
            m_browser->showTicket(t, text, error);
    });
    connect(m_backend, &ConsoleBackend::ticketsChanged, this, [this] {
        if (m_browser)
            m_browser->refresh();
    });
    connect(m_backend, &ConsoleBackend::accountsListed, this, [this](const QList<Account> &a) {
        if (m_admin)
            m_admin->showAccounts(a);
    });
    connect(m_backend, &ConsoleBackend::metricsLoaded, this, [this](const MetricsStore::Summary &s, const QString &error) {
        setBusy(-1);
        if (m_metrics)
            m_metrics->showSummary(s, error);
    });
    connect(m_backend, &ConsoleBackend::auditListed, this, [this](const QList<Database::AuditEntry> &e) {
        if (m_admin)
            m_admin->showAudit(e);
    });
    connect(m_backend, &ConsoleBackend::settingsLoaded, this, [this](const QVariantMap &values) {
        if (findChild<SettingsDialog *>())
            return;
        auto *dialog = new SettingsDialog(values, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, dialog] {
            const QVariantMap v = dialog->values();
            call([b = m_backend, v] { b->saveSettings(v); });
        });
        dialog->open();
    });
    connect(m_backend, &ConsoleBackend::privacyFinished, this,
            [this](const QString &what, const QString &summary, const QString &error) {
                setBusy(-1);
                auto *box = new QMessageBox(error.isEmpty() ? QMessageBox::Information : QMessageBox::Warning, what,
                                            error.isEmpty() ? tr("%1: done.").arg(what) : tr("%1 failed.").arg(what),
                                            QMessageBox::Ok, this);
                box->setObjectName(QStringLiteral("privacyResult"));
                box->setInformativeText(summary + (error.isEmpty() || summary.isEmpty() ? QString() : QStringLiteral("\n\n"))
                                        + error);
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open();
                call([b = m_backend] { b->listAudit(); });
            });
    connect(m_backend, &ConsoleBackend::operationFinished, this, [this](const QString &what, const QString &error) {
        if (error.isEmpty())
            statusBar()->showMessage(tr("%1: done").arg(what), 5000);
        else
            reportFailure(what, error);
    });

    // Sign-in page → backend.
    connect(m_signIn, &SignInPage::signInRequested, this, [this](const QString &email, const QString &password) {
        call([b = m_backend, email, password] { b->signIn(email, password); });
    });
    connect(m_signIn, &SignInPage::firstAdminRequested, this,
            [this](const QString &email, const QString &name, const QString &password) {
                call([b = m_backend, email, name, password] { b->createFirstAdmin(email, name, password); });
            });

    const QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1200, 800);
    setBusy(+1);
    call([b = m_backend] { b->initialize(); });
}

ChatView *ConsoleWindow::chatView() const
{
    return m_chat;
}

TicketBrowser *ConsoleWindow::ticketBrowser() const
{
    return m_browser;
}

AdminView *ConsoleWindow::adminView() const
{
    return m_admin;
}

MetricsView *ConsoleWindow::metricsView() const
{
    return m_metrics;
}

ConsoleWindow::~ConsoleWindow()
{
    QMetaObject::invokeMethod(m_backend, &ConsoleBackend::shutdown, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void ConsoleWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    event->accept();
}

void ConsoleWindow::setBusy(int delta)
{
    m_busyCount = qMax(0, m_busyCount + delta);
    m_busy->setVisible(m_busyCount > 0);
}

void ConsoleWindow::reportFailure(const QString &what, const QString &error)
{
    statusBar()->showMessage(tr("%1 failed: %2").arg(what, error), 15000);
    if (m_chat && m_tabs && m_tabs->currentWidget() == m_chat) {
        m_chat->showError(tr("%1 failed: %2").arg(what, error));
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Warning, what, tr("%1 failed.").arg(what), QMessageBox::Ok, this);
    box->setInformativeText(error);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void ConsoleWindow::showPrivacyNotice()
{
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("privacyNotice"));
    dialog->setWindowTitle(tr("Privacy notice"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(dialog);
    auto *text = new QTextBrowser(dialog);
    QFile f(QStringLiteral(":/privacy-notice.html"));
    text->setHtml(f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : tr("The privacy notice is missing."));
    layout->addWidget(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog->resize(560, 520);
    dialog->open();
}

void ConsoleWindow::buildMainView()
{
    m_tabs = new QTabWidget(m_pages);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_chat = new ChatView(Config{}.maxMessageChars, m_tabs);
    m_tabs->addTab(m_chat, tr("&Assistant"));
    connect(m_chat, &ChatView::sendRequested, this, [this](const QString &text) {
        setBusy(+1);
        call([b = m_backend, text] { b->sendMessage(text); });
    });
    connect(m_chat, &ChatView::contactSupportRequested, this, [this] {
        setBusy(+1);
        call([b = m_backend] { b->contactSupport(); });
    });
    connect(m_chat, &ChatView::stopRequested, this, [this] { call([b = m_backend] { b->stopReply(); }); });
    connect(m_chat, &ChatView::newConversationRequested, this, [this](const SessionContext &c) {
        setBusy(+1);
        call([b = m_backend, c] { b->openConversation(QString(), c, true); });
    });
    connect(m_chat, &ChatView::contextChanged, this,
            [this](const SessionContext &c) { call([b = m_backend, c] { b->updateContext(c); }); });
    connect(m_chat, &ChatView::privacyNoticeRequested, this, &ConsoleWindow::showPrivacyNotice);

    if (isAllowed(m_account.actor(), Permission::ViewTickets)) {
        m_browser = new TicketBrowser(isAllowed(m_account.actor(), Permission::DeleteTicket), m_tabs);
        m_tabs->addTab(m_browser, tr("&Tickets"));
        connect(m_browser, &TicketBrowser::pageRequested, this, [this](quint64 id, const TicketFilter &f) {
            setBusy(+1);
            call([b = m_backend, id, f] { b->listTickets(id, f); });
        });
        connect(m_browser, &TicketBrowser::ticketRequested, this,
                [this](const QString &id) { call([b = m_backend, id] { b->loadTicket(id); }); });
        connect(m_browser, &TicketBrowser::statusChangeRequested, this, [this](const QString &id, const QString &s) {
            call([b = m_backend, id, s] { b->setTicketStatus(id, s); });
        });
        connect(m_browser, &TicketBrowser::deleteRequested, this,
                [this](const QString &id) { call([b = m_backend, id] { b->deleteTicket(id); }); });
        m_browser->model()->reload();
    }
    if (isAllowed(m_account.actor(), Permission::ViewMetrics)) {
        m_metrics = new MetricsView(m_tabs);
        m_tabs->addTab(m_metrics, tr("&Metrics"));
        connect(m_metrics, &MetricsView::metricsRequested, this, [this](int days) {
            setBusy(+1);
            call([b = m_backend, days] { b->loadMetrics(days); });
        });
        connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
            if (m_tabs->widget(index) == m_metrics)
                m_metrics->refresh();
        });
    }
    if (isAllowed(m_account.actor(), Permission::ManageAccounts)) {
        m_admin = new AdminView(m_tabs);
        m_tabs->addTab(m_admin, tr("A&dministration"));
        auto refresh = [this] {
            call([b = m_backend] {
                b->listAccounts();
                b->listAudit();
            });
        };
        connect(m_admin, &AdminView::refreshRequested, this, refresh);
        connect(m_tabs, &QTabWidget::currentChanged, this, [this, refresh](int index) {
            if (m_tabs->widget(index) == m_admin)
                refresh();
        });
        connect(m_admin, &AdminView::addAccountRequested, this,
                [this](const QString &e, const QString &n, Role r, const QString &p) {
                    call([b = m_backend, e, n, r, p] { b->addAccount(e, n, r, p); });
                });
        connect(m_admin, &AdminView::roleChangeRequested, this,
                [this](const QString &id, Role r) { call([b = m_backend, id, r] { b->setAccountRole(id, r); }); });
        connect(m_admin, &AdminView::passwordResetRequested, this,
                [this](const QString &id, const QString &p) { call([b = m_backend, id, p] { b->resetPassword(id, p); }); });
        connect(m_admin, &AdminView::removeRequested, this,
                [this](const QString &id) { call([b = m_backend, id] { b->removeAccount(id); }); });
        connect(m_admin, &AdminView::settingsRequested, this, [this] { call([b = m_backend] { b->loadSettings(); }); });
        connect(m_admin, &AdminView::eraseRequested, this, [this](const QString &email) {
            setBusy(+1);
            call([b = m_backend, email] { b->erasePerson(email); });
        });
        connect(m_admin, &AdminView::exportRequested, this, [this](const QString &email, const QString &dir) {
            setBusy(+1);
            call([b = m_backend, email, dir] { b->exportPerson(email, dir); });
        });
    }

    m_pages->addWidget(m_tabs);
    m_pages->setCurrentWidget(m_tabs);
    m_userLabel->setText(tr("%1 (%2)").arg(m_account.email, roleName(m_account.role)));
    m_signOutAction->setEnabled(true);
    setBusy(+1);
    call([b = m_backend] { b->openConversation(QString(), SessionContext{}, false); });

    QSettings settings;
    const QString seen = QStringLiteral("privacy/seen/") + m_account.id;
    if (!settings.value(seen).toBool()) {
        settings.setValue(seen, true);
        showPrivacyNotice();
    }
}

void ConsoleWindow::signOut()
{
    call([b = m_backend] { b->signOut(); });
    m_signedIn = false;
    m_account = {};
    if (m_tabs) {
        m_pages->removeWidget(m_tabs);
        m_tabs->deleteLater();
        m_tabs = nullptr;
    }
    m_signOutAction->setEnabled(false);
    m_userLabel->clear();
    m_signIn->reset(false);
    m_pages->setCurrentWidget(m_signIn);
}

} // namespace LearnPulse
