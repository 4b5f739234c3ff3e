#include "chatview.h"
#include "consolebackend.h"
#include "conversationmodel.h"
#include "messageedit.h"
#include "tickettablemodel.h"
#include "transcripthtml.h"
#include "words.h"

#include <QAbstractItemModelTester>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>

using namespace LearnPulse;

// The chat pane's log follows its conversation model piece by piece, and the models pass Qt's model
// checks (QAbstractItemModelTester) through everything the console does to them.
class TestChatView : public QObject
{
    Q_OBJECT

private slots:
    void ticketListWordsForPeople_data();
    void ticketListWordsForPeople();
    void readableTranscriptEscapesAndMarks();
    void conversationModelPassesTheModelTester();
    void wordsToSupportReadAsWrittenAfterAReload();
    void ticketTableModelPassesTheModelTester();
    void streamingKeepsTheReadersSelectionAndPlace();
    void streamingFollowsTheEndWhenTheReaderIsThere();
    void failedTurnGivesTheMessageBack();

private:
    static QList<HistoryEntry> history(int n);
    static void startTurn(ChatView &view, const QString &text);
};

QList<HistoryEntry> TestChatView::history(int n)
{
    QList<HistoryEntry> h;
    const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-3600);
    for (int i = 0; i < n; ++i)
        h.append({ i % 2 ? QStringLiteral("assistant") : QStringLiteral("teacher"),
            QStringLiteral("Message %1 about class 6B and the while loops exercise, with a few details.\n"
                           "Second line of message %1.")
                .arg(i),
            t0.addSecs(i * 30) });
    return h;
}

void TestChatView::startTurn(ChatView &view, const QString &text)
{
    auto *input = view.findChild<MessageEdit *>(QStringLiteral("messageInput"));
    QTest::keyClicks(input, text);
    QTest::keyClick(input, Qt::Key_Return);
}

void TestChatView::conversationModelPassesTheModelTester()
{
    ConversationModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy appended(&model, &ConversationModel::textAppended);
    model.setHistory(history(6));
    QCOMPARE(model.rowCount(), 6);
    QCOMPARE(model.data(model.index(0), ConversationModel::KindRole).toInt(), int(ConversationModel::Kind::Teacher));
    model.append({ ConversationModel::Kind::Teacher, QStringLiteral("And 6C?"), QDateTime::currentDateTime() });
    model.appendToPending(QStringLiteral("ignored: nothing pending"));
    QCOMPARE(appended.size(), 0);
    model.append({ ConversationModel::Kind::Assistant, QString(), QDateTime::currentDateTime(), true });
    for (const char *piece : { "6C ", "is ", "doing well." })
        model.appendToPending(QString::fromLatin1(piece));
    QCOMPARE(appended.size(), 3);
    QCOMPARE(model.data(model.index(7)).toString(), QStringLiteral("6C is doing well."));
    QVERIFY(model.data(model.index(7), ConversationModel::PendingRole).toBool());
    model.removeLast();
    model.append(
        { ConversationModel::Kind::Assistant, QStringLiteral("6C is doing well."), QDateTime::currentDateTime() });
    QCOMPARE(model.rowCount(), 8);
    QVERIFY(!model.hasPending());
    model.setHistory({});
    QCOMPARE(model.rowCount(), 0);
    model.removeLast(); // on an empty model: nothing
}

