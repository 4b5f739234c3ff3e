#include "adminview.h"
#include "cannedrepliesdialog.h"
#include "chatcontroller.h"
#include "chatview.h"
#include "consolebackend.h"
#include "consolewindow.h"
#include "consolewindow_request.h"
#include "metricsview.h"
#include "settingsdialog.h"
#include "signinpage.h"
#include "ticketbrowser.h"
#include "ticketcontroller.h"
#include "tickettablemodel.h"
#include "words.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

// The views a signed-in person gets (chat for everyone, tickets and metrics for support, administration
// for admins), wired to the backend through requests.

namespace LearnPulse {

void ConsoleWindow::openConversation(bool forceNew, const SessionContext &context, const QString &sessionId)
{
    m_conversationRequest = request(
        tr("Open the conversation"),
        [forceNew, context, sessionId](
            ConsoleBackend *b, quint64 id) { b->openConversation(id, sessionId, context, forceNew); },
        [this](const RequestResult &r) {
            m_conversationRequest = 0;
            if (!m_chat)
                return;
            if (!r.ok()) {
                // Redis away: said for a teacher, with what happens next.
                if (r.kind != ErrorKind::Unavailable)
                    m_chat->showError(tr("The conversation cannot be opened: %1").arg(r.error));
                else if (m_chat->sessionId().isEmpty())
                    m_chat->showError(tr("The conversation server cannot be reached, so your conversation cannot be "
                                         "opened yet. It opens by itself as soon as the connection is back."));
                else
                    m_chat->showError(tr("The conversation server cannot be reached, so another conversation cannot "
                                         "be opened now. This one stays as it is; try again once the connection is "
                                         "back."));
                return;
            }
            const auto conversation = r.value.value<ConversationData>();
            m_chat->showError(QString());
            m_chat->setConversation(conversation.state, conversation.history, conversation.ticket);
        });
}

void ConsoleWindow::showPastConversations()
{
    request(
        tr("List past conversations"), [](ConsoleBackend *b, quint64 id) { b->listConversations(id); },
        [this](const RequestResult &r) {
            if (!m_chat)
                return;
            if (!r.ok() && r.kind == ErrorKind::Unavailable)
                return m_chat->showError(r.error); // said in full, for a teacher
            if (!r.ok())
                return reportFailure(tr("List past conversations"), r.error);
            if (findChild<QDialog *>(QStringLiteral("pastConversationsDialog")))
                return;
            const auto conversations = r.value.value<QList<ConversationSummary>>();
            auto *dialog = new QDialog(m_chat); // goes with the conversation view (a sign-out closes it)
            dialog->setObjectName(QStringLiteral("pastConversationsDialog"));
            dialog->setWindowTitle(tr("Past conversations"));
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            auto *layout = new QVBoxLayout(dialog);
            auto *table = new QTableWidget(int(conversations.size()), 4, dialog);
            table->setObjectName(QStringLiteral("conversationList"));
            table->setHorizontalHeaderLabels({ tr("Last message"), tr("Class"), tr("Started with"), tr("Ticket") });
            table->setSelectionBehavior(QAbstractItemView::SelectRows);
            table->setSelectionMode(QAbstractItemView::SingleSelection);
            table->setEditTriggers(QAbstractItemView::NoEditTriggers);
            table->verticalHeader()->hide();
            table->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
            const QString current = m_chat->sessionId();
            for (int row = 0; row < conversations.size(); ++row) {
                const ConversationSummary &c = conversations.at(row);
                const QString first = c.firstMessage.isEmpty() ? tr("(nothing written yet)") : c.firstMessage;
                const QStringList cells { QLocale().toString(c.updated.toLocalTime(), QLocale::ShortFormat), c.classId,
                    c.sessionId == current ? tr("%1 (open now)").arg(first) : first,
                    c.ticketId.isEmpty() ? tr("none") : c.ticketId };
                for (int column = 0; column < cells.size(); ++column) {
                    auto *item = new QTableWidgetItem(cells.at(column));
                    item->setData(Qt::UserRole, c.sessionId);
                    item->setToolTip(Words::plainToolTip(cells.at(column)));
                    table->setItem(row, column, item);
                }
            }
            table->resizeColumnToContents(0);
            table->resizeColumnToContents(3);
            if (!conversations.isEmpty())
                table->selectRow(0);
            layout->addWidget(table);
            auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
            QPushButton *open = buttons->addButton(tr("&Open"), QDialogButtonBox::AcceptRole);
            open->setObjectName(QStringLiteral("openConversationButton"));
            open->setEnabled(!conversations.isEmpty());
            connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
            auto openSelected = [this, dialog, table] {
                const QList<QTableWidgetItem *> selected = table->selectedItems();
                if (selected.isEmpty())
                    return;
                const QString sessionId = selected.first()->data(Qt::UserRole).toString();
                dialog->accept();
                if (m_chat && sessionId != m_chat->sessionId())
                    openConversation(false, {}, sessionId);
            };
            connect(buttons, &QDialogButtonBox::accepted, dialog, openSelected);
            connect(table, &QTableWidget::cellDoubleClicked, dialog, openSelected);
            layout->addWidget(buttons);
            dialog->resize(760, 420);
            dialog->open();
        });
}

void ConsoleWindow::sendTurn(const QString &what, const std::function<void(ConsoleBackend *, quint64)> &call)
{
    m_turnRequest = request(what, call, [this](const RequestResult &r) {
        m_turnRequest = 0;
        if (!m_chat)
            return;
        ChatTurnResult turn;
        if (r.value.canConvert<ChatTurnResult>()) {
            turn = r.value.value<ChatTurnResult>();
        } else {
            turn.status = ChatTurnResult::Status::Failed;
            turn.error = r.error;
        }
        // The answer of a turn of a conversation that is no longer shown (another was opened meanwhile)
        // does not belong in the one on screen.
        if (!m_chat->isSending() || (!turn.sessionId.isEmpty() && turn.sessionId != m_chat->sessionId()))
            return;
        m_chat->finishTurn(turn);
    });
}

void ConsoleWindow::rateTicket(bool helpful)
{
    // An optional comment, then the rating; Cancel rates nothing.
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("ratingDialog"));
    dialog->setWindowTitle(helpful ? tr("Helpful") : tr("Not helpful"));
    dialog->setLabelText(tr("Anything you would like to tell the support team? (optional)"));
    dialog->setOkButtonText(tr("Send rating"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QInputDialog::textValueSelected, this, [this, helpful](const QString &comment) {
        request(
            tr("Rate the ticket"),
            [helpful, comment](ConsoleBackend *b, quint64 id) { b->rateTicket(id, helpful, comment.trimmed()); },
            [this](const RequestResult &r) {
                if (!r.ok())
                    reportFailure(tr("Rate the ticket"), r.error);
                else if (m_chat)
                    m_chat->showRated(r.value.value<TicketRecord>());
            });
    });
    dialog->open();
}

void ConsoleWindow::openCannedReplies()
{
    if (findChild<CannedRepliesDialog *>())
        return;
    auto *dialog = new CannedRepliesDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QPointer<CannedRepliesDialog> guard(dialog);
    // Every answer shows the list as it is now, in the dialog and in the ticket browser's menu.
    auto show = [this, guard](const QString &what) {
        return [this, guard, what](const RequestResult &r) {
            if (!r.ok()) {
                if (guard)
                    guard->showError(r.error);
                else
                    reportFailure(what, r.error);
                return;
            }
            const auto replies = r.value.value<QList<CannedReply>>();
            if (guard)
                guard->setReplies(replies);
            if (m_browser)
                m_browser->showCannedReplies(replies);
        };
    };
    connect(dialog, &CannedRepliesDialog::saveRequested, this, [this, show](const QString &title, const QString &body) {
        request(
            tr("Save the canned reply"),
            [title, body](ConsoleBackend *b, quint64 id) { b->saveCannedReply(id, title, body); },
            show(tr("Save the canned reply")));
    });
    connect(dialog, &CannedRepliesDialog::removeRequested, this, [this, show](const QString &title) {
        request(
            tr("Remove the canned reply"), [title](ConsoleBackend *b, quint64 id) { b->removeCannedReply(id, title); },
            show(tr("Remove the canned reply")));
    });
    request(
        tr("Load the canned replies"), [](ConsoleBackend *b, quint64 id) { b->listCannedReplies(id); },
        show(tr("Load the canned replies")));
    dialog->open();
}

void ConsoleWindow::showShortcuts()
{
    QString rows;
    QList<std::pair<QString, QString>> keys { { QKeySequence(QKeySequence::New).toString(QKeySequence::NativeText),
                                                  tr("New conversation") },
        { QStringLiteral("Esc"), tr("Stop the assistant's reply") } };
    if (m_browser)
        keys += TicketBrowser::shortcuts();
    for (const auto &[key, what] : keys)
        rows += QStringLiteral("<tr><td><b>%1</b>&nbsp;&nbsp;</td><td>%2</td></tr>")
                    .arg(key.toHtmlEscaped(), what.toHtmlEscaped());
    auto *box = new QMessageBox(QMessageBox::Information, tr("Keyboard shortcuts"),
        QStringLiteral("<table>%1</table>").arg(rows), QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("shortcutsDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void ConsoleWindow::refreshAccounts()
{
    request(
        tr("List accounts"), [](ConsoleBackend *b, quint64 id) { b->listAccounts(id); },
        [this](const RequestResult &r) {
            if (!r.ok())
                reportFailure(tr("List accounts"), r.error);
            else if (m_admin)
                m_admin->showAccounts(r.value.value<QList<Account>>());
        });
}

void ConsoleWindow::refreshAudit()
{
    request(
        tr("Read the audit log"), [](ConsoleBackend *b, quint64 id) { b->listAudit(id); },
        [this](const RequestResult &r) {
            if (!r.ok())
                reportFailure(tr("Read the audit log"), r.error);
            else if (m_admin)
                m_admin->showAudit(r.value.value<QList<Database::AuditEntry>>());
        });
}

void ConsoleWindow::openSettings(const QVariantMap &values)
{
    if (findChild<SettingsDialog *>())
        return; // one settings dialog at a time
    auto *dialog = new SettingsDialog(values, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // The dialog stays open until the console has saved: a refusal is shown in it, with what was typed.
    connect(dialog, &SettingsDialog::saveRequested, this, [this, dialog = QPointer(dialog)](const QVariantMap &v) {
        request(
            tr("Save the settings"), [v](ConsoleBackend *b, quint64 id) { b->saveSettings(id, v); },
            [this, dialog](const RequestResult &r) {
                if (!r.ok() && dialog)
                    return dialog->saveFailed(r.error);
                if (dialog)
                    dialog->saved();
                defaultAnswer(tr("Save the settings"), r, tr("Settings saved"));
                if (r.ok()) {
                    m_settingsProblems.clear();
                    refreshAudit();
                }
            });
    });
    dialog->open();
}

void ConsoleWindow::buildMainView()
{
    m_tabs = new QTabWidget(m_pages);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_chat = new ChatView(m_maxMessageChars, m_tabs);
    m_tabs->addTab(m_chat, tr("&Assistant"));
    connect(m_chat, &ChatView::sendRequested, this, [this](const QString &text, bool toSupport) {
        sendTurn(toSupport ? tr("Write to support") : tr("Send"),
            [text, toSupport](ConsoleBackend *b, quint64 id) { b->sendMessage(id, text, toSupport); });
    });
    connect(m_chat, &ChatView::rateRequested, this, &ConsoleWindow::rateTicket);
    connect(m_chat, &ChatView::contactSupportRequested, this, [this](const QString &description) {
        sendTurn(tr("Contact support"),
            [description](ConsoleBackend *b, quint64 id) { b->contactSupport(id, description); });
    });
    connect(m_chat, &ChatView::voteRequested, this, [this](const QString &key, bool up) {
        sendTurn(tr("Rate the reply"), [key, up](ConsoleBackend *b, quint64 id) { b->voteOnReply(id, key, up); });
    });
    connect(m_chat, &ChatView::offerAnswered, this, [this](bool accept) {
        sendTurn(accept ? tr("Open a support ticket") : tr("No ticket"),
            [accept](ConsoleBackend *b, quint64 id) { b->answerOffer(id, accept); });
    });
    connect(m_chat, &ChatView::withdrawRequested, this, [this](const QString &key) {
        request(
            tr("Not a complaint"), [key](ConsoleBackend *b, quint64 id) { b->withdrawSignal(id, key); },
            [this](const RequestResult &r) {
                if (!m_chat)
                    return;
                if (r.ok())
                    m_chat->showWithdrawn(r.value.value<WithdrawOutcome>());
                else
                    m_chat->showError(r.error);
            });
    });
    connect(m_chat, &ChatView::stopRequested, this,
        [this] { QMetaObject::invokeMethod(m_backend, &ConsoleBackend::stopReply, Qt::QueuedConnection); });
    connect(m_chat, &ChatView::newConversationRequested, this,
        [this](const SessionContext &c) { openConversation(true, c); });
    connect(m_chat, &ChatView::contextChanged, this, [this](const SessionContext &c) {
        request(
            tr("Change the context"), [c](ConsoleBackend *b, quint64 id) { b->updateContext(id, c); },
            [this](const RequestResult &r) {
                if (!r.ok())
                    reportFailure(tr("Change the context"), r.error);
            });
    });
    connect(m_chat, &ChatView::privacyNoticeRequested, this, &ConsoleWindow::showPrivacyNotice);
    connect(m_chat, &ChatView::pastConversationsRequested, this, &ConsoleWindow::showPastConversations);

    if (isAllowed(m_account.actor(), Permission::ViewTickets)) {
        m_browser = new TicketBrowser(isAllowed(m_account.actor(), Permission::DeleteTicket), m_account.id, m_tabs);
        m_browser->model()->setFirstResponseHours(m_firstResponseHours);
        m_tabs->addTab(m_browser, tr("&Tickets"));
        connect(m_browser, &TicketBrowser::pageRequested, this, [this](quint64 pageId, const TicketFilter &f) {
            request(
                tr("Load the tickets"), [f](ConsoleBackend *b, quint64 id) { b->listTickets(id, f); },
                [this, pageId](const RequestResult &r) {
                    if (!m_browser)
                        return;
                    const auto page = r.value.value<TicketPage>();
                    m_browser->model()->addPage(pageId, page.rows, r.ok() ? page.total : 0, r.error);
                });
        });
        connect(m_browser, &TicketBrowser::ticketRequested, this, [this](const QString &ticketId) {
            request(
                tr("Open %1").arg(ticketId), [ticketId](ConsoleBackend *b, quint64 id) { b->loadTicket(id, ticketId); },
                [this](const RequestResult &r) {
                    if (!m_browser)
                        return;
                    const auto view = r.value.value<TicketView>();
                    m_browser->showTicket(view, r.ok() ? view.transcriptError : r.error);
                });
        });
        connect(m_browser, &TicketBrowser::ticketClosed, this,
            [this] { QMetaObject::invokeMethod(m_backend, &ConsoleBackend::closeTicket, Qt::QueuedConnection); });
        connect(m_browser, &TicketBrowser::replyRequested, this,
            [this](const QString &ticketId, const QString &text, bool note) {
                const QString what = note ? tr("Add a note to %1").arg(ticketId) : tr("Reply to %1").arg(ticketId);
                request(
                    what,
                    [ticketId, text, note](
                        ConsoleBackend *b, quint64 id) { b->replyToTicket(id, ticketId, text, note); },
                    [this, what, ticketId, note](const RequestResult &r) {
                        if (!m_browser)
                            return;
                        if (!r.ok()) {
                            reportFailure(what, r.error);
                            m_browser->replyFailed(); // the text stays in the box, to send again
                            return;
                        }
                        m_browser->replySent(ticketId);
                        const auto view = r.value.value<TicketView>();
                        if (view.ticket.id == m_browser->shownTicketId())
                            m_browser->showTicket(view, view.transcriptError);
                        statusBar()->showMessage(
                            note ? tr("Note added to %1").arg(ticketId) : tr("Reply sent to %1").arg(ticketId), 5000);
                    });
            });
        connect(m_browser, &TicketBrowser::assignRequested, this, [this](const QString &ticketId, bool toMe) {
            request(
                tr("Assign %1").arg(ticketId),
                [ticketId, toMe](ConsoleBackend *b, quint64 id) { b->assignTicket(id, ticketId, toMe); },
                [this, ticketId](const RequestResult &r) {
                    if (!r.ok())
                        reportFailure(tr("Assign %1").arg(ticketId), r.error);
                    else if (m_browser)
                        m_browser->refresh();
                });
        });
        request(
            tr("Load the canned replies"), [](ConsoleBackend *b, quint64 id) { b->listCannedReplies(id); },
            [this](const RequestResult &r) {
                if (r.ok() && m_browser)
                    m_browser->showCannedReplies(r.value.value<QList<CannedReply>>());
            });
        connect(
            m_browser, &TicketBrowser::statusChangeRequested, this, [this](const QString &ticketId, const QString &s) {
                request(
                    tr("Change the status of %1").arg(ticketId),
                    [ticketId, s](ConsoleBackend *b, quint64 id) { b->setTicketStatus(id, ticketId, s); },
                    [this, ticketId, s](const RequestResult &r) {
                        defaultAnswer(tr("Change the status of %1").arg(ticketId), r,
                            tr("%1 is now %2").arg(ticketId, Words::status(s).toLower()));
                    });
            });
        connect(m_browser, &TicketBrowser::statusMessage, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
        connect(m_browser, &TicketBrowser::deleteRequested, this, [this](const QString &ticketId) {
            request(
                tr("Delete %1").arg(ticketId),
                [ticketId](ConsoleBackend *b, quint64 id) { b->deleteTicket(id, ticketId); },
                [this, ticketId](const RequestResult &r) {
                    defaultAnswer(tr("Delete %1").arg(ticketId), r, tr("%1 deleted").arg(ticketId));
                });
        });
        m_browser->model()->reload();
    }
    if (isAllowed(m_account.actor(), Permission::ViewMetrics)) {
        m_metrics = new MetricsView(m_tabs);
        m_tabs->addTab(m_metrics, tr("&Metrics"));
        connect(m_metrics, &MetricsView::metricsRequested, this, [this](int days) {
            request(
                tr("Load the metrics"), [days](ConsoleBackend *b, quint64 id) { b->loadMetrics(id, days); },
                [this](const RequestResult &r) {
                    if (m_metrics)
                        m_metrics->showSummary(r.value.value<MetricsStore::Summary>(), r.error);
                });
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
            refreshAccounts();
            refreshAudit();
        };
        connect(m_admin, &AdminView::refreshRequested, this, refresh);
        connect(m_tabs, &QTabWidget::currentChanged, this, [this, refresh](int index) {
            if (m_tabs->widget(index) == m_admin)
                refresh();
        });
        // An account change is answered, then the list shows what it did.
        auto thenRefresh = [this](const QString &what, const QString &done) {
            return [this, what, done](const RequestResult &r) {
                defaultAnswer(what, r, done);
                refreshAccounts();
            };
        };
        connect(m_admin, &AdminView::addAccountRequested, this,
            [this](quint64 asked, const QString &e, const QString &n, Role role, const QString &p) {
                request(
                    tr("Add the account %1").arg(e),
                    [e, n, role, p](ConsoleBackend *b, quint64 id) { b->addAccount(id, e, n, role, p); },
                    [this, asked, e](const RequestResult &r) {
                        // The dialog shows a refusal itself and keeps what was typed.
                        if (m_admin)
                            m_admin->accountAdded(asked, r.ok(), r.error);
                        if (r.ok())
                            statusBar()->showMessage(tr("Account %1 added").arg(e), 5000);
                        refreshAccounts();
                    });
            });
        connect(m_admin, &AdminView::roleChangeRequested, this, [this, thenRefresh](const QString &userId, Role role) {
            request(
                tr("Change the role"),
                [userId, role](ConsoleBackend *b, quint64 id) { b->setAccountRole(id, userId, role); },
                thenRefresh(tr("Change the role"), tr("%1 is now %2").arg(m_admin->emailOf(userId), roleName(role))));
        });
        connect(m_admin, &AdminView::passwordResetRequested, this,
            [this, thenRefresh](const QString &userId, const QString &p) {
                request(
                    tr("Set the password"),
                    [userId, p](ConsoleBackend *b, quint64 id) { b->resetPassword(id, userId, p); },
                    thenRefresh(tr("Set the password"), tr("Password set")));
            });
        connect(m_admin, &AdminView::removeRequested, this, [this, thenRefresh](const QString &userId) {
            request(
                tr("Remove the account"), [userId](ConsoleBackend *b, quint64 id) { b->removeAccount(id, userId); },
                thenRefresh(tr("Remove the account"), tr("Account removed")));
        });
        connect(m_admin, &AdminView::cannedRepliesRequested, this, &ConsoleWindow::openCannedReplies);
        connect(m_admin, &AdminView::settingsRequested, this, [this] {
            request(
                tr("Open the settings"), [](ConsoleBackend *b, quint64 id) { b->loadSettings(id); },
                [this](const RequestResult &r) {
                    if (!r.ok())
                        reportFailure(tr("Open the settings"), r.error);
                    else
                        openSettings(r.value.toMap());
                });
        });
        auto privacyAnswer = [this](const QString &what, const QString &done) {
            return [this, what, done](const RequestResult &r) {
                auto *box
                    = new QMessageBox(r.ok() && r.notice.isEmpty() ? QMessageBox::Information : QMessageBox::Warning,
                        what, r.ok() ? done : tr("%1 failed.").arg(what), QMessageBox::Ok, this);
                box->setObjectName(QStringLiteral("privacyResult"));
                const QString summary = r.value.toString();
                const QString problem = r.ok() ? r.notice : r.error;
                box->setInformativeText(
                    summary + (problem.isEmpty() || summary.isEmpty() ? QString() : QStringLiteral("\n\n")) + problem);
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open();
                refreshAccounts();
                refreshAudit();
            };
        };
        connect(m_admin, &AdminView::erasurePreviewRequested, this, [this](const QString &email) {
            request(
                tr("Look up %1").arg(email), [email](ConsoleBackend *b, quint64 id) { b->previewErasure(id, email); },
                [this, email](const RequestResult &r) {
                    if (!r.ok())
                        return reportFailure(tr("Erase %1").arg(email), r.error);
                    if (m_admin)
                        m_admin->confirmErasure(email, r.value.toString());
                });
        });
        connect(m_admin, &AdminView::eraseRequested, this, [this, privacyAnswer](const QString &email) {
            request(
                tr("Erase %1").arg(email), [email](ConsoleBackend *b, quint64 id) { b->erasePerson(id, email); },
                privacyAnswer(tr("Erase %1").arg(email), tr("The data of %1 is erased.").arg(email)));
        });
        connect(m_admin, &AdminView::exportRequested, this,
            [this, privacyAnswer](const QString &email, const QString &dir) {
                request(
                    tr("Export %1").arg(email),
                    [email, dir](ConsoleBackend *b, quint64 id) { b->exportPerson(id, email, dir); },
                    privacyAnswer(tr("Export %1").arg(email), tr("The data of %1 is exported.").arg(email)));
            });
    }

    // Looking at the queue sees what was new.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_browser && m_tabs->widget(index) == m_browser && m_newTickets > 0) {
            m_newTickets = 0;
            m_tabs->setTabText(index, tr("&Tickets"));
        }
    });
    // A teacher has the assistant only: no tab bar for one tab. Support and admins start at the ticket queue.
    m_tabs->setTabBarAutoHide(true);
    if (m_browser)
        m_tabs->setCurrentWidget(m_browser);
    m_pages->addWidget(m_tabs);
    m_pages->setCurrentWidget(m_tabs);
    m_userLabel->setText(tr("%1 (%2)").arg(m_account.email, roleName(m_account.role)));
    m_signOutAction->setEnabled(true);
    openConversation(false);

    QSettings settings;
    const QString seen = QStringLiteral("privacy/seen/") + m_account.id;
    if (!settings.value(seen).toBool()) {
        settings.setValue(seen, true);
        showPrivacyNotice();
    }
}

} // namespace LearnPulse
