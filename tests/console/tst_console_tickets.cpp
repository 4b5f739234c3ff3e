#include "adminview.h"
#include "chatview.h"
#include "consoletestbase.h"
#include "consolewindow.h"
#include "messageedit.h"
#include "metricsview.h"
#include "modeltradeoffs.h"
#include "redisserverprocess.h"
#include "signinpage.h"
#include "testsupport.h"
#include "ticketbrowser.h"
#include "tickettablemodel.h"
#include "ticketthread.h"

#include <QAction>
#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QScopeGuard>
#include <QScrollBar>
#include <QSettings>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>

#include <cmath>

using namespace LearnPulse;
using namespace LearnPulse::Test;

// The console as support and admins use it: the ticket browser, deletion, metrics, and two seats sharing
// one index and one Redis live.
class TestConsoleTickets : public ConsoleTestBase
{
    Q_OBJECT

private slots:
    void teacherCannotReachTheTicketBrowser();
    void storedTextIsNeverMarkup();
    void supportOpensATicketSearchesAndSeesNewOnes();
    void adminDeletesATicket();
    void adminEditsSettingsWithSecretsMasked();
    void addAccountKeepsWhatWasTypedWhenRefused();
    void aValueThatIsNotValidIsNeverWritten();
    void theModelThresholdSaysWhatItTrades();
    void aSettingsFileThatIsNotValidDoesNotStopTheConsole();
    void aLateAddAccountAnswerGoesToNoOtherDialog();
    void erasureSaysWhatGoesAndKeepsTheSelection();
    void supportSeesTheMetrics();
    void emptyMetricsSayNoDataYetAndFit800x600();
    void twoSeatsShareTicketsLive();
    void eachSeatRunsUnderItsOwnDatabaseLogin();
};

void TestConsoleTickets::teacherCannotReachTheTicketBrowser()
{
    addAccount(QStringLiteral("t@school.example"), Role::Teacher);
    makeTicket(QStringLiteral("secret words"), 1);
    auto w = openWindow();
    signIn(*w, QStringLiteral("t@school.example"));
    QCOMPARE(w->tabs()->count(), 1);
    QVERIFY(!w->tabs()->tabBar()->isVisible()); // no tab bar for the one view a teacher has
    QVERIFY(!w->ticketBrowser());
    QVERIFY(!w->adminView());
    QVERIFY(!w->metricsView());
    QVERIFY(!w->findChild<QTableView *>(QStringLiteral("ticketTable")));
}

void TestConsoleTickets::supportOpensATicketSearchesAndSeesNewOnes()
{
    addAccount(QStringLiteral("s@school.example"), Role::Support);
    makeTicket(QStringLiteral("The loops answer was wrong"), 1);
    const TicketResult xylo = makeTicket(QStringLiteral("Wrong xylophone chart"), 2);
    makeTicket(QStringLiteral("Useless reply about fractions"), 3);
    auto w = openWindow();
    signIn(*w, QStringLiteral("s@school.example"));
    closePrivacyNotice(*w);
    QCOMPARE(w->tabs()->currentWidget(), w->ticketBrowser()); // support starts at the queue
    QVERIFY(w->tabs()->tabBar()->isVisible());
    QCOMPARE(w->tabs()->count(), 3); // assistant, tickets, metrics
    TicketBrowser *browser = w->ticketBrowser();
    w->tabs()->setCurrentWidget(browser);
    auto *table = browser->findChild<QTableView *>(QStringLiteral("ticketTable"));
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 3, 10000);
    QTRY_VERIFY(browser->findChild<QLabel *>(QStringLiteral("ticketCount"))->text().contains(QLatin1String("3")));

    QTest::keyClicks(browser->findChild<QLineEdit *>(QStringLiteral("searchEdit")), QStringLiteral("xylophone"));
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 10000);
    table->selectRow(0);
    auto *transcript = browser->findChild<QPlainTextEdit *>(QStringLiteral("transcriptView"));
    QTRY_VERIFY_WITH_TIMEOUT(transcript->toPlainText().contains(QLatin1String("Wrong xylophone chart")), 10000);
    QVERIFY(browser->findChild<QLabel *>(QStringLiteral("ticketHeader"))->text().contains(xylo.ticketId));
    // The transcript reads as a conversation, the search's words marked; the raw text (as mailed) is a click away.
    auto *readable = browser->findChild<QTextBrowser *>(QStringLiteral("readableTranscript"));
    QVERIFY(readable->isVisible() && !transcript->isVisible());
    QVERIFY(readable->toPlainText().contains(QLatin1String("Wrong xylophone chart")));
    QVERIFY(!readable->toPlainText().contains(QLatin1String("[20"))); // times in local time, not ISO stamps
    QVERIFY2(readable->toHtml().contains(QLatin1String("background-color:#fff59d")), qPrintable(readable->toHtml()));
    browser->findChild<QCheckBox *>(QStringLiteral("rawTranscriptCheck"))->setChecked(true);
    QVERIFY(transcript->isVisible() && !readable->isVisible());
    browser->findChild<QCheckBox *>(QStringLiteral("rawTranscriptCheck"))->setChecked(false);
    // What triage reads: the ID short (whole on hover and when copied), status and email delivery in words.
    QAbstractItemModel *model = table->model();
    const QString shortId = xylo.ticketId.section(QLatin1Char('-'), 1, 1);
    QCOMPARE(model->index(0, TicketTableModel::IdColumn).data().toString(), shortId);
    QCOMPARE(model->index(0, TicketTableModel::IdColumn).data(Qt::ToolTipRole).toString(), xylo.ticketId);
    QCOMPARE(model->index(0, TicketTableModel::StatusColumn).data().toString(), QStringLiteral("Open"));
    QCOMPARE(model->index(0, TicketTableModel::EmailStatusColumn).data().toString(), QStringLiteral("Not configured"));
    table->findChild<QAction *>(QStringLiteral("copyTicketIdAction"))->trigger();
    QCOMPARE(QApplication::clipboard()->text(), xylo.ticketId);
    QCOMPARE(w->statusBar()->currentMessage(), QStringLiteral("Copied %1").arg(xylo.ticketId));
    QCOMPARE(browser->findChild<QLabel *>(QStringLiteral("ticketCount"))->text(), QStringLiteral("1 ticket"));
    screenshot(w.get(), QStringLiteral("tickets.png"));
    // Nothing to scroll sideways: the summary is the last column and takes what is left; the hidden columns
    // come back from the header's menu.
    QVERIFY(!table->horizontalScrollBar()->isVisible());
    QHeaderView *header = table->horizontalHeader();
    QCOMPARE(header->logicalIndex(header->count() - 1), int(TicketTableModel::SummaryColumn));
    QVERIFY(header->isSectionHidden(TicketTableModel::EmailColumn));
    header->findChild<QAction *>(QStringLiteral("showColumn%1").arg(TicketTableModel::EmailColumn))->trigger();
    QVERIFY(!header->isSectionHidden(TicketTableModel::EmailColumn));

    chooseStatus(browser, QStringLiteral("in_progress"));
    TicketStore store(m_db);
    QTRY_COMPARE_WITH_TIMEOUT(
        store.find(Actor::commandLine(), xylo.ticketId)->status, QStringLiteral("in_progress"), 10000);

    // Another console opens a ticket: the list refreshes by itself (Redis pub/sub lp:tickets).
    browser->findChild<QLineEdit *>(QStringLiteral("searchEdit"))->clear();
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 3, 10000);
    const TicketResult fresh = makeTicket(QStringLiteral("Another complaint"), 4);
    auto redis = m_redis->client();
    QVERIFY(redis->command({ "PUBLISH", "lp:tickets", fresh.ticketId.toUtf8() }));
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 4, 10000);
    QVERIFY(!browser->findChild<QPushButton *>(QStringLiteral("deleteTicketButton"))
                 ->isVisible()); // support may not delete

    // A new ticket while the agent is elsewhere: counted on the Tickets tab (and in the status bar) until seen.
    w->tabs()->setCurrentWidget(w->chatView());
    const TicketResult newer = makeTicket(QStringLiteral("Yet another complaint"), 5);
    const QByteArray created = QJsonDocument(QJsonObject { { QStringLiteral("ticket_id"), newer.ticketId },
                                                 { QStringLiteral("change"), QStringLiteral("created") } })
                                   .toJson(QJsonDocument::Compact);
    QVERIFY(redis->command({ "PUBLISH", "lp:tickets", created }));
    const int tab = w->tabs()->indexOf(browser);
    QTRY_COMPARE_WITH_TIMEOUT(w->tabs()->tabText(tab), QStringLiteral("&Tickets (1 new)"), 10000);
    QVERIFY(w->statusBar()->currentMessage().contains(newer.ticketId));
    // A forged payload (not a ticket id) is not announced.
    QVERIFY(redis->command({ "PUBLISH", "lp:tickets", R"({"ticket_id":"<b>x</b>","change":"created"})" }));
    QTest::qWait(500);
    QCOMPARE(w->tabs()->tabText(tab), QStringLiteral("&Tickets (1 new)"));
    w->tabs()->setCurrentWidget(browser);
    QCOMPARE(w->tabs()->tabText(tab), QStringLiteral("&Tickets"));
}

