#include "adminview.h"
#include "chatview.h"
#include "consoletestbase.h"
#include "consolewindow.h"
#include "messageedit.h"
#include "metricsview.h"
#include "redisclient.h"
#include "sessionstore.h"
#include "signinpage.h"
#include "testsupport.h"
#include "ticketbrowser.h"
#include "tickettablemodel.h"

#include <QAction>
#include <QApplication>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QClipboard>
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
#include <QScopeGuard>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextDocument>
#include <QTime>

using namespace LearnPulse;
using namespace LearnPulse::Test;

// The console as a teacher and an admin use it: sign-in and sign-out, the chat, and the glue between the
// window and its worker thread (one answer per request, settings saved mid-stream, Redis lost and back).
class TestConsole : public ConsoleTestBase
{
    Q_OBJECT

private slots:
    void firstStartCreatesTheAdminThenSignInWorks();
    void signOutLeavesNoCredentialsInTheForm();
    void chatEscalatesAfterThreeSignalsAndShowsTheTicket();
    void settingsSavedWhileAReplyStreams();
    void theAssistantsControlCharactersNeverReachTheScreen();
    void redisDownAtSignIn();
    void hungAssistantNeverFreezesTheWindow();
    void stopKeepsThePartialAnswer();
    void newConversationWhileAReplyStreams();
    void redisComingBackIsFinishedForTheOpenConversation();
    void contactSupportButtonOpensATicketAtOnce();
    void contactSupportWhileAReplyStalls();
    void aRefusedContactSupportLeavesNoNoteAndKeepsTheLine();
    void newConversationAsksAndPastOnesReopen();
    void pastConversationsListTheNewestHundred();
    void aNewConversationThatCannotOpenKeepsTheDraft();
    void aNewConversationThatCannotOpenLeavesTheReplyRunning();
    void theClassGoesWithTheConversationQuietly();
    void votesOffersAndWithdrawalsInTheChatPane();
    void anAccountChangedElsewhereEndsItsSession_data();
    void anAccountChangedElsewhereEndsItsSession();
};

