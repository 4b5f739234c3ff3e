#include "consolewindow.h"

#include "adminview.h"
#include "chatcontroller.h"
#include "chatview.h"
#include "consolebackend.h"
#include "consolewindow_request.h"
#include "metricsview.h"
#include "settingsdialog.h"
#include "signinpage.h"
#include "ticketbrowser.h"
#include "ticketcontroller.h"
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
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace LearnPulse {

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
    m_shortcutsAction = helpMenu->addAction(tr("&Keyboard shortcuts"), this, &ConsoleWindow::showShortcuts);
    m_shortcutsAction->setObjectName(QStringLiteral("shortcutsAction"));
    helpMenu->addAction(tr("&About"), this, [this] {
        QMessageBox::about(this, tr("About"),
            tr("<b>LearnPulse Support Console</b><p>Teachers chat with the LearnPulse assistant; when "
               "they need a person, the console opens a support ticket.</p>"));
    });

    m_redisStatus = new QLabel(tr("Conversation server: …"), this);
    m_redisStatus->setObjectName(QStringLiteral("redisStatus"));
    m_assistantStatus = new QLabel(tr("Assistant: …"), this);
    m_assistantStatus->setObjectName(QStringLiteral("assistantStatus"));
    m_userLabel = new QLabel(this);
    m_userLabel->setTextFormat(Qt::PlainText); // an email address from the accounts
    m_busy = new QProgressBar(this);
    m_busy->setObjectName(QStringLiteral("busyIndicator"));
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setTextVisible(false);
    m_busy->hide();
    statusBar()->addPermanentWidget(m_busy);
    // The indicator appears only for work that takes a noticeable time: quick requests (a page of tickets
    // while scrolling) neither flicker it nor pay for the status bar's layout.
    m_busyDelay.setSingleShot(true);
    m_busyDelay.setInterval(200);
    connect(&m_busyDelay, &QTimer::timeout, this, [this] { m_busy->setVisible(!m_pending.isEmpty()); });
    statusBar()->addPermanentWidget(m_redisStatus);
    statusBar()->addPermanentWidget(m_assistantStatus);
    statusBar()->addPermanentWidget(m_userLabel);

    // Backend → window: one answer per request, and the pushes.
    connect(m_backend, &ConsoleBackend::finished, this, &ConsoleWindow::onFinished);
    connect(m_backend, &ConsoleBackend::replyDelta, this, [this](quint64 id, const QString &d) {
        if (m_chat && id == m_turnRequest)
            m_chat->appendReplyDelta(d);
    });
    connect(m_backend, &ConsoleBackend::redisStatus, this, [this](const QString &status, bool ok) {
        // Said for everyone; the tooltip keeps the details (Redis, a private server, the error).
        m_redisStatus->setText(ok ? tr("Conversation server: connected") : tr("Conversation server: unavailable"));
        m_redisStatus->setToolTip(status);
        m_redisStatus->setStyleSheet(ok ? QString() : QStringLiteral("color: #c62828;"));
        if (m_chat)
            m_chat->setConnectionLost(!ok);
        // Redis is back and no conversation could be opened: open it now.
        if (ok && m_chat && m_chat->sessionId().isEmpty() && m_conversationRequest == 0)
            openConversation(false);
    });
    connect(m_backend, &ConsoleBackend::assistantStatus, this, [this](const QString &status, bool ok) {
        m_assistantStatus->setText(ok ? tr("Assistant: ready") : tr("Assistant: unavailable"));
        m_assistantStatus->setToolTip(status);
        m_assistantStatus->setStyleSheet(ok ? QString() : QStringLiteral("color: #c62828;"));
    });
    connect(m_backend, &ConsoleBackend::ticketsChanged, this, [this] {
        if (m_browser)
            m_browser->refresh();
    });
    connect(m_backend, &ConsoleBackend::ticketCreated, this, &ConsoleWindow::announceNewTicket);
    // Deleted or erased on any console: the ticket's transcript, thread and draft go from this one at once.
    connect(m_backend, &ConsoleBackend::ticketGone, this, [this](const QString &ticketId) {
        if (m_browser)
            m_browser->forgetTicket(ticketId);
    });
    connect(m_backend, &ConsoleBackend::personErased, this, [this] {
        if (m_admin)
            refreshAccounts();
    });
    connect(m_backend, &ConsoleBackend::ticketUpdated, this, [this](const TicketUpdate &update) {
        if (!m_chat)
            return;
        m_chat->applyTicketUpdate(update);
        if (!update.replies.isEmpty()) {
            statusBar()->showMessage(tr("Support replied to your ticket %1.").arg(update.ticket.id), 10000);
            QApplication::alert(this); // the taskbar entry asks for attention when the window is not active
        }
    });
    connect(m_backend, &ConsoleBackend::ticketViewers, this, [this](const QString &ticketId, const QStringList &names) {
        if (m_browser)
            m_browser->showViewers(ticketId, names);
    });
    connect(m_backend, &ConsoleBackend::signedOutByAdministrator, this, [this](const QString &reason) {
        if (!m_signedIn)
            return;
        leaveSession();
        m_signIn->showError(reason);
    });
    connect(m_backend, &ConsoleBackend::warning, this,
        [this](const QString &message) { statusBar()->showMessage(message, 30000); });

    // Sign-in page → backend.
    auto signedIn = [this](const RequestResult &r) {
        if (!r.ok()) {
            m_signIn->showError(r.error);
            return;
        }
        m_account = r.value.value<Account>();
        m_signedIn = true;
        m_signIn->setBusy(false);
        buildMainView();
    };
    connect(
        m_signIn, &SignInPage::signInRequested, this, [this, signedIn](const QString &email, const QString &password) {
            request(
                tr("Sign in"), [email, password](ConsoleBackend *b, quint64 id) { b->signIn(id, email, password); },
                signedIn);
        });
    connect(m_signIn, &SignInPage::firstAdminRequested, this,
        [this, signedIn](const QString &email, const QString &name, const QString &password) {
            request(
                tr("Create the administrator"),
                [email, name, password](
                    ConsoleBackend *b, quint64 id) { b->createFirstAdmin(id, email, name, password); },
                signedIn);
        });

    const QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1200, 800);
    request(
        tr("Start"), [](ConsoleBackend *b, quint64 id) { b->initialize(id); },
        [this](const RequestResult &r) {
            if (!r.ok()) {
                m_starting->setText(tr("The console cannot start:\n\n%1").arg(r.error));
                return;
            }
            const QVariantMap started = r.value.toMap();
            m_maxMessageChars = started.value(QStringLiteral("max_message_chars"), m_maxMessageChars).toInt();
            m_firstResponseHours = started.value(QStringLiteral("first_response_hours"), m_firstResponseHours).toInt();
            m_signIn->setFirstStart(started.value(QStringLiteral("first_start")).toBool());
            m_pages->setCurrentWidget(m_signIn);
            m_settingsProblems = started.value(QStringLiteral("settings_problems")).toStringList();
            if (!m_settingsProblems.isEmpty())
                reportSettingsProblems();
        });
}