void TestConsoleTickets::storedTextIsNeverMarkup()
{
    // Issue 26: what a ticket row holds (from any seat) is shown as text: a summary or a name that looks like
    // markup is not rendered (no image loaded, no bold), in the table, its tooltips and the ticket's header; a
    // direction override does not turn the words around.
    auto store = std::make_shared<TicketStore>(m_db);
    TicketService service(m_config, store);
    TicketRequest r;
    r.session.id = QStringLiteral("00000077-0000-4000-8000-000000000000");
    r.session.dissatisfactionCount = 3;
    r.history = { { QStringLiteral("teacher"), QStringLiteral("That was wrong"), QDateTime::currentDateTimeUtc() } };
    r.teacherName = QStringLiteral("<b>Bold</b> Name");
    r.teacherEmail = QStringLiteral("t77@school.example");
    r.teacherUserId = QStringLiteral("u77");
    r.teacherRole = QStringLiteral("teacher");
    r.summary = QStringLiteral("<img src=\"http://127.0.0.1:1/x.png\"><i>slanted</i> \u202Egnp.exe");
    r.now = QDateTime::currentDateTimeUtc();
    const TicketResult t = service.createTicket(r);
    QVERIFY2(t.success, qPrintable(t.error));

    auto w = openAs(QStringLiteral("s@school.example"), Role::Support);
    TicketBrowser *browser = w->ticketBrowser();
    w->tabs()->setCurrentWidget(browser);
    auto *table = browser->findChild<QTableView *>(QStringLiteral("ticketTable"));
    QVERIFY(table);
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 10000);
    const QModelIndex summary = table->model()->index(0, TicketTableModel::SummaryColumn);
    QVERIFY(!summary.data().toString().contains(QChar(0x202E)));
    // The tooltip, as Qt shows it (rich text when it looks like markup), reads as the text itself.
    const QString tip = summary.data(Qt::ToolTipRole).toString();
    QTextDocument shown;
    if (Qt::mightBeRichText(tip))
        shown.setHtml(tip);
    else
        shown.setPlainText(tip);
    QVERIFY2(shown.toPlainText().contains(QLatin1String("<img src=\"http://127.0.0.1:1/x.png\"><i>slanted</i>")),
        qPrintable(tip));
    QVERIFY(!shown.toHtml().contains(QLatin1String("<img")));
    table->selectRow(0);
    auto *header = browser->findChild<QLabel *>(QStringLiteral("ticketHeader"));
    QTRY_VERIFY_WITH_TIMEOUT(
        header->text().contains(t.ticketId) && header->text().contains(QLatin1String("Bold")), 10000);
    QCOMPARE(header->textFormat(), Qt::RichText);
    QTextDocument headerShown;
    headerShown.setHtml(header->text());
    QVERIFY2(headerShown.toPlainText().contains(QLatin1String("<b>Bold</b> Name")), qPrintable(header->text()));
    QVERIFY2(headerShown.toPlainText().contains(QLatin1String("<i>slanted</i>")), qPrintable(header->text()));
    QVERIFY(!headerShown.toPlainText().contains(QChar(0x202E)));
}

void TestConsoleTickets::adminDeletesATicket()
{
    const TicketResult doomed = makeTicket(QStringLiteral("Please delete me"), 1);
    makeTicket(QStringLiteral("Keep me"), 2);
    auto w = openAs(QStringLiteral("a@school.example"), Role::Admin);
    TicketBrowser *browser = w->ticketBrowser();
    w->tabs()->setCurrentWidget(browser);
    auto *table = browser->findChild<QTableView *>(QStringLiteral("ticketTable"));
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 2, 10000);
    table->selectRow(browser->model()->rowOf(doomed.ticketId));
    auto *remove = browser->findChild<QPushButton *>(QStringLiteral("deleteTicketButton"));
    QTRY_VERIFY(remove->isEnabled());
    QTest::mouseClick(remove, Qt::LeftButton);
    QMessageBox *confirm = nullptr;
    QTRY_VERIFY(
        (confirm = browser->findChild<QMessageBox *>(QStringLiteral("confirmDeleteDialog"))) && confirm->isVisible());
    QVERIFY(confirm->text().contains(doomed.ticketId));
    QVERIFY(confirm->text().contains(QLatin1String("cannot be undone")));
    screenshot(w.get(), QStringLiteral("delete-confirmation.png"));
    QAbstractButton *yes = nullptr;
    for (QAbstractButton *b : confirm->buttons())
        if (confirm->buttonRole(b) == QMessageBox::DestructiveRole)
            yes = b;
    QVERIFY(yes);
    QTest::mouseClick(yes, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 10000);
    TicketStore store(m_db);
    QVERIFY(!store.find(Actor::commandLine(), doomed.ticketId));
    QVERIFY(!QFile::exists(doomed.conversationFile));

    w->tabs()->setCurrentWidget(w->adminView());
    auto *accounts = w->adminView()->findChild<QTableWidget *>(QStringLiteral("accountTable"));
    QTRY_VERIFY_WITH_TIMEOUT(accounts->rowCount() == 1, 10000);
    auto *audit = w->adminView()->findChild<QTableWidget *>(QStringLiteral("auditTable"));
    QTRY_VERIFY_WITH_TIMEOUT(audit->rowCount() > 0, 10000);
    bool deletionAudited = false;
    for (int r = 0; r < audit->rowCount(); ++r)
        deletionAudited = deletionAudited
            || (audit->item(r, 2)->text() == QLatin1String("deleted a ticket")
                && audit->item(r, 2)->toolTip() == QLatin1String("ticket.delete")
                && audit->item(r, 3)->text() == doomed.ticketId);
    QVERIFY(deletionAudited);
    screenshot(w.get(), QStringLiteral("administration.png"));
}