void TestConsole::firstStartCreatesTheAdminThenSignInWorks()
{
    auto w = openWindow();
    SignInPage *page = w->signInPage();
    auto *name = page->findChild<QLineEdit *>(QStringLiteral("nameEdit"));
    QTRY_VERIFY(page->isVisible() && name->isVisible()); // first start: the form for the first admin
    // The 8-character rule is said up front.
    QVERIFY(
        page->findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->placeholderText().contains(QLatin1String("8")));
    screenshot(w.get(), QStringLiteral("first-start.png"));
    // A wrong field gets the cursor: the email first.
    auto *emailEdit = page->findChild<QLineEdit *>(QStringLiteral("emailEdit"));
    QTest::keyClicks(emailEdit, QStringLiteral("not-an-email"));
    QTest::mouseClick(page->findChild<QPushButton *>(QStringLiteral("signInButton")), Qt::LeftButton);
    QTRY_COMPARE(w->focusWidget(), emailEdit);
    emailEdit->clear();
    QTest::keyClicks(emailEdit, QStringLiteral("admin@school.example"));
    QTest::mouseClick(page->findChild<QPushButton *>(QStringLiteral("signInButton")), Qt::LeftButton);
    QTRY_COMPARE(w->focusWidget(), name); // then the missing name
    QTest::keyClicks(name, QStringLiteral("Ada Admin"));
    QTest::keyClicks(page->findChild<QLineEdit *>(QStringLiteral("passwordEdit")), QStringLiteral("secret-pass-1"));
    QTest::keyClicks(
        page->findChild<QLineEdit *>(QStringLiteral("repeatPasswordEdit")), QStringLiteral("secret-pass-2"));
    QTest::mouseClick(page->findChild<QPushButton *>(QStringLiteral("signInButton")), Qt::LeftButton);
    auto *error = page->findChild<QLabel *>(QStringLiteral("signInError"));
    QTRY_VERIFY(error->isVisible());
    QVERIFY(error->text().contains(QLatin1String("differ")));
    auto *repeat = page->findChild<QLineEdit *>(QStringLiteral("repeatPasswordEdit"));
    auto *password = page->findChild<QLineEdit *>(QStringLiteral("passwordEdit"));
    QVERIFY(password->text().isEmpty() && repeat->text().isEmpty()); // a refused form keeps no password
    QTest::keyClicks(password, QStringLiteral("secret-pass-1"));
    QTest::keyClicks(repeat, QStringLiteral("secret-pass-1"));
    QTest::mouseClick(page->findChild<QPushButton *>(QStringLiteral("signInButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(w->isSignedIn(), 15000);
    QCOMPARE(w->account().role, Role::Admin);
    closePrivacyNotice(*w);
    QCOMPARE(w->tabs()->count(), 4); // Assistant, Tickets, Metrics, Administration
    w.reset();

    // Second start: the sign-in form; a wrong password is refused, the right one accepted.
    w = openWindow();
    page = w->signInPage();
    QTRY_VERIFY(page->isVisible());
    QVERIFY(!page->findChild<QLineEdit *>(QStringLiteral("nameEdit"))->isVisible());
    QTest::keyClicks(page->findChild<QLineEdit *>(QStringLiteral("emailEdit")), QStringLiteral("admin@school.example"));
    QTest::keyClicks(page->findChild<QLineEdit *>(QStringLiteral("passwordEdit")), QStringLiteral("wrong-password"));
    QTest::keyClick(page->findChild<QLineEdit *>(QStringLiteral("passwordEdit")), Qt::Key_Return);
    error = page->findChild<QLabel *>(QStringLiteral("signInError"));
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
    QVERIFY(error->text().contains(QLatin1String("wrong")));
    QVERIFY(!w->isSignedIn());
    QVERIFY(page->findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->text().isEmpty());
    signIn(*w, QStringLiteral("admin@school.example"));
}

void TestConsole::signOutLeavesNoCredentialsInTheForm()
{
    auto w = openAs(QStringLiteral("admin2@school.example"), Role::Admin);
    SignInPage *page = w->signInPage();
    auto *email = page->findChild<QLineEdit *>(QStringLiteral("emailEdit"));
    auto *password = page->findChild<QLineEdit *>(QStringLiteral("passwordEdit"));
    QVERIFY(password->text().isEmpty()); // gone from the widget as soon as the sign-in was sent

    auto *signOut = w->findChild<QAction *>(QStringLiteral("signOutAction"));
    QVERIFY(signOut && signOut->isEnabled());
    signOut->trigger();
    QTRY_VERIFY(page->isVisible());
    QVERIFY(!w->isSignedIn());
    QVERIFY(email->text().isEmpty());
    QVERIFY(password->text().isEmpty());

    // The next person presses Enter on the empty form: nobody is signed in.
    QTest::keyClick(password, Qt::Key_Return);
    auto *error = page->findChild<QLabel *>(QStringLiteral("signInError"));
    QTRY_VERIFY(error->isVisible());
    QTest::qWait(300);
    QVERIFY(!w->isSignedIn());
}

void TestConsole::chatEscalatesAfterThreeSignalsAndShowsTheTicket()
{
    auto w = openChat(QStringLiteral("amira@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    auto *banner = chat->findChild<QWidget *>(QStringLiteral("escalationBanner"));
    QVERIFY(!banner->isVisible());

    auto say = [&](const QString &text) {
        QTest::keyClicks(input, text);
        QTest::keyClick(input, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 15000);
    };
    say(QStringLiteral("How is Aisha doing?"));
    QVERIFY2(
        chat->conversationText().contains(QLatin1String("I understand. About")), qPrintable(chat->conversationText()));
    QVERIFY(input->toPlainText().isEmpty());
    say(QStringLiteral("This doesn't help"));
    say(QStringLiteral("Still not clear"));
    QVERIFY(!banner->isVisible());
    say(QStringLiteral("That's wrong again"));
    QTRY_VERIFY(banner->isVisible());
    const QString ticket = chat->ticketId();
    QVERIFY(ticket.startsWith(QStringLiteral("TICKET-") + chat->sessionId().left(8)));
    QVERIFY(chat->findChild<QLabel *>(QStringLiteral("ticketIdLabel"))->text().contains(ticket));
    QVERIFY(chat->conversationText().contains(QLatin1String("LearnPulse")));
    QVERIFY(chat->conversationText().contains(ticket));
    // With the ticket open, a signal can no longer be withdrawn: no link offers it.
    QVERIFY(!chat->conversationText().contains(QLatin1String("That was not a complaint")));
    QVERIFY(!chat->findChild<QPushButton *>(QStringLiteral("contactSupportButton"))->isEnabled());
    TicketStore store(m_db);
    QCOMPARE(store.findBySession(chat->sessionId())->id, ticket);
    screenshot(w.get(), QStringLiteral("chat.png"));
    // Copy ticket ID says that it copied.
    auto *copy = chat->findChild<QPushButton *>(QStringLiteral("copyTicketIdButton"));
    QTest::mouseClick(copy, Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), ticket);
    QVERIFY2(copy->text().contains(QLatin1String("Copied")), qPrintable(copy->text()));
    QTRY_COMPARE_WITH_TIMEOUT(copy->text(), QStringLiteral("Copy ticket ID"), 5000);

    // The shift key breaks the line instead of sending; the counter appears near the limit.
    QTest::keyClicks(input, QStringLiteral("line one"));
    QTest::keyClick(input, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(input, QStringLiteral("line two"));
    QCOMPARE(input->toPlainText(), QStringLiteral("line one\nline two"));
    auto *counter = chat->findChild<QLabel *>(QStringLiteral("charCounter"));
    QVERIFY(!counter->isVisible());
    input->setPlainText(QString(8001, QLatin1Char('a')));
    QVERIFY(counter->isVisible());
    QVERIFY(counter->text().contains(QLatin1String("8,001")) || counter->text().contains(QLatin1String("8001")));
    QVERIFY(!chat->findChild<QPushButton *>(QStringLiteral("sendButton"))->isEnabled());
    // Enter does nothing then, and the counter itself says why.
    QTest::keyClick(input, Qt::Key_Return);
    QCOMPARE(input->toPlainText().size(), 8001);
    QVERIFY2(counter->text().contains(QLatin1String("too long to send")), qPrintable(counter->text()));

    // A new window resumes the last conversation with its ticket.
    const QString session = chat->sessionId();
    w.reset();
    w = openWindow();
    signIn(*w, QStringLiteral("amira@school.example"));
    QTRY_COMPARE_WITH_TIMEOUT(w->chatView()->sessionId(), session, 10000);
    QCOMPARE(w->chatView()->ticketId(), ticket);
    QVERIFY(w->chatView()->conversationText().contains(QLatin1String("That's wrong again")));
}

void TestConsole::theAssistantsControlCharactersNeverReachTheScreen()
{
    // Issue 26: a reply with a line separator, a direction override and an escape sequence is shown, while it
    // streams and after, as text without them (as it is stored).
    qputenv("LLM_MODEL", "hostile");
    const auto restore = qScopeGuard([] { qputenv("LLM_MODEL", "normal"); });
    auto w = openChat(QStringLiteral("amira@school.example"));
    ChatView *chat = w->chatView();
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    // Every state of the conversation's text, as each streamed piece lands in it.
    QStringList seen;
    auto *log = chat->findChild<QTextBrowser *>(QStringLiteral("conversationLog"));
    QVERIFY(log);
    connect(
        log->document(), &QTextDocument::contentsChanged, this, [&seen, log] { seen << log->document()->toRawText(); });
    QTest::keyClicks(input, QStringLiteral("How is Aisha doing?"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending() && chat->conversationText().contains(QLatin1String("end.")), 15000);
    disconnect(log->document(), nullptr, this, nullptr);
    seen << log->document()->toRawText();
    QVERIFY2(seen.constLast().contains(QLatin1String("Line one")), qPrintable(seen.constLast()));
    for (const QString &text : std::as_const(seen))
        QVERIFY2(!text.contains(QChar(0x202E)) && !text.contains(QChar(0x1B)) && !text.contains(QChar(0x2028)),
            qPrintable(text));
}

void TestConsole::settingsSavedWhileAReplyStreams()
{
    qputenv("LLM_MODEL", "slow"); // the reply starts, then the server is silent for 3 s
    auto w = openAs(QStringLiteral("sam@school.example"), Role::Admin);
    ChatView *chat = w->chatView();
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty(), 10000);
    const qsizetype asked = m_llm.requests().size();
    say(chat, QStringLiteral("Which students in 8A need help with fractions?"));
    QTRY_VERIFY_WITH_TIMEOUT(m_llm.requests().size() > asked, 5000);
    QTest::qWait(300); // the first piece is on its way
    QVERIFY(chat->isSending());

    // The admin saves new settings while the reply streams: the services it uses are rebuilt.
    qputenv("LLM_MODEL", "normal");
    QDialog *dialog = openSettings(*w);
    QVERIFY(dialog);
    dialog->findChild<QLineEdit *>(QStringLiteral("escalation/threshold"))->setText(QStringLiteral("5"));
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("saveSettingsButton")), Qt::LeftButton);

    // No crash; the turn is answered (stopped, saying why) well before the slow server would have ended it.
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 2000);
    auto *error = chat->findChild<QLabel *>(QStringLiteral("chatError"));
    QVERIFY2(error->text().contains(QLatin1String("settings changed")), qPrintable(error->text()));
    QVERIFY(chat->conversationText().contains(QLatin1String("Which students in 8A need help with fractions?")));
    QTRY_VERIFY(!w->findChild<QDialog *>(QStringLiteral("settingsDialog")));
    QTRY_COMPARE(
        QSettings(m_config.configFile, QSettings::IniFormat).value(QStringLiteral("escalation/threshold")).toInt(), 5);

    // The next message works, on the rebuilt services.
    w->tabs()->setCurrentWidget(chat);
    say(chat, QStringLiteral("And which ones in 8B?"));
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 10000);
    QVERIFY2(!error->isVisible(), qPrintable(error->text()));
    QVERIFY(chat->conversationText().contains(QLatin1String("And which ones in 8B?")));
    QTRY_COMPARE(w->pendingRequests(), 0);
    QVERIFY(!w->findChild<QProgressBar *>(QStringLiteral("busyIndicator"))->isVisible());
    QVERIFY(!w->findChild<QDialog *>(QStringLiteral("settingsDialog")));
}

void TestConsole::redisDownAtSignIn()
{
    addAccount(QStringLiteral("rita@school.example"), Role::Teacher);
    m_redis->server().stop(); // REDIS_URL is set: no private server stands in
    auto w = openWindow();
    signIn(*w, QStringLiteral("rita@school.example"));
    closePrivacyNotice(*w);
    ChatView *chat = w->chatView();
    auto *busy = w->findChild<QProgressBar *>(QStringLiteral("busyIndicator"));
    auto *error = chat->findChild<QLabel *>(QStringLiteral("chatError"));
    // The conversation cannot open: a clear message, and the busy indicator stops.
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
    QVERIFY2(error->text().contains(QLatin1String("opens by itself as soon as the connection is back")),
        qPrintable(error->text()));
    QTRY_COMPARE(w->pendingRequests(), 0);
    QVERIFY(!busy->isVisible());
    QVERIFY(chat->sessionId().isEmpty());
    QVERIFY(w->findChild<QLabel *>(QStringLiteral("redisStatus"))->text().contains(QLatin1String("unavailable")));

    // Redis comes back: the conversation opens by itself within seconds, and a message goes through.
    QVERIFY(m_redis->server().restart());
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty(), 8000);
    QVERIFY(!error->isVisible());
    QVERIFY(w->findChild<QLabel *>(QStringLiteral("redisStatus"))->text().contains(QLatin1String("connected")));
    say(chat, QStringLiteral("How is 6B doing this week?"));
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 10000);
    QVERIFY2(!error->isVisible(), qPrintable(error->text()));
    QTRY_COMPARE(w->pendingRequests(), 0);
    QVERIFY(!busy->isVisible());
}