void TestChatView::wordsToSupportReadAsWrittenAfterAReload()
{
    // A press of Contact support, words written to support (marked "to_support", and as an older version
    // marked them, like a press), and an ordinary message: only the press reads as the application's note.
    const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-600);
    const QList<HistoryEntry> history { { QStringLiteral("teacher"),
                                            QStringLiteral("I would like to contact support: marks"), t0 },
        { QStringLiteral("teacher"), QStringLiteral("The export still shows last term"), t0.addSecs(60) },
        { QStringLiteral("teacher"), QStringLiteral("It is Period 5, not Period 4"), t0.addSecs(120) },
        { QStringLiteral("teacher"), QStringLiteral("How is 6B doing?"), t0.addSecs(180) } };
    SessionState state;
    state.signalMarks = { { history.at(0).key(), { QStringLiteral("contact_support_button") } },
        { history.at(1).key(), { QStringLiteral("to_support") } },
        { history.at(2).key(), { QStringLiteral("contact_support_button") } } };
    ConversationModel model;
    model.setHistory(history, {}, state);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.message(0).kind, ConversationModel::Kind::Application);
    QCOMPARE(model.message(0).text, QStringLiteral("You asked to contact support: \u201cmarks\u201d"));
    for (int row : { 1, 2 }) {
        QCOMPARE(model.message(row).kind, ConversationModel::Kind::Teacher);
        QCOMPARE(model.message(row).text, history.at(row).content);
        QCOMPARE(model.message(row).author, QStringLiteral("support"));
        QCOMPARE(model.message(row).signalNote, QString());
    }
    QCOMPARE(model.message(3).kind, ConversationModel::Kind::Teacher);
    QCOMPARE(model.message(3).author, QString());
}

void TestChatView::ticketTableModelPassesTheModelTester()
{
    TicketTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy requested(&model, &TicketTableModel::pageRequested);
    auto rows = [](int from, int n) {
        QList<TicketRecord> out;
        for (int i = from; i < from + n; ++i) {
            TicketRecord t;
            t.id = QStringLiteral("TICKET-%1-20261201000000").arg(i, 8, 10, QLatin1Char('0'));
            t.teacherName = QStringLiteral("Teacher %1").arg(i % 3);
            t.teacherEmail = QStringLiteral("t%1@school.example").arg(i);
            t.summary = QStringLiteral("Teacher dissatisfaction after 3 signals");
            t.status = QStringLiteral("open");
            t.emailStatus = QStringLiteral("sent");
            t.signalCount = 3;
            t.created = QDateTime::currentDateTimeUtc();
            out << t;
        }
        return out;
    };
    model.reload();
    QCOMPARE(requested.size(), 1);
    const quint64 first = requested.last().at(0).toULongLong();
    model.addPage(first, rows(0, TicketTableModel::pageSize), 450, QString());
    QCOMPARE(model.rowCount(), TicketTableModel::pageSize);
    if (model.canFetchMore({})) // the tester may have asked for the next page already
        model.fetchMore({});
    QCOMPARE(requested.size(), 2);
    const TicketFilter further = requested.last().at(1).value<TicketFilter>();
    QCOMPARE(further.afterId, rows(TicketTableModel::pageSize - 1, 1).constFirst().id); // keyset: after the last row
    model.addPage(requested.last().at(0).toULongLong(), rows(TicketTableModel::pageSize, TicketTableModel::pageSize),
        -1, QString());
    QCOMPARE(model.rowCount(), 2 * TicketTableModel::pageSize);
    model.addPage(12345, rows(0, 3), 3, QString()); // an answer nobody waits for: ignored
    QCOMPARE(model.rowCount(), 2 * TicketTableModel::pageSize);
    model.sort(TicketTableModel::TeacherColumn, Qt::AscendingOrder); // reload: rows stay until the answer
    model.addPage(requested.last().at(0).toULongLong(), rows(0, 5), 5, QString());
    QCOMPARE(model.rowCount(), 5);
    QVERIFY(!model.canFetchMore({}));
    for (int c = 0; c < model.columnCount(); ++c)
        QVERIFY(model.data(model.index(0, c)).isValid());
}