void TestConsoleTickets::adminEditsSettingsWithSecretsMasked()
{
    {
        QSettings ini(m_config.configFile, QSettings::IniFormat);
        ini.setValue(QStringLiteral("llm/api_key"), QStringLiteral("sk-very-secret"));
    }
    auto w = openAs(QStringLiteral("a@school.example"), Role::Admin);
    QDialog *dialog = openSettings(*w);
    QVERIFY(dialog);
    auto *key = dialog->findChild<QLineEdit *>(QStringLiteral("llm/api_key"));
    QVERIFY(key->text().isEmpty()); // never shown back
    QCOMPARE(key->echoMode(), QLineEdit::Password);
    QVERIFY(key->placeholderText().contains(QLatin1String("set")));
    for (QLineEdit *e : dialog->findChildren<QLineEdit *>())
        QVERIFY(!e->text().contains(QLatin1String("sk-very-secret")));
    // What an environment variable sets (the tests set LLM_BASE_URL) is shown greyed out, naming the variable.
    auto *baseUrl = dialog->findChild<QLineEdit *>(QStringLiteral("llm/base_url"));
    QVERIFY(!baseUrl->isEnabled());
    QVERIFY(baseUrl->toolTip().contains(QLatin1String("LLM_BASE_URL")));
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("llm/base_url/env"))
                ->text()
                .contains(QLatin1String("LLM_BASE_URL")));
    auto *threshold = dialog->findChild<QLineEdit *>(QStringLiteral("escalation/threshold"));
    QVERIFY(threshold->isEnabled());
    QCOMPARE(threshold->text(), QStringLiteral("3"));
    threshold->setText(QStringLiteral("4"));
    QVERIFY2(fitsSmallScreen(dialog), qPrintable(QStringLiteral("%1x%2").arg(dialog->width()).arg(dialog->height())));
    screenshot(dialog, QStringLiteral("settings.png"));
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("saveSettingsButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(
        QSettings(m_config.configFile, QSettings::IniFormat).value(QStringLiteral("escalation/threshold")).toInt() == 4,
        10000);
    QCOMPARE(QSettings(m_config.configFile, QSettings::IniFormat).value(QStringLiteral("llm/api_key")).toString(),
        QStringLiteral("sk-very-secret")); // an empty secret field keeps the stored one
    // The file may hold secrets: only its owner reads it.
    QCOMPARE(QFile::permissions(m_config.configFile) & 0x0077, QFileDevice::Permissions());
    // OK closes the dialog for good: saving does not open it again.
    QTRY_VERIFY(!w->findChild<QDialog *>(QStringLiteral("settingsDialog")));
    QTest::qWait(500);
    QVERIFY(!w->findChild<QDialog *>(QStringLiteral("settingsDialog")));
    QTRY_COMPARE(w->pendingRequests(), 0);
    QVERIFY(!w->findChild<QProgressBar *>(QStringLiteral("busyIndicator"))->isVisible());
    QVERIFY(!QSettings(m_config.configFile, QSettings::IniFormat).contains(QStringLiteral("llm/base_url")));
    QCOMPARE(w->statusBar()->currentMessage(), QStringLiteral("Settings saved"));
    // Saved again without a change: nothing new in the audit log.
    auto settingsChanges = [&] {
        QSqlQuery q(m_db->connection().value());
        return q.exec(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'settings.change'")) && q.next()
            ? q.value(0).toInt()
            : -1;
    };
    QCOMPARE(settingsChanges(), 1);
    dialog = openSettings(*w);
    QVERIFY(dialog);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("saveSettingsButton")), Qt::LeftButton);
    QTRY_COMPARE(w->pendingRequests(), 0);
    QCOMPARE(settingsChanges(), 1);
}