void TestConsole::hungAssistantNeverFreezesTheWindow()
{
    qputenv("LLM_MODEL", "stall"); // the server accepts the request and then says nothing
    auto w = openChat(QStringLiteral("hana@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    say(chat, QStringLiteral("How is Aisha doing?"));
    QVERIFY(chat->isSending());
    // The window keeps handling events while the assistant hangs: a 50 ms timer fires on time.
    for (int i = 0; i < 5; ++i) {
        QElapsedTimer t;
        t.start();
        QTest::qWait(50);
        QVERIFY2(t.elapsed() < 500, qPrintable(QString::number(t.elapsed())));
        QVERIFY(chat->isSending());
    }
    auto *stop = chat->findChild<QPushButton *>(QStringLiteral("stopButton"));
    QVERIFY(stop->isVisible());
    QTest::mouseClick(stop, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 3000);
    // Stopped by the teacher: no error, nothing of an answer (none had come), the cursor back in the box.
    auto *error = chat->findChild<QLabel *>(QStringLiteral("chatError"));
    QVERIFY2(!error->isVisible(), qPrintable(error->text()));
    QVERIFY(chat->conversationText().contains(QLatin1String("How is Aisha doing?"))); // recorded, still shown
    QVERIFY(!chat->conversationText().contains(QLatin1String("You stopped this answer")));
    QTRY_COMPARE(w->focusWidget(), input); // (the offscreen window is never active)
    qputenv("LLM_MODEL", "normal");
}

void TestConsole::stopKeepsThePartialAnswer()
{
    qputenv("LLM_MODEL", "slow"); // a first piece, then nothing for 3 s
    auto w = openChat(QStringLiteral("hana@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    say(chat, QStringLiteral("How is Aisha doing?"));
    QTRY_VERIFY_WITH_TIMEOUT(chat->conversationText().contains(QLatin1String("Let me look at the register.")), 5000);
    QTest::mouseClick(chat->findChild<QPushButton *>(QStringLiteral("stopButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 3000);
    // What had come stays, marked as stopped; no red error; the cursor is back in the message box.
    QVERIFY(chat->conversationText().contains(QLatin1String("Let me look at the register.")));
    QVERIFY(chat->conversationText().contains(QLatin1String("You stopped this answer here")));
    QVERIFY(!chat->findChild<QLabel *>(QStringLiteral("chatError"))->isVisible());
    QTRY_COMPARE(w->focusWidget(), input); // (the offscreen window is never active)
    screenshot(w.get(), QStringLiteral("chat-stopped.png"));
    // The next message goes as usual (the stopped piece was not kept in the conversation).
    qputenv("LLM_MODEL", "normal");
    QTest::qWait(3500); // past the old reply's silence
    say(chat, QStringLiteral("And Ben?"));
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 10000);
    QVERIFY(!chat->findChild<QLabel *>(QStringLiteral("chatError"))->isVisible());
}

void TestConsole::newConversationWhileAReplyStreams()
{
    qputenv("LLM_MODEL", "stall"); // the reply never comes
    auto w = openChat(QStringLiteral("nina@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    const QString first = chat->sessionId();
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    say(chat, QStringLiteral("Which students in 9A read below level?"));
    QVERIFY(chat->isSending());
    QTest::qWait(200);

    // The teacher opens a new conversation: the old reply is stopped and answered, and nothing of it
    // lands in the new conversation.
    QTest::mouseClick(chat->findChild<QPushButton *>(QStringLiteral("newConversationButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty() && chat->sessionId() != first, 10000);
    QTRY_COMPARE(w->pendingRequests(), 0);
    QVERIFY(!chat->isSending());
    QVERIFY(!chat->conversationText().contains(QLatin1String("9A")));
    QVERIFY(!chat->findChild<QLabel *>(QStringLiteral("chatError"))->isVisible());
    QCOMPARE(input->toPlainText(), QString());

    QCOMPARE(chat->model()->size(), 0); // the new conversation is empty, and stays so
    QTest::qWait(3500); // past the moment the stalled server gives up
    QCOMPARE(chat->model()->size(), 0);
    QVERIFY(!chat->isSending());
    qputenv("LLM_MODEL", "normal");
}

void TestConsole::redisComingBackIsFinishedForTheOpenConversation()
{
    auto w = openChat(QStringLiteral("olga@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    const QString sessionId = chat->sessionId();
    auto *status = w->findChild<QLabel *>(QStringLiteral("redisStatus"));
    auto *warning = chat->findChild<QLabel *>(QStringLiteral("offlineWarning"));
    QTRY_VERIFY(status->text().contains(QLatin1String("connected")));
    QVERIFY(!warning->isVisible());

    // Redis goes away while the teacher sends nothing: the status bar and the chat say so within seconds.
    m_redis->server().stop();
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QLatin1String("unavailable")), 5000);
    QTRY_VERIFY(warning->isVisible());
    QVERIFY2(warning->text().contains(QLatin1String("kept on this computer")), qPrintable(warning->text()));

    // A message meanwhile is kept in memory, and the assistant still answers.
    say(chat, QStringLiteral("Which topics should 7C revise?"));
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 10000);
    QVERIFY(chat->conversationText().contains(QLatin1String("Which topics should 7C revise?")));
    QVERIFY(warning->isVisible());

    // Redis comes back with nothing in it: the window follows within seconds, and the conversation is
    // written back whole without another message.
    QVERIFY2(m_redis->restartEmpty(), qPrintable(m_redis->error()));
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QLatin1String("connected")), 6000);
    QTRY_VERIFY(!warning->isVisible());
    auto redis = m_redis->client();
    QVERIFY(redis);
    QTRY_VERIFY_WITH_TIMEOUT(redis->command({ "EXISTS", SessionStore::stateKey(sessionId) })->integer == 1, 5000);
    auto owner = redis->command({ "HGET", SessionStore::stateKey(sessionId), "user_id" });
    QVERIFY(owner && !owner->string.isEmpty());
    QCOMPARE(QString::fromUtf8(owner->string), w->account().id);
    auto history = redis->command({ "LRANGE", SessionStore::historyKey(sessionId), "0", "-1" });
    QVERIFY(history);
    QCOMPARE(history->elements.size(), 2); // the teacher's message and the assistant's answer
    QVERIFY(history->elements.at(0).string.contains("Which topics should 7C revise?"));
    QVERIFY(redis->command({ "TTL", SessionStore::stateKey(sessionId) })->integer > 0);

    // The next message goes to Redis as usual.
    say(chat, QStringLiteral("Thanks, and for 7D?"));
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 10000);
    QTRY_COMPARE(redis->command({ "LLEN", SessionStore::historyKey(sessionId) })->integer, 4LL);
    QVERIFY(!warning->isVisible());
}

void TestConsole::contactSupportButtonOpensATicketAtOnce()
{
    auto w = openChat(QStringLiteral("ivy@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    const qsizetype llmCalls = m_llm.requests().size();
    auto *support = chat->findChild<QPushButton *>(QStringLiteral("contactSupportButton"));
    QTRY_VERIFY(support->isEnabled());
    // It asks first: Cancel opens nothing.
    QTest::mouseClick(support, Qt::LeftButton);
    QDialog *confirm = chat->findChild<QDialog *>(QStringLiteral("contactSupportDialog"));
    QVERIFY(confirm && confirm->isVisible());
    confirm->reject();
    QTest::qWait(200);
    QVERIFY(chat->ticketId().isEmpty());
    QVERIFY(!chat->isSending());
    // Then with a line about what it is about.
    QTest::mouseClick(support, Qt::LeftButton);
    QTRY_VERIFY((confirm = chat->findChild<QDialog *>(QStringLiteral("contactSupportDialog"))) && confirm->isVisible());
    QTest::keyClicks(confirm->findChild<QLineEdit *>(QStringLiteral("supportDescription")),
        QStringLiteral("Marks for 6B look wrong"));
    QVERIFY2(
        fitsSmallScreen(confirm), qPrintable(QStringLiteral("%1x%2").arg(confirm->width()).arg(confirm->height())));
    screenshot(confirm, QStringLiteral("contact-support.png"));
    QTest::mouseClick(confirm->findChild<QPushButton *>(QStringLiteral("openTicketButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!chat->ticketId().isEmpty(), 10000);
    QVERIFY(chat->findChild<QWidget *>(QStringLiteral("escalationBanner"))->isVisible());
    QVERIFY(chat->conversationText().contains(chat->ticketId()));
    // Shown as the application's note, not as words the teacher typed.
    QVERIFY(
        chat->conversationText().contains(QStringLiteral("You asked to contact support: “Marks for 6B look wrong”")));
    QVERIFY(!chat->conversationText().contains(QLatin1String("I would like to contact support")));
    QCOMPARE(m_llm.requests().size(), llmCalls); // the application answered, not the model
    TicketStore store(m_db);
    auto ticket = store.findBySession(chat->sessionId());
    QVERIFY(ticket);
    QCOMPARE(ticket->summary, QStringLiteral("Teacher asked for support"));
    QVERIFY(ticket->rules.contains(QStringLiteral("contact_support_button")));
    QVERIFY(store.transcript(Actor::commandLine(), ticket.value())->contains(QLatin1String("Marks for 6B look wrong")));
    // Reopened later, it reads the same way.
    w.reset();
    w = openWindow();
    signIn(*w, QStringLiteral("ivy@school.example"));
    QTRY_COMPARE_WITH_TIMEOUT(w->chatView()->sessionId(), ticket->sessionId, 10000);
    QVERIFY(w->chatView()->conversationText().contains(
        QStringLiteral("You asked to contact support: “Marks for 6B look wrong”")));
    QVERIFY(!w->chatView()->conversationText().contains(QLatin1String("I would like to contact support")));
}

void TestConsole::aRefusedContactSupportLeavesNoNoteAndKeepsTheLine()
{
    {
        QSettings ini(m_config.configFile, QSettings::IniFormat);
        ini.setValue(QStringLiteral("limits/rate_per_minute"), 1);
    }
    auto w = openChat(QStringLiteral("ivy@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    if (QTime::currentTime().second() >= 50) // both in one minute's window
        QTest::qWait((61 - QTime::currentTime().second()) * 1000);
    say(chat, QStringLiteral("How is Aisha doing?"));
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 10000);
    // Over the limit: the ticket is refused; the application's note goes again, and the line is kept.
    QTest::mouseClick(chat->findChild<QPushButton *>(QStringLiteral("contactSupportButton")), Qt::LeftButton);
    auto *confirm = chat->findChild<QDialog *>(QStringLiteral("contactSupportDialog"));
    QVERIFY(confirm);
    QTest::keyClicks(confirm->findChild<QLineEdit *>(QStringLiteral("supportDescription")), QStringLiteral("Marks"));
    QTest::mouseClick(confirm->findChild<QPushButton *>(QStringLiteral("openTicketButton")), Qt::LeftButton);
    auto *error = chat->findChild<QLabel *>(QStringLiteral("chatError"));
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
    QTRY_VERIFY(!chat->isSending());
    QVERIFY(chat->ticketId().isEmpty());
    QVERIFY(!chat->conversationText().contains(QLatin1String("You asked to contact support")));
    QTest::mouseClick(chat->findChild<QPushButton *>(QStringLiteral("contactSupportButton")), Qt::LeftButton);
    QTRY_VERIFY((confirm = chat->findChild<QDialog *>(QStringLiteral("contactSupportDialog"))) && confirm->isVisible());
    QCOMPARE(confirm->findChild<QLineEdit *>(QStringLiteral("supportDescription"))->text(), QStringLiteral("Marks"));
    confirm->reject();
}

void TestConsole::contactSupportWhileAReplyStalls()
{
    qputenv("LLM_MODEL", "stall"); // the assistant accepts the question and says nothing
    auto w = openChat(QStringLiteral("ivy@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    say(chat, QStringLiteral("Which students in 9A read below level?"));
    QVERIFY(chat->isSending());
    // That is when a person is needed: the button works while the reply hangs; the reply is stopped first.
    auto *support = chat->findChild<QPushButton *>(QStringLiteral("contactSupportButton"));
    QVERIFY(support->isEnabled());
    QTest::mouseClick(support, Qt::LeftButton);
    auto *confirm = chat->findChild<QDialog *>(QStringLiteral("contactSupportDialog"));
    QVERIFY(confirm);
    QTest::mouseClick(confirm->findChild<QPushButton *>(QStringLiteral("openTicketButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!chat->ticketId().isEmpty(), 10000);
    QTRY_VERIFY(!chat->isSending());
    QVERIFY(!chat->findChild<QLabel *>(QStringLiteral("chatError"))->isVisible());
    QVERIFY(chat->conversationText().contains(QLatin1String("You asked to contact support.")));
    TicketStore store(m_db);
    const QString transcript
        = store.transcript(Actor::commandLine(), store.find(Actor::commandLine(), chat->ticketId()).value()).value();
    QVERIFY(transcript.contains(QLatin1String("9A read below level"))); // the whole conversation
    qputenv("LLM_MODEL", "normal");
}

namespace {

// Clicks the link whose target starts with `href` in the conversation, as a person would with the mouse;
// false when there is no such link.
bool clickLink(QTextBrowser *log, const QString &href)
{
    for (QTextBlock block = log->document()->begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            if (!fragment.charFormat().isAnchor() || !fragment.charFormat().anchorHref().startsWith(href))
                continue;
            QTextCursor cursor(log->document());
            cursor.setPosition(fragment.position() + 1);
            log->setTextCursor(cursor);
            log->ensureCursorVisible();
            const QPoint at = log->cursorRect(cursor).center();
            QTest::mouseClick(log->viewport(), Qt::LeftButton, {}, at);
            return true;
        }
    return false;
}

int signalCount(TestRedis &redis, const QString &session)
{
    auto r = redis.client()->command({ "HGET", SessionStore::stateKey(session), "dissatisfaction_count" });
    return r ? r->string.toInt() : -1;
}

} // namespace

void TestConsole::votesOffersAndWithdrawalsInTheChatPane()
{
    auto w = openChat(QStringLiteral("nora@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    const QString session = chat->sessionId();
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    auto say = [&](const QString &text) {
        QTest::keyClicks(input, text);
        QTest::keyClick(input, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 15000);
    };
    say(QStringLiteral("How is Aisha doing?"));
    QVERIFY2(
        chat->conversationText().contains(QLatin1String("Was this helpful?")), qPrintable(chat->conversationText()));

    // A thumbs-down on the reply: a signal, kept with the reply.
    QVERIFY(clickLink(chat->log(), QStringLiteral("lp:vote/down/")));
    QTRY_VERIFY_WITH_TIMEOUT(chat->conversationText().contains(QLatin1String("You found this not helpful.")), 10000);
    QCOMPARE(signalCount(*m_redis, session), 1);

    // A complaint says that it counted; the teacher takes it back.
    say(QStringLiteral("That is wrong."));
    QVERIFY2(chat->conversationText().contains(
                 QLatin1String("Counted as a sign that you are unhappy: you said the answer was wrong.")),
        qPrintable(chat->conversationText()));
    QCOMPARE(signalCount(*m_redis, session), 2);
    QVERIFY(clickLink(chat->log(), QStringLiteral("lp:withdraw/")));
    QTRY_VERIFY_WITH_TIMEOUT(
        chat->conversationText().contains(QLatin1String("Not counted: you said this was not a complaint.")), 10000);
    QCOMPARE(signalCount(*m_redis, session), 1);

    // A vague ask: the application offers a ticket once; "No, thanks" answers it.
    const qsizetype llmCalls = m_llm.requests().size();
    say(QStringLiteral("Is there someone I can email about this?"));
    QCOMPARE(m_llm.requests().size(), llmCalls);
    QVERIFY(chat->conversationText().contains(QLatin1String("Would you like a support ticket?")));
    QVERIFY(chat->conversationText().contains(QLatin1String("Yes, open a support ticket")));
    screenshot(w.get(), QStringLiteral("chat-feedback.png"));
    QVERIFY(clickLink(chat->log(), QStringLiteral("lp:offer/no")));
    QTRY_VERIFY_WITH_TIMEOUT(chat->conversationText().contains(QLatin1String("All right, no ticket.")), 10000);
    QVERIFY(!chat->conversationText().contains(QLatin1String("Yes, open a support ticket")));
    QVERIFY(chat->ticketId().isEmpty());

    // What the teacher did stays with the conversation: a new window shows it again.
    w.reset();
    w = openWindow();
    signIn(*w, QStringLiteral("nora@school.example"));
    chat = w->chatView();
    QTRY_COMPARE_WITH_TIMEOUT(chat->sessionId(), session, 10000);
    const QString text = chat->conversationText();
    QVERIFY2(text.contains(QLatin1String("You found this not helpful.")), qPrintable(text));
    QVERIFY(text.contains(QLatin1String("Not counted: you said this was not a complaint.")));
    QVERIFY(!text.contains(QLatin1String("Yes, open a support ticket")));

    // In a new conversation the offer is made again, and "Yes" opens the ticket.
    QTest::mouseClick(chat->findChild<QPushButton *>(QStringLiteral("newConversationButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty() && chat->sessionId() != session, 10000);
    input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    say(QStringLiteral("Who should I talk to about this?"));
    QVERIFY(clickLink(chat->log(), QStringLiteral("lp:offer/yes")));
    QTRY_VERIFY_WITH_TIMEOUT(!chat->ticketId().isEmpty(), 10000);
    QVERIFY(chat->conversationText().contains(QLatin1String("Yes, please open a support ticket.")));
    QVERIFY(chat->conversationText().contains(chat->ticketId()));
    TicketStore store(m_db);
    auto ticket = store.findBySession(chat->sessionId());
    QVERIFY(ticket);
    QVERIFY2(
        ticket->rules.contains(QStringLiteral("offer_accepted")), qPrintable(ticket->rules.join(QLatin1Char(','))));
}

void TestConsole::anAccountChangedElsewhereEndsItsSession_data()
{
    QTest::addColumn<QString>("change");
    QTest::newRow("removed") << QStringLiteral("removed");
    QTest::newRow("demoted") << QStringLiteral("demoted");
}

void TestConsole::anAccountChangedElsewhereEndsItsSession()
{
    QFETCH(QString, change);
    // A support agent is signed in; an admin (another seat, or learnpulsectl) changes the account meanwhile.
    auto w = openAs(QStringLiteral("sam@school.example"), Role::Support);
    QVERIFY(w->isSignedIn());
    AccountStore accounts(m_db);
    const Account sam = accounts.findByEmail(QStringLiteral("sam@school.example")).value();
    if (change == QLatin1String("removed"))
        QVERIFY(accounts.remove(Actor::commandLine(), sam.id));
    else
        QVERIFY(accounts.setRole(Actor::commandLine(), sam.id, Role::Teacher));
    // The next request the console makes with the account finds out: the session ends, the form says why.
    ChatView *chat = w->chatView();
    w->tabs()->setCurrentWidget(chat); // support starts at the ticket queue
    QTest::mouseClick(chat->findChild<QPushButton *>(QStringLiteral("newConversationButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!w->isSignedIn(), 10000);
    SignInPage *page = w->signInPage();
    QTRY_VERIFY(page->isVisible());
    auto *error = page->findChild<QLabel *>(QStringLiteral("signInError"));
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(change == QLatin1String("removed") ? QLatin1String("removed or disabled")
                                                                       : QLatin1String("role was changed")),
        qPrintable(error->text()));
    QVERIFY(page->findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->text().isEmpty());
}

void TestConsole::newConversationAsksAndPastOnesReopen()
{
    auto w = openChat(QStringLiteral("ola@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    const QString first = chat->sessionId();
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    say(chat, QStringLiteral("I want to talk to a person about the marks"));
    QTRY_VERIFY_WITH_TIMEOUT(!chat->ticketId().isEmpty(), 15000);
    const QString ticket = chat->ticketId();
    auto *newButton = chat->findChild<QPushButton *>(QStringLiteral("newConversationButton"));

    // A conversation with a ticket: asked first; Cancel stays.
    QTest::mouseClick(newButton, Qt::LeftButton);
    QMessageBox *confirm = chat->findChild<QMessageBox *>(QStringLiteral("newConversationConfirm"));
    QVERIFY(confirm && confirm->isVisible());
    QVERIFY2(confirm->informativeText().contains(ticket), qPrintable(confirm->informativeText()));
    confirm->button(QMessageBox::Cancel)->click();
    QTest::qWait(300);
    QCOMPARE(chat->sessionId(), first);
    // Unsent words: asked too; the new conversation starts when confirmed.
    QTest::keyClicks(input, QStringLiteral("a draft"));
    QTest::mouseClick(newButton, Qt::LeftButton);
    QTRY_VERIFY(
        (confirm = chat->findChild<QMessageBox *>(QStringLiteral("newConversationConfirm"))) && confirm->isVisible());
    QVERIFY(confirm->informativeText().contains(QLatin1String("not been sent")));
    confirm->findChild<QPushButton *>(QStringLiteral("startNewConversationButton"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty() && chat->sessionId() != first, 10000);
    QCOMPARE(input->toPlainText(), QString());
    QVERIFY(chat->ticketId().isEmpty());
    say(chat, QStringLiteral("How is Aisha doing?"));
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 10000);
    // Nothing to lose now: no question.
    const QString second = chat->sessionId();

    // Past conversations: both, newest first, the first with its ticket; opening it brings the ticket back.
    QTest::mouseClick(chat->findChild<QPushButton *>(QStringLiteral("pastConversationsButton")), Qt::LeftButton);
    QDialog *past = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (past = w->findChild<QDialog *>(QStringLiteral("pastConversationsDialog"))) && past->isVisible(), 10000);
    auto *list = past->findChild<QTableWidget *>(QStringLiteral("conversationList"));
    QCOMPARE(list->rowCount(), 2);
    QVERIFY(list->item(0, 2)->text().contains(QLatin1String("How is Aisha doing?")));
    QVERIFY(list->item(0, 2)->text().contains(QLatin1String("open now")));
    QCOMPARE(list->item(1, 3)->text(), ticket);
    QVERIFY(list->item(1, 2)->text().contains(QLatin1String("talk to a person about the marks")));
    QVERIFY2(fitsSmallScreen(past), qPrintable(QStringLiteral("%1x%2").arg(past->width()).arg(past->height())));
    screenshot(past, QStringLiteral("past-conversations.png"));
    list->selectRow(1);
    QTest::mouseClick(past->findChild<QPushButton *>(QStringLiteral("openConversationButton")), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(chat->sessionId(), first, 10000);
    QCOMPARE(chat->ticketId(), ticket);
    QVERIFY(chat->conversationText().contains(QLatin1String("talk to a person about the marks")));
    QVERIFY(second != first);
}

void TestConsole::pastConversationsListTheNewestHundred()
{
    // 105 conversations besides the open one, each last touched a minute apart: the list shows the newest
    // 100, newest first, and reads the history (for the first message) of those it shows only.
    auto w = openChat(QStringLiteral("pia@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    const QString me = w->account().id;
    auto redis = m_redis->client();
    QVERIFY(redis);
    SessionStore sessions(*redis, m_config);
    const QDateTime base = QDateTime(QDate(2026, 3, 1), QTime(8, 0), Qt::UTC);
    QStringList ids;
    for (int i = 0; i < 105; ++i) {
        SessionContext c;
        c.userId = me;
        c.teacherEmail = QStringLiteral("pia@school.example");
        c.classId = QStringLiteral("C%1").arg(i);
        auto id = sessions.createSession(c);
        QVERIFY2(id, qPrintable(id.error()));
        ids << id.value();
        QVERIFY(redis->command({ "HSET", SessionStore::stateKey(id.value()), "updated",
            base.addSecs(60 * i).toString(Qt::ISODateWithMs).toUtf8() }));
    }
    auto lranges = [&redis] {
        const QByteArray info = redis->command({ "INFO", "commandstats" }).value().string;
        const qsizetype at = info.indexOf("cmdstat_lrange:calls=");
        return at < 0 ? 0 : info.mid(at + 21, info.indexOf(',', at) - at - 21).toInt();
    };
    const int before = lranges();
    QTest::mouseClick(chat->findChild<QPushButton *>(QStringLiteral("pastConversationsButton")), Qt::LeftButton);
    QDialog *past = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (past = w->findChild<QDialog *>(QStringLiteral("pastConversationsDialog"))) && past->isVisible(), 10000);
    auto *list = past->findChild<QTableWidget *>(QStringLiteral("conversationList"));
    QTRY_COMPARE_WITH_TIMEOUT(list->rowCount(), 100, 10000);
    QVERIFY2(list->item(0, 2)->text().contains(QLatin1String("open now")), qPrintable(list->item(0, 2)->text()));
    QCOMPARE(list->item(1, 1)->text(), QStringLiteral("C104"));
    QCOMPARE(list->item(99, 1)->text(), QStringLiteral("C6"));
    const int read = lranges() - before;
    QVERIFY2(read <= 100, qPrintable(QString::number(read)));
}

void TestConsole::aNewConversationThatCannotOpenKeepsTheDraft()
{
    // Redis is away when the teacher confirms leaving an unsent draft: the new conversation cannot open, so
    // the old one stays, with the draft, and the chat says why. Once Redis is back, the same press works
    // and the draft goes with the old conversation.
    auto w = openChat(QStringLiteral("rui@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    const QString first = chat->sessionId();
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    QTest::keyClicks(input, QStringLiteral("a draft to keep"));
    m_redis->server().stop();
    auto *newButton = chat->findChild<QPushButton *>(QStringLiteral("newConversationButton"));
    auto startNew = [&] {
        QTest::mouseClick(newButton, Qt::LeftButton);
        QMessageBox *confirm = nullptr;
        QTRY_VERIFY((confirm = chat->findChild<QMessageBox *>(QStringLiteral("newConversationConfirm")))
            && confirm->isVisible());
        confirm->findChild<QPushButton *>(QStringLiteral("startNewConversationButton"))->click();
    };
    startNew();
    auto *error = chat->findChild<QLabel *>(QStringLiteral("chatError"));
    QVERIFY(error);
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 15000);
    QVERIFY2(error->text().contains(QLatin1String("This one stays as it is")), qPrintable(error->text()));
    QVERIFY2(!error->text().contains(QLatin1String("Redis")), qPrintable(error->text())); // words for a teacher
    QCOMPARE(chat->sessionId(), first);
    QTRY_VERIFY(w->findChild<QLabel *>(QStringLiteral("redisStatus"))->text().contains(QLatin1String("unavailable")));
    QCOMPARE(input->toPlainText(), QStringLiteral("a draft to keep"));
    screenshot(chat, QStringLiteral("new-conversation-redis-down.png"));

    QVERIFY2(m_redis->restartEmpty(), qPrintable(m_redis->error()));
    auto *status = w->findChild<QLabel *>(QStringLiteral("redisStatus"));
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QLatin1String("connected")), 10000);
    startNew();
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty() && chat->sessionId() != first, 10000);
    QCOMPARE(input->toPlainText(), QString());
    QVERIFY(!error->isVisible());
}

void TestConsole::aNewConversationThatCannotOpenLeavesTheReplyRunning()
{
    // A reply hangs, Redis goes away, the teacher presses New conversation: it cannot open, so the reply is
    // not stopped for it, and the chat says the conversation stays as it is (which is true).
    qputenv("LLM_MODEL", "stall");
    auto w = openChat(QStringLiteral("vic@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    const QString first = chat->sessionId();
    say(chat, QStringLiteral("Which students in 8D missed the quiz?"));
    QVERIFY(chat->isSending());
    m_redis->server().stop();
    QTest::mouseClick(chat->findChild<QPushButton *>(QStringLiteral("newConversationButton")), Qt::LeftButton);
    auto *error = chat->findChild<QLabel *>(QStringLiteral("chatError"));
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 15000);
    QVERIFY2(error->text().contains(QLatin1String("This one stays as it is")), qPrintable(error->text()));
    QCOMPARE(chat->sessionId(), first);
    QVERIFY(chat->isSending()); // the reply was left running
    QVERIFY(!chat->conversationText().contains(QLatin1String("Another conversation was opened")));
    // The teacher stops it themselves.
    QTest::mouseClick(chat->findChild<QPushButton *>(QStringLiteral("stopButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 10000);
    qputenv("LLM_MODEL", "normal");
}

void TestConsole::theClassGoesWithTheConversationQuietly()
{
    // The class typed above the chat is stored with the conversation when its editing is finished, without
    // a status-bar line about it; finishing a field that did not change asks nothing.
    auto w = openChat(QStringLiteral("uma@school.example"));
    ChatView *chat = w->chatView();
    QVERIFY(!chat->sessionId().isEmpty());
    auto *classEdit = chat->findChild<QLineEdit *>(QStringLiteral("classEdit"));
    auto *scopeEdit = chat->findChild<QLineEdit *>(QStringLiteral("scopeEdit"));
    auto redis = m_redis->client();
    QVERIFY(redis);
    const QByteArray state = SessionStore::stateKey(chat->sessionId());
    QTest::keyClicks(classEdit, QStringLiteral("6B"));
    QTest::keyClick(classEdit, Qt::Key_Return); // editing finished, as when the field is left
    QTRY_COMPARE_WITH_TIMEOUT(redis->command({ "HGET", state, "class_id" })->string, QByteArray("6B"), 10000);
    QTRY_COMPARE(w->pendingRequests(), 0);
    QVERIFY2(w->statusBar()->currentMessage().isEmpty(), qPrintable(w->statusBar()->currentMessage()));
    // Unchanged: no request (a change made behind the console's back stays as it is).
    QVERIFY(redis->command({ "HSET", state, "class_id", "7C" }));
    QTest::keyClick(classEdit, Qt::Key_Return);
    QTest::keyClick(scopeEdit, Qt::Key_Return);
    QCOMPARE(w->pendingRequests(), 0); // a request would be pending from the moment it is made
    QTest::qWait(300);
    QCOMPARE(redis->command({ "HGET", state, "class_id" })->string, QByteArray("7C"));
}

QTEST_MAIN(TestConsole)
#include "tst_console.moc"