void ConsoleWindow::reportSettingsProblems()
{
    // Said once, at the start, to whoever is at the console; the console runs on the defaults meanwhile.
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Settings not used"),
        tr("Some settings in the settings file are not valid, so their defaults are used. An administrator can "
           "correct them in Administration \u2192 Settings."),
        QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("settingsProblemsNotice"));
    box->setTextFormat(Qt::PlainText);
    box->setInformativeText(m_settingsProblems.join(QLatin1Char('\n')));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void ConsoleWindow::onFinished(quint64 id, const RequestResult &result)
{
    const auto it = m_pending.constFind(id);
    if (it == m_pending.constEnd())
        return;
    const Pending pending = it.value();
    m_pending.erase(it);
    updateBusy();
    if (pending.handler)
        pending.handler(result);
    else
        defaultAnswer(pending.what, result);
}

void ConsoleWindow::defaultAnswer(const QString &what, const RequestResult &result, const QString &done)
{
    if (!result.ok())
        reportFailure(what, result.error);
    else if (!result.notice.isEmpty())
        reportFailure(what, result.notice);
    else if (!done.isEmpty())
        statusBar()->showMessage(done, 5000);
}

void ConsoleWindow::announceNewTicket(const QString &ticketId)
{
    if (!m_browser || !m_tabs)
        return;
    // Unseen while the ticket queue is not in front: counted on its tab until it is.
    if (m_tabs->currentWidget() != m_browser) {
        ++m_newTickets;
        m_tabs->setTabText(m_tabs->indexOf(m_browser), tr("&Tickets (%1 new)").arg(m_newTickets));
    }
    statusBar()->showMessage(tr("New support ticket %1").arg(ticketId), 10000);
    QApplication::alert(this); // the taskbar entry asks for attention
    if (QSystemTrayIcon::isSystemTrayAvailable() && QSystemTrayIcon::supportsMessages()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(
                windowIcon().isNull() ? style()->standardIcon(QStyle::SP_MessageBoxInformation) : windowIcon(), this);
            m_tray->setToolTip(tr("LearnPulse Support Console"));
            connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
                showNormal();
                activateWindow();
                if (m_tabs && m_browser)
                    m_tabs->setCurrentWidget(m_browser);
            });
        }
        m_tray->show();
        m_tray->showMessage(tr("New support ticket"), ticketId, QSystemTrayIcon::Information, 10000);
    }
}

void ConsoleWindow::updateBusy()
{
    if (m_pending.isEmpty()) {
        m_busyDelay.stop();
        m_busy->hide();
    } else if (!m_busy->isVisible() && !m_busyDelay.isActive()) {
        m_busyDelay.start();
    }
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

void ConsoleWindow::signOut()
{
    request(
        tr("Sign out"), [](ConsoleBackend *b, quint64 id) { b->signOut(id); }, [](const RequestResult &) {});
    leaveSession();
}

void ConsoleWindow::leaveSession()
{
    m_signedIn = false;
    m_account = {};
    m_newTickets = 0;
    if (m_tray)
        m_tray->hide(); // nothing of the last person's session stays on the desktop
    m_turnRequest = 0;
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