void TestConsoleTickets::theModelThresholdSaysWhatItTrades()
{
    // Issue 25: beside the model's threshold, what it trades as measured (the shipped leave-one-batch-out
    // figures), following the value as it is typed; the value saved is the one the detector then uses.
    const QList<ModelTradeoffs::Point> points = ModelTradeoffs::measured();
    QVERIFY(points.size() >= 3);
    auto w = openAs(QStringLiteral("a@school.example"), Role::Admin);
    QDialog *dialog = openSettings(*w);
    QVERIFY(dialog);
    auto *threshold = dialog->findChild<QLineEdit *>(QStringLiteral("detector/model_threshold"));
    auto *tradeoff = dialog->findChild<QLabel *>(QStringLiteral("modelTradeoff"));
    QVERIFY(threshold && tradeoff && tradeoff->isVisible());
    QCOMPARE(threshold->text(), QString::number(Config().modelThresholdPercent));
    const auto figures = [](const ModelTradeoffs::Point &p) {
        return QStringLiteral("%1 of 100 messages it counts are real complaints (precision) and it notices %2 of 100")
            .arg(std::lround(p.precision * 100))
            .arg(std::lround(p.recall * 100));
    };
    const ModelTradeoffs::Point last = points.constLast();
    threshold->selectAll();
    QTest::keyClicks(threshold, QString::number(last.threshold));
    QVERIFY2(tradeoff->text().contains(QStringLiteral("At %1 %:").arg(last.threshold)), qPrintable(tradeoff->text()));
    QVERIFY2(tradeoff->text().contains(QStringLiteral("%1 of 100 signals real").arg(std::lround(last.precision * 100))),
        qPrintable(tradeoff->text()));
    // The whole sentence on hover and for a screen reader.
    QVERIFY2(tradeoff->toolTip().contains(figures(last)), qPrintable(tradeoff->toolTip()));
    QCOMPARE(threshold->accessibleDescription(), tradeoff->toolTip());
    // Between two measured points: said to be about, between them.
    const int between = (points.at(0).threshold + points.at(1).threshold) / 2;
    threshold->selectAll();
    QTest::keyClicks(threshold, QString::number(between));
    QVERIFY2(tradeoff->text().contains(QStringLiteral("about")), qPrintable(tradeoff->text()));
    threshold->selectAll();
    QTest::keyClicks(threshold, QString::number(last.threshold));
    screenshot(dialog, QStringLiteral("settings-model-threshold.png"));
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("saveSettingsButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!w->findChild<QDialog *>(QStringLiteral("settingsDialog")), 10000);
    QCOMPARE(
        QSettings(m_config.configFile, QSettings::IniFormat).value(QStringLiteral("detector/model_threshold")).toInt(),
        last.threshold);
}

void TestConsoleTickets::aValueThatIsNotValidIsNeverWritten()
{
    // The history cap set to 1 (the field's validator lets it through while typing): Save keeps the dialog
    // open with the field marked and the reason in its label's words; nothing reaches the file.
    auto w = openAs(QStringLiteral("a@school.example"), Role::Admin);
    QDialog *dialog = openSettings(*w);
    QVERIFY(dialog);
    auto *cap = dialog->findChild<QLineEdit *>(QStringLiteral("session/history_cap"));
    cap->selectAll();
    QTest::keyClicks(cap, QStringLiteral("1"));
    dialog->findChild<QLineEdit *>(QStringLiteral("escalation/threshold"))->setText(QStringLiteral("6"));
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("saveSettingsButton")), Qt::LeftButton);
    QTest::qWait(300);
    QVERIFY(dialog->isVisible());
    auto *error = dialog->findChild<QLabel *>(QStringLiteral("settingsError"));
    QVERIFY2(error->isVisible()
            && error->text().contains(
                QLatin1String("Messages kept per conversation must be a whole number from 2 to 10000")),
        qPrintable(error->text()));
    QVERIFY(!error->text().contains(QLatin1String("session/history_cap")));
    QVERIFY(cap->property("invalid").toBool());
    QCOMPARE(cap->actions().size(), 1); // the warning mark
    QCOMPARE(dialog->focusWidget(), cap);
    QCOMPARE(w->pendingRequests(), 0); // nothing was sent
    QVERIFY(!QSettings(m_config.configFile, QSettings::IniFormat).contains(QStringLiteral("session/history_cap")));
    QVERIFY(!QSettings(m_config.configFile, QSettings::IniFormat).contains(QStringLiteral("escalation/threshold")));
    // A webhook that is not an http(s) URL is refused at its field the same way.
    cap->setText(QStringLiteral("60"));
    dialog->findChild<QLineEdit *>(QStringLiteral("webhook/url"))->setText(QStringLiteral("file:///etc/passwd"));
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("saveSettingsButton")), Qt::LeftButton);
    QTest::qWait(300);
    QVERIFY(dialog->isVisible());
    QVERIFY2(error->text().contains(QLatin1String("Webhook URL must be an http:// or https:// URL")),
        qPrintable(error->text()));
    QVERIFY(!cap->property("invalid").toBool());
    screenshot(dialog, QStringLiteral("settings-refused.png"));
    // Corrected: saved, closed, and the next console starts with it.
    dialog->findChild<QLineEdit *>(QStringLiteral("webhook/url"))->clear();
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("saveSettingsButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!w->findChild<QDialog *>(QStringLiteral("settingsDialog")), 10000);
    QCOMPARE(
        QSettings(m_config.configFile, QSettings::IniFormat).value(QStringLiteral("session/history_cap")).toInt(), 60);
    QCOMPARE(
        QSettings(m_config.configFile, QSettings::IniFormat).value(QStringLiteral("escalation/threshold")).toInt(), 6);
    auto next = Config::load(m_config.dataDir, QProcessEnvironment::systemEnvironment());
    QVERIFY2(next && next->settingsProblems.isEmpty(),
        qPrintable(next ? next->settingsProblems.join(QLatin1Char(' ')) : next.error()));
}

void TestConsoleTickets::aSettingsFileThatIsNotValidDoesNotStopTheConsole()
{
    // Edited by hand: the console starts on the defaults, says which settings by their labels, and the admin
    // corrects them in the dialog, which marks them.
    addAccount(QStringLiteral("a@school.example"), Role::Admin);
    {
        QSettings ini(m_config.configFile, QSettings::IniFormat);
        ini.setValue(QStringLiteral("session/history_cap"), 1);
        ini.setValue(QStringLiteral("outbox/poll_seconds"), QStringLiteral("soon"));
    }
    auto w = openWindow();
    QMessageBox *notice = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (notice = w->findChild<QMessageBox *>(QStringLiteral("settingsProblemsNotice"))) && notice->isVisible(), 10000);
    QVERIFY2(notice->informativeText().contains(QLatin1String("Messages kept per conversation"))
            && notice->informativeText().contains(QLatin1String("Outbox checked every")),
        qPrintable(notice->informativeText()));
    QVERIFY(!notice->informativeText().contains(QLatin1String("soon")));
    screenshot(notice, QStringLiteral("settings-not-valid.png"));
    notice->accept();
    signIn(*w, QStringLiteral("a@school.example"));
    closePrivacyNotice(*w);
    QDialog *dialog = openSettings(*w);
    QVERIFY(dialog);
    auto *cap = dialog->findChild<QLineEdit *>(QStringLiteral("session/history_cap"));
    QCOMPARE(cap->text(), QStringLiteral("50")); // the default in force
    QVERIFY(cap->property("invalid").toBool());
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("settingsError"))->isVisible());
    // Saved as shown: the file is corrected (the value the dialog does not show goes back to its default).
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("saveSettingsButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!w->findChild<QDialog *>(QStringLiteral("settingsDialog")), 10000);
    const QSettings ini(m_config.configFile, QSettings::IniFormat);
    QCOMPARE(ini.value(QStringLiteral("session/history_cap")).toInt(), 50);
    QVERIFY(!ini.contains(QStringLiteral("outbox/poll_seconds")));
    w.reset();
    auto again = openWindow();
    QTRY_VERIFY_WITH_TIMEOUT(again->signInPage()->isVisible(), 10000);
    QTest::qWait(300);
    QVERIFY(!again->findChild<QMessageBox *>(QStringLiteral("settingsProblemsNotice")));
}

