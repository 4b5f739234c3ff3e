// The loop between a teacher and support inside the console (issue 15): a support reply reaches the
// teacher's open window, notes never do, status and rating, writing to support after the escalation,
// assignment and its filters, canned replies, and the notice when another agent has the ticket open.
// With LP_TEST_DATABASE=postgres the support console is a second seat (its own data directory) on the
// shared PostgreSQL index and Redis.
#include "cannedrepliesdialog.h"
#include "chatview.h"
#include "consoletestbase.h"
#include "messageedit.h"
#include "metricsview.h"
#include "privacyservice.h"
#include "redisclient.h"
#include "sessionstore.h"
#include "signinpage.h"
#include "ticketbrowser.h"
#include "tickettablemodel.h"
#include "ticketthread.h"

#include <QComboBox>
#include <QDialog>
#include <QElapsedTimer>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRadioButton>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTextBrowser>

using namespace LearnPulse;
using namespace LearnPulse::Test;

class TestConsoleLoop : public ConsoleTestBase
{
    Q_OBJECT

private slots:
    void supportAndTeacherTalkInsideTheConsole();
    void presenceNoticeComesAndGoes();
    void adminKeepsTheCannedReplies();
    void aReplyDraftStaysWithItsTicket();
    void anErasureReachesEveryOpenConsole();

private:
    // A support console: on PostgreSQL a second seat with a data directory of its own.
    std::unique_ptr<ConsoleWindow> openSupportSeat(const QString &email);
    // The teacher's window with an escalated conversation.
    std::unique_ptr<ConsoleWindow> teacherWithTicket();
    void selectTicket(TicketBrowser *browser, const QString &ticketId);

    QTemporaryDir m_otherSeat;
};

std::unique_ptr<ConsoleWindow> TestConsoleLoop::openSupportSeat(const QString &email)
{
    auto w = std::make_unique<ConsoleWindow>(TestPostgres::wanted() ? m_otherSeat.path() : m_dataDir->path());
    w->resize(1400, 900);
    w->show();
    signIn(*w, email);
    closePrivacyNotice(*w);
    w->tabs()->setCurrentWidget(w->ticketBrowser());
    return w;
}

std::unique_ptr<ConsoleWindow> TestConsoleLoop::teacherWithTicket()
{
    auto teacher = openWindow();
    signIn(*teacher, QStringLiteral("amira@school.example"));
    closePrivacyNotice(*teacher);
    ChatView *chat = teacher->chatView();
    if (!QTest::qWaitFor([chat] { return !chat->sessionId().isEmpty(); }, 10000))
        return nullptr;
    chat->findChild<QPushButton *>(QStringLiteral("contactSupportButton"))->click();
    chat->findChild<QDialog *>(QStringLiteral("contactSupportDialog"))->accept(); // "Open a ticket"
    if (!QTest::qWaitFor([chat] { return !chat->ticketId().isEmpty() && !chat->isSending(); }, 15000))
        return nullptr;
    return teacher;
}

void TestConsoleLoop::selectTicket(TicketBrowser *browser, const QString &ticketId)
{
    auto *table = browser->findChild<QTableView *>(QStringLiteral("ticketTable"));
    QTRY_VERIFY_WITH_TIMEOUT(browser->model()->rowOf(ticketId) >= 0, 10000);
    table->selectRow(browser->model()->rowOf(ticketId));
    QTRY_COMPARE_WITH_TIMEOUT(browser->shownTicketId(), ticketId, 10000);
}