void TestChatView::streamingKeepsTheReadersSelectionAndPlace()
{
    ChatView view(8000);
    view.resize(700, 400);
    view.show();
    SessionState state;
    state.id = QStringLiteral("3f9a1c2e-1111-4222-8333-444455556666");
    view.setConversation(state, history(50));
    QTextBrowser *log = view.log();
    QVERIFY(log->verticalScrollBar()->maximum() > 0);

    // The reader goes back up and selects a sentence of an old message.
    QTextCursor select = log->document()->find(QStringLiteral("Message 7 about class 6B"));
    QVERIFY(!select.isNull());
    log->setTextCursor(select);
    log->verticalScrollBar()->setValue(log->verticalScrollBar()->maximum() / 3);
    QCoreApplication::processEvents();
    const int place = log->verticalScrollBar()->value();
    QVERIFY(place > 0 && place < log->verticalScrollBar()->maximum());
    QCOMPARE(log->textCursor().selectedText(), QStringLiteral("Message 7 about class 6B"));

    startTurn(view, QStringLiteral("Which students need help?"));
    QVERIFY(view.isSending());
    QString reply;
    for (int i = 0; i < 200; ++i) {
        const QString piece = QStringLiteral("word%1 ").arg(i);
        reply += piece;
        view.appendReplyDelta(piece);
        if (i % 20 == 0)
            QCoreApplication::processEvents();
    }
    QCoreApplication::processEvents();
    QCOMPARE(log->textCursor().selectedText(), QStringLiteral("Message 7 about class 6B"));
    QCOMPARE(log->verticalScrollBar()->value(), place);
    QVERIFY(view.conversationText().contains(reply.trimmed()));
    QVERIFY(!view.conversationText().contains(QStringLiteral("…"))); // the placeholder went with the first piece
    QCOMPARE(view.model()->message(view.model()->size() - 1).text, reply);

    ChatTurnResult done;
    done.status = ChatTurnResult::Status::Answered;
    done.recorded = true;
    done.reply = reply.trimmed();
    view.finishTurn(done);
    QVERIFY(!view.isSending());
    QCOMPARE(view.model()->size(), 52);
    QVERIFY(view.conversationText().contains(reply.trimmed()));
    QCOMPARE(view.conversationText().count(QStringLiteral("word199")), 1); // shown once, not twice
}

void TestChatView::streamingFollowsTheEndWhenTheReaderIsThere()
{
    ChatView view(8000);
    view.resize(700, 400);
    view.show();
    SessionState state;
    state.id = QStringLiteral("3f9a1c2e-1111-4222-8333-444455556666");
    view.setConversation(state, history(30));
    startTurn(view, QStringLiteral("Tell me more."));
    QScrollBar *bar = view.log()->verticalScrollBar();
    for (int i = 0; i < 100; ++i)
        view.appendReplyDelta(QStringLiteral("A longer piece of the reply, number %1.\n").arg(i));
    QCoreApplication::processEvents();
    QVERIFY(bar->maximum() > 0);
    QCOMPARE(bar->value(), bar->maximum());
}

void TestChatView::failedTurnGivesTheMessageBack()
{
    ChatView view(8000);
    view.show();
    SessionState state;
    state.id = QStringLiteral("3f9a1c2e-1111-4222-8333-444455556666");
    view.setConversation(state, history(2));
    startTurn(view, QStringLiteral("Is Redis there?"));
    ChatTurnResult failed;
    failed.status = ChatTurnResult::Status::Failed;
    failed.recorded = false;
    failed.error = QStringLiteral("Redis is not available: your message was not sent.");
    view.finishTurn(failed);
    QCOMPARE(view.model()->size(), 2); // the message and the pending reply are gone from the log...
    QVERIFY(!view.conversationText().contains(QLatin1String("Is Redis there?")));
    auto *input = view.findChild<MessageEdit *>(QStringLiteral("messageInput"));
    QCOMPARE(input->toPlainText(), QStringLiteral("Is Redis there?")); // ...and back in the input
}

void TestChatView::ticketListWordsForPeople_data()
{
    QTest::addColumn<QString>("stored");
    QTest::addColumn<QString>("shown");
    QTest::newRow("sent") << QStringLiteral("sent") << QStringLiteral("Sent");
    QTest::newRow("waiting") << QStringLiteral("pending") << QStringLiteral("Waiting to send");
    QTest::newRow("one try") << QStringLiteral("pending (1 try, next attempt 2026-12-01T12:00:00Z; last error: x)")
                             << QStringLiteral("Retrying (1 try)");
    QTest::newRow("tries") << QStringLiteral("pending (3 tries, next attempt 2026-12-01T12:00:00Z; last error: x)")
                           << QStringLiteral("Retrying (3 tries)");
    QTest::newRow("failed") << QStringLiteral("failed: 550 mailbox unavailable") << QStringLiteral("Failed");
    QTest::newRow("not configured") << QStringLiteral("not_configured") << QStringLiteral("Not configured");
    QTest::newRow("status open") << QStringLiteral("status:open") << QStringLiteral("Open");
    QTest::newRow("status in progress") << QStringLiteral("status:in_progress") << QStringLiteral("In progress");
    QTest::newRow("status resolved") << QStringLiteral("status:resolved") << QStringLiteral("Resolved");
    QTest::newRow("id") << QStringLiteral("id:TICKET-41c394d8-20261201163054") << QStringLiteral("41c394d8");
    QTest::newRow("odd id whole") << QStringLiteral("id:TICKET-x") << QStringLiteral("TICKET-x");
}