void TestConsoleTickets::aLateAddAccountAnswerGoesToNoOtherDialog()
{
    // Add pressed and the dialog cancelled before the console answers; a second dialog asks for the same
    // email at once. The first answer (added) neither closes nor marks the second; the second's own answer
    // (the email is taken now) shows in it, with what was typed kept.
    auto w = openAs(QStringLiteral("a@school.example"), Role::Admin);
    w->tabs()->setCurrentWidget(w->adminView());
    auto *accountTable = w->adminView()->findChild<QTableWidget *>(QStringLiteral("accountTable"));
    QTRY_COMPARE_WITH_TIMEOUT(accountTable->rowCount(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(w->pendingRequests(), 0, 10000); // the views' first loads are answered
    auto *addButton = w->adminView()->findChild<QPushButton *>(QStringLiteral("addAccountButton"));
    auto fill = [&w](const QString &name) {
        QDialog *dialog = nullptr;
        for (QDialog *d : w->findChildren<QDialog *>(QStringLiteral("addAccountDialog")))
            if (d->isVisible())
                dialog = d;
        dialog->findChild<QLineEdit *>(QStringLiteral("newAccountEmail"))->setText(QStringLiteral("cy@school.example"));
        dialog->findChild<QLineEdit *>(QStringLiteral("newAccountName"))->setText(name);
        dialog->findChild<QLineEdit *>(QStringLiteral("newAccountPassword"))->setText(QStringLiteral("long-enough-1"));
        return dialog;
    };
    addButton->click();
    QPointer<QDialog> first = fill(QStringLiteral("Cy First"));
    QVERIFY(first);
    // No event is handled between these steps (up to the QTRY below): the console cannot have answered the
    // first press before the second is made.
    first->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    first->reject();
    addButton->click();
    QPointer<QDialog> second = fill(QStringLiteral("Cy Second"));
    QVERIFY(second && second != first);
    QPushButton *ok = second->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    ok->click();
    QCOMPARE(w->pendingRequests(), 2); // both presses are still waiting for their answers
    auto *error = second->findChild<QLabel *>(QStringLiteral("addAccountError"));
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
    QVERIFY(second && second->isVisible());
    QVERIFY2(error->text().contains(QLatin1String("exists"), Qt::CaseInsensitive), qPrintable(error->text()));
    QCOMPARE(second->findChild<QLineEdit *>(QStringLiteral("newAccountName"))->text(), QStringLiteral("Cy Second"));
    QVERIFY(ok->isEnabled());
    // The first request did add the account, under the name it was sent with.
    QTRY_COMPARE_WITH_TIMEOUT(accountTable->rowCount(), 2, 10000);
    QCOMPARE(AccountStore(m_db).findByEmail(QStringLiteral("cy@school.example")).value().displayName,
        QStringLiteral("Cy First"));
}

void TestConsoleTickets::addAccountKeepsWhatWasTypedWhenRefused()
{
    auto w = openAs(QStringLiteral("a@school.example"), Role::Admin);
    w->tabs()->setCurrentWidget(w->adminView());
    auto *accountTable = w->adminView()->findChild<QTableWidget *>(QStringLiteral("accountTable"));
    QTRY_COMPARE_WITH_TIMEOUT(accountTable->rowCount(), 1, 10000);
    QTest::mouseClick(w->adminView()->findChild<QPushButton *>(QStringLiteral("addAccountButton")), Qt::LeftButton);
    QDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = w->findChild<QDialog *>(QStringLiteral("addAccountDialog"))) && dialog->isVisible());
    auto *email = dialog->findChild<QLineEdit *>(QStringLiteral("newAccountEmail"));
    auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("newAccountName"));
    auto *password = dialog->findChild<QLineEdit *>(QStringLiteral("newAccountPassword"));
    QTest::keyClicks(email, QStringLiteral("bo@school.example"));
    QTest::keyClicks(name, QStringLiteral("Bo Berg"));
    QTest::keyClicks(password, QStringLiteral("short"));
    auto *buttons = dialog->findChild<QDialogButtonBox *>();
    QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
    // Refused (the password is too short): the dialog stays, says why, and keeps every field.
    auto *error = dialog->findChild<QLabel *>(QStringLiteral("addAccountError"));
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
    QVERIFY2(error->text().contains(QLatin1String("8")), qPrintable(error->text()));
    QVERIFY(dialog->isVisible());
    QCOMPARE(email->text(), QStringLiteral("bo@school.example"));
    QCOMPARE(name->text(), QStringLiteral("Bo Berg"));
    QCOMPARE(password->text(), QStringLiteral("short"));
    QCOMPARE(dialog->focusWidget(), password); // the field the error is about
    QVERIFY(buttons->button(QDialogButtonBox::Ok)->isEnabled());
    QVERIFY2(fitsSmallScreen(dialog), qPrintable(QStringLiteral("%1x%2").arg(dialog->width()).arg(dialog->height())));
    screenshot(dialog, QStringLiteral("add-account-refused.png"));
    // Put right: added, the dialog closes, the list has the account.
    password->setText(QStringLiteral("long-enough-1"));
    QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!w->findChild<QDialog *>(QStringLiteral("addAccountDialog")), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(accountTable->rowCount(), 2, 10000);
    QCOMPARE(w->statusBar()->currentMessage(), QStringLiteral("Account bo@school.example added"));

    // The audit log reads as words: who (by name, as the account is now), what, to whom; ids on hover.
    QTest::mouseClick(w->adminView()->findChild<QPushButton *>(QStringLiteral("refreshButton")), Qt::LeftButton);
    auto *audit = w->adminView()->findChild<QTableWidget *>(QStringLiteral("auditTable"));
    auto rowOf = [audit](const QString &action, const QString &object = {}) {
        for (int row = 0; row < audit->rowCount(); ++row)
            if (audit->item(row, 2)->text() == action && audit->item(row, 3)->text().contains(object))
                return row;
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(rowOf(QStringLiteral("added an account"), QStringLiteral("Bo Berg")) >= 0, 10000);
    const int added = rowOf(QStringLiteral("added an account"), QStringLiteral("Bo Berg"));
    QCOMPARE(audit->item(added, 1)->text(), QStringLiteral("a <a@school.example> (admin)"));
    QCOMPARE(audit->item(added, 3)->text(), QStringLiteral("Bo Berg <bo@school.example>"));
    QVERIFY(audit->item(added, 1)->toolTip().startsWith(QLatin1String("admin:"))); // the log keeps the id
    QVERIFY(rowOf(QStringLiteral("signed in")) >= 0);
    // Filters: by words (a person) and by action.
    QTest::keyClicks(
        w->adminView()->findChild<QLineEdit *>(QStringLiteral("auditFilter")), QStringLiteral("bo@school"));
    int shown = 0;
    for (int row = 0; row < audit->rowCount(); ++row)
        if (!audit->isRowHidden(row)) {
            ++shown;
            QVERIFY(audit->item(row, 3)->text().contains(QLatin1String("bo@school")));
        }
    QCOMPARE(shown, 1);
    w->adminView()->findChild<QLineEdit *>(QStringLiteral("auditFilter"))->clear();
    auto *action = w->adminView()->findChild<QComboBox *>(QStringLiteral("auditActionFilter"));
    action->setCurrentIndex(action->findData(QStringLiteral("account.sign_in")));
    for (int row = 0; row < audit->rowCount(); ++row)
        QCOMPARE(audit->isRowHidden(row), audit->item(row, 2)->text() != QStringLiteral("signed in"));
    action->setCurrentIndex(0);
    w->adminView()->findChild<QTabWidget *>()->setCurrentIndex(1);
    screenshot(w.get(), QStringLiteral("audit.png"));
}

