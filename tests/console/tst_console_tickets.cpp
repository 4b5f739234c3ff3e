#include "adminview.h"
#include "chatview.h"
#include "consoletestbase.h"
#include "consolewindow.h"
#include "messageedit.h"
#include "metricsview.h"
#include "signinpage.h"
#include "testsupport.h"
#include "ticketbrowser.h"
#include "tickettablemodel.h"

#include <QAction>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDialog>
#include <QElapsedTimer>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QTextBrowser>

using namespace LearnPulse;
using namespace LearnPulse::Test;

// The console as support and admins use it: the ticket browser, deletion, metrics, and two seats sharing
// one index and one Redis live.
class TestConsoleTickets : public ConsoleTestBase
{
    Q_OBJECT

private slots:
    void teacherCannotReachTheTicketBrowser();
    void supportOpensATicketSearchesAndSeesNewOnes();
    void adminDeletesATicket();
    void adminEditsSettingsWithSecretsMasked();
    void supportSeesTheMetrics();
    void twoSeatsShareTicketsLive();
};

void TestConsoleTickets::teacherCannotReachTheTicketBrowser()
{
    addAccount(QStringLiteral("t@school.example"), Role::Teacher);
    makeTicket(QStringLiteral("secret words"), 1);
    auto w = openWindow();
    signIn(*w, QStringLiteral("t@school.example"));
    QCOMPARE(w->tabs()->count(), 1);
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
    screenshot(w.get(), QStringLiteral("tickets.png"));

    auto *status = browser->findChild<QComboBox *>(QStringLiteral("ticketStatusCombo"));
    status->setCurrentIndex(status->findData(QStringLiteral("in_progress")));
    emit status->activated(status->currentIndex());
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
}

void TestConsoleTickets::adminDeletesATicket()
{
    addAccount(QStringLiteral("a@school.example"), Role::Admin);
    const TicketResult doomed = makeTicket(QStringLiteral("Please delete me"), 1);
    makeTicket(QStringLiteral("Keep me"), 2);
    auto w = openWindow();
    signIn(*w, QStringLiteral("a@school.example"));
    closePrivacyNotice(*w);
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
            || (audit->item(r, 2)->text() == QLatin1String("ticket.delete")
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
    addAccount(QStringLiteral("a@school.example"), Role::Admin);
    auto w = openWindow();
    signIn(*w, QStringLiteral("a@school.example"));
    closePrivacyNotice(*w);
    w->tabs()->setCurrentWidget(w->adminView());
    QTest::mouseClick(w->adminView()->findChild<QPushButton *>(QStringLiteral("settingsButton")), Qt::LeftButton);
    QDialog *dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (dialog = w->findChild<QDialog *>(QStringLiteral("settingsDialog"))) && dialog->isVisible(), 10000);
    auto *key = dialog->findChild<QLineEdit *>(QStringLiteral("llm/api_key"));
    QVERIFY(key->text().isEmpty()); // never shown back
    QCOMPARE(key->echoMode(), QLineEdit::Password);
    QVERIFY(key->placeholderText().contains(QLatin1String("set")));
    for (QLineEdit *e : dialog->findChildren<QLineEdit *>())
        QVERIFY(!e->text().contains(QLatin1String("sk-very-secret")));
    auto *threshold = dialog->findChild<QLineEdit *>(QStringLiteral("escalation/threshold"));
    QCOMPARE(threshold->text(), QStringLiteral("3"));
    threshold->setText(QStringLiteral("4"));
    screenshot(dialog, QStringLiteral("settings.png"));
    dialog->accept();
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

    addAccount(QStringLiteral("s@school.example"), Role::Support);
    auto w = openWindow();
    signIn(*w, QStringLiteral("s@school.example"));
    closePrivacyNotice(*w);
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
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    QTest::keyClicks(input, QStringLiteral("I want to talk to a person about the xylophone"));
    QTest::keyClick(input, Qt::Key_Return);
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
    auto *status = browser->findChild<QComboBox *>(QStringLiteral("ticketStatusCombo"));
    status->setCurrentIndex(status->findData(QStringLiteral("resolved")));
    emit status->activated(status->currentIndex());
    TicketStore store(m_db);
    QTRY_COMPARE_WITH_TIMEOUT(
        store.find(Actor::commandLine(), chat->ticketId())->status, QStringLiteral("resolved"), 10000);
    screenshot(&support, QStringLiteral("two-seats.png"));
}

QTEST_MAIN(TestConsoleTickets)
#include "tst_console_tickets.moc"