void TestChatView::ticketListWordsForPeople()
{
    QFETCH(QString, stored);
    QFETCH(QString, shown);
    if (stored.startsWith(QLatin1String("status:")))
        QCOMPARE(Words::status(stored.mid(7)), shown);
    else if (stored.startsWith(QLatin1String("id:")))
        QCOMPARE(TicketTableModel::shortId(stored.mid(3)), shown);
    else
        QCOMPARE(Words::emailDelivery(stored), shown);
}

void TestChatView::readableTranscriptEscapesAndMarks()
{
    const QString transcript = QStringLiteral(
        "LearnPulse support ticket\nTicket ID: TICKET-12345678-20261201120000\nCreated: 2026-12-01T12:00:00Z\n"
        "Summary: Teacher asked for support\n\nSignals (1): talk_to_person\n\nConversation (2 messages)\n\n"
        "[2026-12-01T11:59:00Z] Teacher (signal: asked to talk to a person):\n  <b>Loops</b> & marks\n  line two\n\n"
        "[2026-12-01T11:59:30Z] Assistant:\n  Here are the loops.\n"
        "\nAfter the escalation (2 messages)\n\n[2026-12-01T12:05:00Z] Support — Sam:\n  On it\n"
        "\n[2026-12-01T12:06:00Z] Support — Ann (IT: desk 2):\n  Checked\n");
    const QString html = TranscriptHtml::render(transcript, QStringLiteral("loops"));
    QVERIFY(!html.contains(QLatin1String("<b>Loops</b>"))); // the teacher's words never become markup
    QVERIFY(html.contains(QLatin1String("&lt;b&gt;")));
    QVERIFY(html.contains(QLatin1String("&amp; marks")));
    QCOMPARE(html.count(QLatin1String("background-color:#fff59d")), 2); // "Loops" and "loops"
    QVERIFY(html.contains(QLatin1String("Counted as a signal: asked to talk to a person")));
    QVERIFY(html.contains(QLatin1String("asked to talk to a person"))); // the header's rule in words too
    QVERIFY(!html.contains(QLatin1String("talk_to_person")));
    QVERIFY(html.contains(QStringLiteral("Support — Sam")));
    QVERIFY(html.contains(QLatin1String("After the escalation (2 messages)")));
    // A name with "(" and ":" is still a speaker of its own bubble, not lines of the one before.
    QVERIFY(html.contains(QStringLiteral("<b>Support — Ann (IT: desk 2)</b>")));
    QCOMPARE(html.count(QLatin1String("<table")), 4);
    QTextDocument doc;
    doc.setHtml(html);
    QVERIFY(doc.toPlainText().contains(QLatin1String("line two")));
    QVERIFY(!doc.toPlainText().contains(QLatin1String("2026-12-01T11:59:00Z"))); // local times

    // Empty fields of the header (a dash in the text as mailed) are said in words; a value that merely ends
    // in a dash is kept.
    const QString bare = QStringLiteral("Context\n  Class: -\n  Student: Ana-\n  Scope: -\n\nSignals (2): -\n\n"
                                        "Conversation (0 messages)\n");
    QTextDocument bareDoc;
    bareDoc.setHtml(TranscriptHtml::render(bare, QString()));
    const QString text = bareDoc.toPlainText();
    QVERIFY2(text.contains(QLatin1String("Class: not given")) && text.contains(QLatin1String("Scope: not given"))
            && text.contains(QLatin1String("Signals (2): not recorded"))
            && text.contains(QLatin1String("Student: Ana-")),
        qPrintable(text));
}

QTEST_MAIN(TestChatView)
#include "tst_chatview.moc"