void TestConsoleTickets::erasureSaysWhatGoesAndKeepsTheSelection()
{
    addAccount(QStringLiteral("teacher1@school.example"), Role::Teacher);
    addAccount(QStringLiteral("zed@school.example"), Role::Teacher);
    makeTicket(QStringLiteral("The loops answer was wrong"), 1); // teacher1's
    auto w = openAs(QStringLiteral("a@school.example"), Role::Admin);
    AdminView *admin = w->adminView();
    w->tabs()->setCurrentWidget(admin);
    auto *accounts = admin->findChild<QTableWidget *>(QStringLiteral("accountTable"));
    QTRY_COMPARE_WITH_TIMEOUT(accounts->rowCount(), 3, 10000);
    auto rowOf = [accounts](const QString &email) {
        for (int row = 0; row < accounts->rowCount(); ++row)
            if (accounts->item(row, 0)->text() == email)
                return row;
        return -1;
    };
    // The admin looks at zed, then erases teacher1 by email: the confirmation says what goes.
    accounts->selectRow(rowOf(QStringLiteral("zed@school.example")));
    emit admin->erasurePreviewRequested(QStringLiteral("teacher1@school.example")); // as after the email prompt
    QMessageBox *confirm = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (confirm = admin->findChild<QMessageBox *>(QStringLiteral("eraseConfirm"))) && confirm->isVisible(), 10000);
    const QString what = confirm->informativeText();
    QVERIFY2(what.contains(QLatin1String("The account of teacher1.")), qPrintable(what));
    QVERIFY2(what.contains(QLatin1String("1 ticket with its transcript and thread (1 open)")), qPrintable(what));
    QVERIFY2(what.contains(QLatin1String("0 conversations in Redis")), qPrintable(what));
    QVERIFY2(
        fitsSmallScreen(confirm), qPrintable(QStringLiteral("%1x%2").arg(confirm->width()).arg(confirm->height())));
    screenshot(confirm, QStringLiteral("erase-confirm.png"));
    auto ticketRows = [this] {
        QSqlQuery q(m_db->connection().value());
        return q.exec(QStringLiteral("SELECT COUNT(*) FROM tickets")) && q.next() ? q.value(0).toInt() : -1;
    };
    QCOMPARE(ticketRows(), 1); // the preview changed nothing
    confirm->findChild<QPushButton *>(QStringLiteral("eraseConfirmButton"))->click();
    QTRY_COMPARE_WITH_TIMEOUT(accounts->rowCount(), 2, 15000);
    QTRY_COMPARE(ticketRows(), 0);
    // The selection stayed with zed.
    const QList<QTableWidgetItem *> selected = accounts->selectedItems();
    QVERIFY(!selected.isEmpty());
    QCOMPARE(accounts->item(selected.first()->row(), 0)->text(), QStringLiteral("zed@school.example"));
    // Plurals in words in the report too.
    QMessageBox *report = nullptr;
    QTRY_VERIFY((report = w->findChild<QMessageBox *>(QStringLiteral("privacyResult"))) && report->isVisible());
    QCOMPARE(report->text(), QStringLiteral("The data of teacher1@school.example is erased."));
    QVERIFY(
        !report->text().contains(QLatin1String("(s)")) && !report->informativeText().contains(QLatin1String("(s)")));
    report->accept();
    w->resize(800, 600); // to look at (LP_SCREENSHOT_DIR)
    screenshot(w.get(), QStringLiteral("administration-800x600.png"));
}

void TestConsoleTickets::supportSeesTheMetrics()
{
    // Ten conversations today, two escalated (after 3 and 5 teacher messages), one guard hit.
    MetricsStore metrics(m_db);
    for (int i = 0; i < 10; ++i)
        QVERIFY(metrics.recordSession());
    QVERIFY(
        metrics.recordEscalation(3, { QStringLiteral("wrong"), QStringLiteral("unclear"), QStringLiteral("wrong") }));
    QVERIFY(metrics.recordEscalation(5, { QStringLiteral("wrong"), QStringLiteral("talk_to_person") }));
    QVERIFY(metrics.recordGuardHit(QStringLiteral("ticket_id")));
    // Teachers' feedback: two thumbs up, one down, an offer declined and one accepted, a signal withdrawn.
    for (const auto &[kind, detail] : { std::pair { "thumbs", "up" }, std::pair { "thumbs", "up" },
             std::pair { "thumbs", "down" }, std::pair { "offer", "made" }, std::pair { "offer", "made" },
             std::pair { "offer", "declined" }, std::pair { "offer", "accepted" }, std::pair { "withdrawn", "wrong" } })
        QVERIFY(metrics.recordFeedback(QLatin1String(kind), QLatin1String(detail)));
    QVERIFY(metrics.recordEscalation(2, { QStringLiteral("offer_accepted") }));

    auto w = openAs(QStringLiteral("s@school.example"), Role::Support);
    MetricsView *view = w->metricsView();
    QVERIFY(view);
    w->tabs()->setCurrentWidget(view);
    QTRY_COMPARE_WITH_TIMEOUT(view->summary().sessions, 10, 10000);
    QCOMPARE(view->summary().escalations, 3);
    QVERIFY(view->findChild<QLabel *>(QStringLiteral("metricsSessions"))->text().contains(QLatin1String("3 / 10")));
    auto *rate = view->findChild<QLabel *>(QStringLiteral("metricsRate"));
    QVERIFY2(rate->text().contains(QLatin1String("30.0")), qPrintable(rate->text()));
    const QString feedback = view->findChild<QLabel *>(QStringLiteral("metricsFeedbackWeeks"))->text();
    QVERIFY2(
        feedback.contains(QLatin1String(": 2 helpful, 1 not helpful; 2 offers of a ticket (1 accepted, 1 declined).")),
        qPrintable(feedback));
    QVERIFY(feedback.contains(QLatin1String("Signals withdrawn by teachers: 1.")));
    // What counted: a message (wrong, unclear) twice, asked for a person once, the offer once.
    QChart *kinds = view->findChild<QChartView *>(QStringLiteral("signalKindsChart"))->chart();
    auto *kindBars = qobject_cast<QHorizontalBarSeries *>(kinds->series().at(0));
    QVERIFY(kindBars);
    QStringList kindNames = qobject_cast<QBarCategoryAxis *>(kinds->axes(Qt::Vertical).first())->categories();
    QCOMPARE(kindNames.size(), 3);
    QVERIFY(kindNames.contains(QStringLiteral("accepted the offer")));
    QCOMPARE(kindBars->barSets().first()->sum(), 4.0);
    QVERIFY(rate->styleSheet().contains(QLatin1String("#b3261e"))); // over the 5 % target: red
    QVERIFY(view->findChild<QLabel *>(QStringLiteral("metricsMedian"))
                ->text()
                .contains(QLatin1String(">3<"))); // 2, 3 and 5 messages
    QVERIFY(view->findChild<QLabel *>(QStringLiteral("metricsGuard"))->text().contains(QLatin1String(">1<")));

    // The rate chart: one point per day of the 30, today's at 20 %, and the target line at 5 %.
    QChart *chart = view->findChild<QChartView *>(QStringLiteral("rateChart"))->chart();
    QCOMPARE(chart->series().size(), 2);
    auto *line = qobject_cast<QLineSeries *>(chart->series().at(0));
    QVERIFY(line);
    QCOMPARE(line->count(), 30);
    QCOMPARE(line->at(29).y(), 30.0);
    QCOMPARE(line->at(28).y(), 0.0);
    QCOMPARE(QDateTime::fromMSecsSinceEpoch(qint64(line->at(29).x())).date(), QDateTime::currentDateTimeUtc().date());
    auto *target = qobject_cast<QLineSeries *>(chart->series().at(1));
    QVERIFY(target && target->count() == 30 && target->at(0).y() == 5.0);
    // Rules: "wrong" led to both escalations, so it is the longest bar, drawn at the top.
    QChart *rules = view->findChild<QChartView *>(QStringLiteral("rulesChart"))->chart();
    auto *ruleBars = qobject_cast<QHorizontalBarSeries *>(rules->series().at(0));
    QVERIFY(ruleBars);
    QCOMPARE(ruleBars->barSets().first()->count(), 4);
    QCOMPARE(ruleBars->barSets().first()->at(3), 2.0);
    screenshot(w.get(), QStringLiteral("metrics.png"));

    // Per week: the current ISO week holds everything.
    auto *grouping = view->findChild<QComboBox *>(QStringLiteral("metricsGrouping"));
    grouping->setCurrentIndex(1);
    QVERIFY(chart->title().contains(QLatin1String("week")));
    line = qobject_cast<QLineSeries *>(chart->series().at(0));
    QVERIFY(line->count() >= 5 && line->count() <= 6);
    QCOMPARE(line->at(line->count() - 1).y(), 30.0);
    const QDate monday = QDateTime::fromMSecsSinceEpoch(qint64(line->at(line->count() - 1).x())).date();
    QCOMPARE(monday.dayOfWeek(), 1);
    QVERIFY(monday.daysTo(QDateTime::currentDateTimeUtc().date()) < 7);
}