void TestConsoleLoop::supportAndTeacherTalkInsideTheConsole()
{
    addAccount(QStringLiteral("amira@school.example"), Role::Teacher);
    addAccount(QStringLiteral("sam@learnpulse.example"), Role::Support);
    QVERIFY(TicketThread(m_db).saveCannedReply(
        Actor::commandLine(), QStringLiteral("Looking into it"), QStringLiteral("Thank you, we are looking into it.")));

    auto teacher = teacherWithTicket();
    QVERIFY(teacher);
    ChatView *chat = teacher->chatView();
    const QString ticketId = chat->ticketId();
    auto *banner = chat->findChild<QLabel *>(QStringLiteral("ticketIdLabel"));
    QVERIFY2(banner->text().contains(QLatin1String("is open")), qPrintable(banner->text()));
    QVERIFY(chat->findChild<QWidget *>(QStringLiteral("addresseeChoice"))->isVisible());

    auto support = openSupportSeat(QStringLiteral("sam@learnpulse.example"));
    TicketBrowser *browser = support->ticketBrowser();
    selectTicket(browser, ticketId);
    auto *reply = browser->findChild<QPlainTextEdit *>(QStringLiteral("replyEdit"));
    auto *transcript = browser->findChild<QPlainTextEdit *>(QStringLiteral("transcriptView"));

    // A canned reply fills the box; Ctrl+Return sends it to the teacher, whose open window shows it, marked
    // as support's, within a second.
    auto *canned = browser->findChild<QComboBox *>(QStringLiteral("cannedReplyCombo"));
    QTRY_COMPARE_WITH_TIMEOUT(canned->count(), 2, 5000);
    QVERIFY(canned->isEnabled());
    canned->setCurrentIndex(1);
    emit canned->activated(1);
    QCOMPARE(reply->toPlainText(), QStringLiteral("Thank you, we are looking into it."));
    QTest::keyClicks(reply, QStringLiteral(" The June figures come from the gradebook sync."));
    QElapsedTimer sent;
    sent.start();
    QTest::keyClick(reply, Qt::Key_Return, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(chat->conversationText().contains(QLatin1String("gradebook sync")), 5000);
    const qint64 latency = sent.elapsed();
    QVERIFY2(latency < 1000, qPrintable(QStringLiteral("the reply took %1 ms").arg(latency)));
    QVERIFY2(chat->conversationText().contains(QStringLiteral("Support — sam")), qPrintable(chat->conversationText()));
    QTRY_VERIFY(banner->text().contains(QLatin1String("in progress")));
    QVERIFY2(banner->text().contains(QLatin1String("Newest reply from sam")), qPrintable(banner->text()));
    QVERIFY(banner->text().contains(QLatin1String("(1 new)")));
    // Sent: the box is empty once the send is confirmed (the teacher's window may show the reply a moment before).
    QTRY_COMPARE_WITH_TIMEOUT(reply->toPlainText(), QString(), 5000);
    QTRY_VERIFY(transcript->toPlainText().contains(QStringLiteral("Support — sam:")));

    // An internal note stays with support: never in the teacher's window, also after the regular look.
    QTest::keyClicks(reply, QStringLiteral("Quokka: the sync job failed twice, check the logs"));
    QTest::keyClick(reply, Qt::Key_Return, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_VERIFY_WITH_TIMEOUT(transcript->toPlainText().contains(QStringLiteral("Internal note — sam:")), 5000);
    QTest::qWait(2500);
    QVERIFY(!chat->conversationText().contains(QLatin1String("Quokka")));
    QVERIFY(!banner->text().contains(QLatin1String("Quokka")));

    // Assigning: "Mine" and "Unassigned" follow; the assignee column names the agent.
    browser->findChild<QPushButton *>(QStringLiteral("assignButton"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(
        browser->model()
                ->data(browser->model()->index(browser->model()->rowOf(ticketId), TicketTableModel::AssigneeColumn))
                .toString()
            == QLatin1String("sam"),
        5000);
    auto *assignment = browser->findChild<QComboBox *>(QStringLiteral("assignmentFilter"));
    assignment->setCurrentIndex(assignment->findText(QStringLiteral("Unassigned")));
    QTRY_VERIFY_WITH_TIMEOUT(browser->model()->rowCount() == 0 && !browser->model()->isLoading(), 5000);
    QTRY_COMPARE(browser->shownTicketId(), QString()); // the detail pane clears with the selection
    QVERIFY(browser->findChild<QLabel *>(QStringLiteral("ticketHeader"))->text().contains(QLatin1String("No tickets")));
    assignment->setCurrentIndex(assignment->findText(QStringLiteral("Mine")));
    QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 1, 5000);
    selectTicket(browser, ticketId);

    // Resolved on the support seat: the teacher's banner says so within a second and asks for a rating.
    auto *status = browser->findChild<QComboBox *>(QStringLiteral("ticketStatusCombo"));
    status->setCurrentIndex(status->findData(QStringLiteral("resolved")));
    emit status->activated(status->currentIndex());
    QTRY_VERIFY_WITH_TIMEOUT(banner->text().contains(QLatin1String("is resolved")), 1000);
    auto *helpful = chat->findChild<QPushButton *>(QStringLiteral("rateHelpfulButton"));
    QTRY_VERIFY(helpful->isVisible());
    helpful->click();
    QInputDialog *comment = nullptr;
    QTRY_VERIFY((comment = teacher->findChild<QInputDialog *>(QStringLiteral("ratingDialog"))) && comment->isVisible());
    comment->setTextValue(QStringLiteral("Quick and clear"));
    comment->accept();
    QTRY_VERIFY_WITH_TIMEOUT(banner->text().contains(QLatin1String("rated the support helpful")), 5000);
    QVERIFY(!helpful->isVisible());
    TicketStore store(m_db);
    QCOMPARE(store.find(Actor::commandLine(), ticketId)->rating, QStringLiteral("helpful"));

    // The rating counts in the support seat's metrics (satisfaction, per week too).
    support->tabs()->setCurrentWidget(support->metricsView());
    QTRY_VERIFY_WITH_TIMEOUT(support->metricsView()
                                 ->findChild<QLabel *>(QStringLiteral("metricsCsat"))
                                 ->text()
                                 .contains(QLatin1String("100")),
        5000);
    QVERIFY(support->metricsView()
                ->findChild<QLabel *>(QStringLiteral("metricsCsatWeeks"))
                ->text()
                .contains(QLatin1String("1 of 1 rated helpful")));
    support->tabs()->setCurrentWidget(browser);

    // Writing to support after the resolution: the same ticket opens again, the assistant is not asked,
    // and the support seat sees the message in the thread by itself.
    chat->findChild<QRadioButton *>(QStringLiteral("toSupportRadio"))->setChecked(true);
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    QTest::keyClicks(input, QStringLiteral("It is wrong again for 6B"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 10000);
    QVERIFY(!chat->conversationText().contains(QLatin1String("I understand."))); // no assistant answer
    QTRY_VERIFY_WITH_TIMEOUT(banner->text().contains(QLatin1String("is open")), 5000);
    QCOMPARE(chat->ticketId(), ticketId);
    QTRY_VERIFY_WITH_TIMEOUT(transcript->toPlainText().contains(QLatin1String("It is wrong again for 6B")), 5000);
    QCOMPARE(store.find(Actor::commandLine(), ticketId)->status, QStringLiteral("open"));
    QCOMPARE(store.list(Actor::commandLine(), {})->size(), 1);
    // The support seat's status bar no longer says "resolved": the ticket on screen is open again.
    QTRY_COMPARE_WITH_TIMEOUT(
        support->statusBar()->currentMessage(), QStringLiteral("%1 is open again").arg(ticketId), 5000);
    QTRY_COMPARE(status->currentData().toString(), QStringLiteral("open"));

    // Signed in again later: the conversation shows support's reply where it belongs.
    screenshot(support.get(), QStringLiteral("support-reply.png"));
    screenshot(teacher.get(), QStringLiteral("teacher-support-reply.png"));
    teacher.reset();
    auto again = openWindow();
    signIn(*again, QStringLiteral("amira@school.example"));
    QTRY_VERIFY_WITH_TIMEOUT(again->chatView()->conversationText().contains(QLatin1String("gradebook sync")), 10000);
    QVERIFY(!again->chatView()->conversationText().contains(QLatin1String("Quokka")));
    // What the teacher wrote to support reads as written, and as written to support, after the reload too; the
    // press of Contact support that opened the ticket is still the one application note.
    const QString reloaded = again->chatView()->conversationText();
    QVERIFY2(reloaded.contains(QStringLiteral("You \u2192 support team"))
            && reloaded.contains(QLatin1String("It is wrong again for 6B")),
        qPrintable(reloaded));
    QCOMPARE(reloaded.count(QLatin1String("You asked to contact support")), 1);
}

void TestConsoleLoop::presenceNoticeComesAndGoes()
{
    addAccount(QStringLiteral("amira@school.example"), Role::Teacher);
    addAccount(QStringLiteral("sam@learnpulse.example"), Role::Support);
    addAccount(QStringLiteral("kim@learnpulse.example"), Role::Support);
    auto teacher = teacherWithTicket();
    QVERIFY(teacher);
    const QString ticketId = teacher->chatView()->ticketId();
    teacher.reset();

    auto sam = openSupportSeat(QStringLiteral("sam@learnpulse.example"));
    selectTicket(sam->ticketBrowser(), ticketId);
    auto *notice = sam->ticketBrowser()->findChild<QLabel *>(QStringLiteral("otherViewersNotice"));
    QVERIFY(!notice->isVisible());

    // Another agent opens the same ticket: each console says so; the other closes it: the notice goes.
    auto kim = openSupportSeat(QStringLiteral("kim@learnpulse.example"));
    selectTicket(kim->ticketBrowser(), ticketId);
    auto *kimsNotice = kim->ticketBrowser()->findChild<QLabel *>(QStringLiteral("otherViewersNotice"));
    QVERIFY2(
        kimsNotice->isVisible() && kimsNotice->text().contains(QLatin1String("sam")), qPrintable(kimsNotice->text()));
    QTRY_VERIFY_WITH_TIMEOUT(notice->isVisible() && notice->text().contains(QLatin1String("kim")), 5000);
    kim.reset();
    QTRY_VERIFY_WITH_TIMEOUT(!notice->isVisible(), 5000);

    // A console in another process that is killed without a word drops out by itself once its presence
    // lapses (the process renews it every 2 s, as a console does).
    QProcess other;
    other.start(QStringLiteral(LP_TURN_WORKER),
        { QStringLiteral("--redis-url"), m_redis->url(), QStringLiteral("--presence"), ticketId,
            QStringLiteral("--text"), QStringLiteral("Lee") });
    QVERIFY(other.waitForReadyRead(10000));
    QTRY_VERIFY_WITH_TIMEOUT(notice->isVisible() && notice->text().contains(QLatin1String("Lee")), 5000);
    QTest::qWait(3000);
    QVERIFY(notice->isVisible()); // renewed: still there after its first renewal
    other.kill();
    QVERIFY(other.waitForFinished(5000));
    QTRY_VERIFY_WITH_TIMEOUT(!notice->isVisible(), (SessionStore::presenceTtlSeconds + 5) * 1000);
}

void TestConsoleLoop::adminKeepsTheCannedReplies()
{
    auto w = openAs(QStringLiteral("root@learnpulse.example"), Role::Admin);
    w->tabs()->setCurrentIndex(w->tabs()->count() - 1); // Administration
    w->findChild<QPushButton *>(QStringLiteral("cannedRepliesButton"))->click();
    CannedRepliesDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = w->findChild<CannedRepliesDialog *>()) && dialog->isVisible());
    QVERIFY2(fitsSmallScreen(dialog), qPrintable(QStringLiteral("%1x%2").arg(dialog->width()).arg(dialog->height())));
    auto *list = dialog->findChild<QListWidget *>(QStringLiteral("cannedReplyList"));
    auto *title = dialog->findChild<QLineEdit *>(QStringLiteral("cannedTitleEdit"));
    auto *body = dialog->findChild<QPlainTextEdit *>(QStringLiteral("cannedBodyEdit"));
    auto *save = dialog->findChild<QPushButton *>(QStringLiteral("cannedSaveButton"));
    QVERIFY(!save->isEnabled()); // nothing to save yet
    QTest::keyClicks(title, QStringLiteral("Sync delay"));
    QTest::keyClicks(body, QStringLiteral("The gradebook sync runs every night."));
    save->click();
    QTRY_COMPARE_WITH_TIMEOUT(list->count(), 1, 5000);
    QCOMPARE(list->currentRow(), 0);
    QCOMPARE(list->item(0)->text(), QStringLiteral("Sync delay"));
    // The browser's menu follows at once.
    auto *combo = w->ticketBrowser()->findChild<QComboBox *>(QStringLiteral("cannedReplyCombo"));
    QTRY_COMPARE(combo->count(), 2);
    // Saving under the same title changes it; a second one sorts by title.
    body->setPlainText(QStringLiteral("The gradebook sync runs every night at 2:00."));
    save->click();
    title->setText(QStringLiteral("Access"));
    body->setPlainText(QStringLiteral("Please sign out and in again."));
    save->click();
    QTRY_COMPARE_WITH_TIMEOUT(list->count(), 2, 5000);
    QCOMPARE(list->item(0)->text(), QStringLiteral("Access"));
    auto stored = TicketThread(m_db).cannedReplies(Actor::commandLine());
    QCOMPARE(stored->at(1).body, QStringLiteral("The gradebook sync runs every night at 2:00."));
    list->setCurrentRow(1);
    dialog->findChild<QPushButton *>(QStringLiteral("cannedRemoveButton"))->click();
    QTRY_COMPARE_WITH_TIMEOUT(list->count(), 1, 5000);
    QCOMPARE(TicketThread(m_db).cannedReplies(Actor::commandLine())->size(), 1);
    QTRY_COMPARE(combo->count(), 2);
}

void TestConsoleLoop::aReplyDraftStaysWithItsTicket()
{
    addAccount(QStringLiteral("sam@learnpulse.example"), Role::Support);
    const QString first = makeTicket(QStringLiteral("The quiz scores are wrong"), 1).ticketId;
    const QString second = makeTicket(QStringLiteral("Attendance is missing"), 2).ticketId;
    auto support = openSupportSeat(QStringLiteral("sam@learnpulse.example"));
    TicketBrowser *browser = support->ticketBrowser();
    auto *reply = browser->findChild<QPlainTextEdit *>(QStringLiteral("replyEdit"));
    selectTicket(browser, first);
    QTest::keyClicks(reply, QStringLiteral("Dear teacher 1, about your quiz scores"));

    // Another ticket: the box is that ticket's (empty), and Ctrl+Enter sends nothing of the first one's.
    selectTicket(browser, second);
    QCOMPARE(reply->toPlainText(), QString());
    QTest::keyClick(reply, Qt::Key_Return, Qt::ControlModifier);
    QTest::qWait(500);
    QCOMPARE(TicketThread(m_db).messages(Actor::commandLine(), second)->size(), 0);

    // Back: the draft is there, and goes to its own ticket.
    selectTicket(browser, first);
    QCOMPARE(reply->toPlainText(), QStringLiteral("Dear teacher 1, about your quiz scores"));
    QTest::keyClick(reply, Qt::Key_Return, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(TicketThread(m_db).messages(Actor::commandLine(), first)->size(), 1, 5000);
    QTRY_COMPARE(reply->toPlainText(), QString());
    QCOMPARE(TicketThread(m_db).messages(Actor::commandLine(), second)->size(), 0);
}

QTEST_MAIN(TestConsoleLoop)
void TestConsoleLoop::anErasureReachesEveryOpenConsole()
{
    // The teacher's console and an agent's (with her ticket open and a reply half written) are open when an admin
    // erases her on another seat: both drop what they show of her at once (the announcement, not the next look).
    addAccount(QStringLiteral("amira@school.example"), Role::Teacher);
    addAccount(QStringLiteral("sam@learnpulse.example"), Role::Support);
    auto teacher = teacherWithTicket();
    QVERIFY(teacher);
    const QString ticketId = teacher->chatView()->ticketId();
    auto support = openSupportSeat(QStringLiteral("sam@learnpulse.example"));
    TicketBrowser *browser = support->ticketBrowser();
    selectTicket(browser, ticketId);
    auto *transcript = browser->findChild<QPlainTextEdit *>(QStringLiteral("transcriptView"));
    QTRY_VERIFY_WITH_TIMEOUT(transcript->toPlainText().contains(QLatin1String("amira@school.example")), 5000);
    auto *reply = browser->findChild<QPlainTextEdit *>(QStringLiteral("replyEdit"));
    QTest::keyClicks(reply, QStringLiteral("Dear Amira, about your marks"));

    auto redis = RedisClient::connect(m_redis->url()).value();
    PrivacyService privacy(m_config, m_db, redis.get());
    QElapsedTimer took;
    took.start();
    auto erased = privacy.erase(Actor::commandLine(), QStringLiteral("amira@school.example"));
    QVERIFY2(erased, qPrintable(erased.error()));
    QCOMPARE(erased->tickets, 1);

    // Well within the two-second look: the agent's list, detail and draft, and the teacher's window.
    QTRY_VERIFY_WITH_TIMEOUT(!teacher->isSignedIn(), 1500);
    QVERIFY(!teacher->chatView());
    QVERIFY(teacher->signInPage()->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(browser->shownTicketId().isEmpty(), 1500);
    QTRY_VERIFY_WITH_TIMEOUT(browser->model()->rowOf(ticketId) < 0, 1500);
    QVERIFY(took.elapsed() < 1900);
    QVERIFY(!transcript->toPlainText().contains(QLatin1String("amira")));
    QVERIFY(!browser->findChild<QTextBrowser *>(QStringLiteral("readableTranscript"))
                 ->toPlainText()
                 .contains(QLatin1String("amira")));
    QVERIFY(reply->toPlainText().isEmpty());
    // Selecting another ticket and coming back brings no draft of hers back either (none is kept).
    QVERIFY(support->isSignedIn());
}

#include "tst_console_loop.moc"