void TestConsoleTickets::emptyMetricsSayNoDataYetAndFit800x600()
{
    addAccount(QStringLiteral("s@school.example"), Role::Support);
    auto w = openWindow();
    QTRY_VERIFY(w->signInPage()->isVisible());
    const QSize before = w->size();
    signIn(*w, QStringLiteral("s@school.example"));
    closePrivacyNotice(*w);
    QCOMPARE(w->size(), before); // the window does not resize itself on sign-in
    // Nothing is clipped at the smallest size the window allows, and that size is at most 800x600.
    QVERIFY2(w->minimumSizeHint().width() <= 800 && w->minimumSizeHint().height() <= 600,
        qPrintable(QStringLiteral("%1x%2").arg(w->minimumSizeHint().width()).arg(w->minimumSizeHint().height())));
    w->resize(800, 600);
    w->tabs()->setCurrentWidget(w->metricsView());
    QList<QChartView *> charts;
    QTRY_VERIFY_WITH_TIMEOUT((charts = w->metricsView()->findChildren<QChartView *>()).size() >= 4
            && charts.first()->chart()->title().contains(QLatin1String("no data yet")),
        10000);
    for (QChartView *view : std::as_const(charts))
        QVERIFY2(view->chart()->title().contains(QLatin1String("no data yet")), qPrintable(view->chart()->title()));
    QCOMPARE(w->size(), QSize(800, 600));
    screenshot(w.get(), QStringLiteral("metrics-800x600.png"));
    // The other views at that size, to look at (LP_SCREENSHOT_DIR).
    w->tabs()->setCurrentWidget(w->chatView());
    screenshot(w.get(), QStringLiteral("chat-800x600.png"));
    w->tabs()->setCurrentWidget(w->ticketBrowser());
    screenshot(w.get(), QStringLiteral("tickets-800x600.png"));
}

void TestConsoleTickets::twoSeatsShareTicketsLive()
{
    if (!TestPostgres::wanted())
        QSKIP("several seats share a PostgreSQL index: run with LP_TEST_DATABASE=postgres (CTest tst_console_pg)");
    // Two seats: each its own data directory (settings, transcripts), one Redis, one PostgreSQL.
    addAccount(QStringLiteral("amira@school.example"), Role::Teacher);
    addAccount(QStringLiteral("s@school.example"), Role::Support);
    QTemporaryDir otherSeat;
    ConsoleWindow support(otherSeat.path());
    support.resize(1280, 820);
    support.show();
    signIn(support, QStringLiteral("s@school.example"));
    closePrivacyNotice(support);
    TicketBrowser *browser = support.ticketBrowser();
    support.tabs()->setCurrentWidget(browser);
    auto *table = browser->findChild<QTableView *>(QStringLiteral("ticketTable"));
    QTRY_VERIFY_WITH_TIMEOUT(
        browser->findChild<QLabel *>(QStringLiteral("ticketCount"))->text().contains(QLatin1String("0")), 10000);
    QCOMPARE(table->model()->rowCount(), 0);

    // The teacher, on the first seat, asks for a person: a ticket opens there...
    auto teacher = openWindow();
    signIn(*teacher, QStringLiteral("amira@school.example"));
    closePrivacyNotice(*teacher);
    ChatView *chat = teacher->chatView();
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty(), 10000);
    say(chat, QStringLiteral("I want to talk to a person about the xylophone"));
    QTRY_VERIFY_WITH_TIMEOUT(!chat->ticketId().isEmpty(), 15000);

    // ...and appears on the other seat by itself, searchable, with the whole transcript although the
    // file is on the first seat's disk.
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 10000);
    QCOMPARE(browser->model()->ticketIdAt(0), chat->ticketId());
    QVERIFY(!QFile::exists(QDir(otherSeat.path()).filePath(QStringLiteral("support_tickets")))
        || QDir(QDir(otherSeat.path()).filePath(QStringLiteral("support_tickets"))).isEmpty());
    table->selectRow(0);
    auto *transcript = browser->findChild<QPlainTextEdit *>(QStringLiteral("transcriptView"));
    QTRY_VERIFY_WITH_TIMEOUT(
        transcript->toPlainText().contains(QLatin1String("talk to a person about the xylophone")), 10000);

    // A status change on the support seat is seen in the shared index.
    chooseStatus(browser, QStringLiteral("resolved"));
    TicketStore store(m_db);
    QTRY_COMPARE_WITH_TIMEOUT(
        store.find(Actor::commandLine(), chat->ticketId())->status, QStringLiteral("resolved"), 10000);
    screenshot(&support, QStringLiteral("two-seats.png"));
}

// Several seats with least privilege (docs/DESIGN.md, "Trust model"): each console runs under its own seat's
// database login, not the owner's URL. The teacher's seat opens a real ticket through the database's function
// and cannot sign anyone else in; the support seat sees it, mails it and works it; the admin's seat reads
// accounts and the audit log, in which each seat's entries carry that seat's own account.
void TestConsoleTickets::eachSeatRunsUnderItsOwnDatabaseLogin()
{
    if (!TestPostgres::wanted())
        QSKIP("seat logins are PostgreSQL roles: run with LP_TEST_DATABASE=postgres (CTest tst_console_tickets_pg)");
    addAccount(QStringLiteral("amira@school.example"), Role::Teacher);
    addAccount(QStringLiteral("s@school.example"), Role::Support);
    addAccount(QStringLiteral("a@school.example"), Role::Admin);
    AccountStore accounts(m_db);
    const QString amiraId = accounts.findByEmail(QStringLiteral("amira@school.example"))->id;
    const QString samId = accounts.findByEmail(QStringLiteral("s@school.example"))->id;
    const auto teacherUrl = addSeatLogin(m_config.databaseUrl, QStringLiteral("amira@school.example"));
    const auto supportUrl = addSeatLogin(m_config.databaseUrl, QStringLiteral("s@school.example"));
    const auto adminUrl = addSeatLogin(m_config.databaseUrl, QStringLiteral("a@school.example"));
    QVERIFY2(
        teacherUrl && supportUrl && adminUrl, qPrintable(teacherUrl.error() + supportUrl.error() + adminUrl.error()));

    // Each seat: a data directory of its own whose settings name its login; no owner's URL in the environment.
    const QByteArray ownerUrl = qgetenv("DATABASE_URL");
    qunsetenv("DATABASE_URL");
    auto restore = qScopeGuard([&] { qputenv("DATABASE_URL", ownerUrl); });
    const int smtpPort = RedisServerProcess::freePort();
    SmtpSink sink;
    QVERIFY2(sink.start(smtpPort), qPrintable(sink.error()));
    auto seat = [&](QTemporaryDir &dir, const QString &url, bool mails) {
        QSettings ini(dir.filePath(QStringLiteral("learnpulse.ini")), QSettings::IniFormat);
        ini.setValue(QStringLiteral("database/url"), url);
        if (mails) {
            ini.setValue(QStringLiteral("smtp/host"), QStringLiteral("127.0.0.1"));
            ini.setValue(QStringLiteral("smtp/port"), smtpPort);
            ini.setValue(QStringLiteral("smtp/from_email"), QStringLiteral("console@learnpulse.example"));
        }
        ini.sync();
        QFile::setPermissions(ini.fileName(), QFile::ReadOwner | QFile::WriteOwner);
        auto w = std::make_unique<ConsoleWindow>(dir.path());
        w->resize(1280, 820);
        w->show();
        return w;
    };

    // The teacher's seat signs in its own account only: the support agent's password does not help there.
    QTemporaryDir teacherDir;
    auto teacher = seat(teacherDir, teacherUrl.value(), false);
    SignInPage *page = teacher->signInPage();
    QTRY_VERIFY_WITH_TIMEOUT(page->isVisible(), 15000);
    auto *emailEdit = page->findChild<QLineEdit *>(QStringLiteral("emailEdit"));
    auto *password = page->findChild<QLineEdit *>(QStringLiteral("passwordEdit"));
    QTest::keyClicks(emailEdit, QStringLiteral("s@school.example"));
    QTest::keyClicks(password, QStringLiteral("secret-pass-1"));
    QTest::keyClick(password, Qt::Key_Return);
    auto *error = page->findChild<QLabel *>(QStringLiteral("signInError"));
    QTRY_VERIFY_WITH_TIMEOUT(error->text().contains(QLatin1String("one account only")), 15000);
    QVERIFY(!teacher->isSignedIn());
    signIn(*teacher, QStringLiteral("amira@school.example"));
    closePrivacyNotice(*teacher);
    QCOMPARE(teacher->tabs()->count(), 1);
    ChatView *chat = teacher->chatView();
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty(), 10000);
    say(chat, QStringLiteral("I want to talk to a person about the xylophone"));
    QTRY_VERIFY2_WITH_TIMEOUT(
        !chat->ticketId().isEmpty(), qPrintable(chat->findChild<QLabel *>(QStringLiteral("chatError"))->text()), 15000);
    const QString ticketId = chat->ticketId();
    TicketStore store(m_db);
    QCOMPARE(store.find(Actor::commandLine(), ticketId)->userId, amiraId);
    // The conversation goes on into the ticket's thread (the teacher's words and the assistant's reply).
    say(chat, QStringLiteral("Also, the xylophone lesson is on Friday"));
    TicketThread thread(m_db);
    auto kinds = [&] {
        QStringList out;
        if (auto messages = thread.messages(Actor::commandLine(), ticketId))
            for (const ThreadMessage &m : messages.value())
                out << m.kind;
        return out;
    };
    QTRY_COMPARE_WITH_TIMEOUT(kinds(), (QStringList { QStringLiteral("teacher"), QStringLiteral("assistant") }), 15000);
    // Queued, not sent: the teacher's login cannot read the outbox; the support seat delivers it.
    QVERIFY(sink.messages().isEmpty());
    QCOMPARE(store.find(Actor::commandLine(), ticketId)->emailStatus, QStringLiteral("pending"));

    // The support seat sees the ticket with its transcript, mails it and resolves it.
    QTemporaryDir supportDir;
    auto support = seat(supportDir, supportUrl.value(), true);
    signIn(*support, QStringLiteral("s@school.example"));
    closePrivacyNotice(*support);
    TicketBrowser *browser = support->ticketBrowser();
    QVERIFY(browser);
    support->tabs()->setCurrentWidget(browser);
    auto *table = browser->findChild<QTableView *>(QStringLiteral("ticketTable"));
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 10000);
    QCOMPARE(browser->model()->ticketIdAt(0), ticketId);
    QTRY_COMPARE_WITH_TIMEOUT(sink.messages().size(), 1, 15000);
    QVERIFY(sink.messages().constFirst().value(QLatin1String("body")).toString().contains(ticketId));
    QTRY_COMPARE_WITH_TIMEOUT(store.find(Actor::commandLine(), ticketId)->emailStatus, QStringLiteral("sent"), 10000);
    table->selectRow(0);
    auto *transcript = browser->findChild<QPlainTextEdit *>(QStringLiteral("transcriptView"));
    QTRY_VERIFY_WITH_TIMEOUT(
        transcript->toPlainText().contains(QLatin1String("talk to a person about the xylophone")), 10000);
    chooseStatus(browser, QStringLiteral("resolved"));
    QTRY_COMPARE_WITH_TIMEOUT(store.find(Actor::commandLine(), ticketId)->status, QStringLiteral("resolved"), 10000);

    // The teacher's seat hears of it and rates the ticket (through the database's function).
    auto *helpful = chat->findChild<QPushButton *>(QStringLiteral("rateHelpfulButton"));
    QTRY_VERIFY_WITH_TIMEOUT(helpful->isVisible(), 15000);
    helpful->click();
    QInputDialog *comment = nullptr;
    QTRY_VERIFY((comment = teacher->findChild<QInputDialog *>(QStringLiteral("ratingDialog"))) && comment->isVisible());
    comment->setTextValue(QStringLiteral("Quick and clear"));
    comment->accept();
    QTRY_COMPARE_WITH_TIMEOUT(store.find(Actor::commandLine(), ticketId)->rating, QStringLiteral("helpful"), 10000);

    // The admin's seat reads the accounts and the audit log: every seat's entries name its own account.
    QTemporaryDir adminDir;
    auto admin = seat(adminDir, adminUrl.value(), false);
    signIn(*admin, QStringLiteral("a@school.example"));
    closePrivacyNotice(*admin);
    QVERIFY(admin->adminView());
    admin->tabs()->setCurrentWidget(admin->adminView());
    auto *accountTable = admin->adminView()->findChild<QTableWidget *>(QStringLiteral("accountTable"));
    QTRY_COMPARE_WITH_TIMEOUT(accountTable->rowCount(), 3, 10000);
    QSqlQuery q(m_db->connection().value());
    QVERIFY(
        q.exec(QStringLiteral("SELECT actor, action FROM audit_log WHERE target = '%1' ORDER BY id").arg(ticketId)));
    QStringList entries;
    while (q.next())
        entries << q.value(0).toString() + QLatin1Char(' ') + q.value(1).toString();
    QVERIFY2(entries.contains(QStringLiteral("support:%1 ticket.status").arg(samId)), qPrintable(entries.join(u'|')));
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE actor = 'teacher:%1' AND action = "
                                  "'account.sign_in'")
                       .arg(amiraId))
        && q.next());
    QCOMPARE(q.value(0).toInt(), 1);
    q.finish();
    screenshot(support.get(), QStringLiteral("seat-logins.png"));
}

QTEST_MAIN(TestConsoleTickets)
#include "tst_console_tickets.moc"
