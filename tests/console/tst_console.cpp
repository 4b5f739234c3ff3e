#include "adminview.h"
#include "chatview.h"
#include "consolewindow.h"
#include "messageedit.h"
#include "metricsview.h"
#include "signinpage.h"
#include "testsupport.h"
#include "ticketbrowser.h"
#include "tickettablemodel.h"

#include <QAction>
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

// The console as a person uses it, on the offscreen platform: real widgets, typed into and clicked,
// over a real Redis, a real SQLite index and the OpenAI-compatible test server. With
// LP_SCREENSHOT_DIR set it also saves a picture of each main view there.
class TestConsole : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void firstStartCreatesTheAdminThenSignInWorks();
    void signOutLeavesNoCredentialsInTheForm();
    void chatEscalatesAfterThreeSignalsAndShowsTheTicket();
    void teacherCannotReachTheTicketBrowser();
    void supportOpensATicketSearchesAndSeesNewOnes();
    void adminDeletesATicket();
    void adminEditsSettingsWithSecretsMasked();
    void settingsSavedWhileAReplyStreams();
    void redisDownAtSignIn();
    void hungAssistantNeverFreezesTheWindow();
    void redisComingBackIsFinishedForTheOpenConversation();
    void contactSupportButtonOpensATicketAtOnce();
    void supportSeesTheMetrics();
    void twoSeatsShareTicketsLive();

private:
    void addAccount(const QString &email, Role role);
    std::unique_ptr<ConsoleWindow> openWindow();
    void signIn(ConsoleWindow &w, const QString &email);
    void closePrivacyNotice(ConsoleWindow &w);
    TicketResult makeTicket(const QString &words, int n);
    void screenshot(QWidget *w, const QString &name);

    FakeLlm m_llm;
    std::unique_ptr<TestRedis> m_redis;
    std::unique_ptr<QTemporaryDir> m_dataDir;
    std::unique_ptr<QTemporaryDir> m_configHome;
    Config m_config;
    std::shared_ptr<Database> m_db;
};

void TestConsole::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(m_llm.start(3.0), qPrintable(m_llm.error()));
}

void TestConsole::init()
{
    m_configHome = std::make_unique<QTemporaryDir>();
    qputenv("XDG_CONFIG_HOME", m_configHome->path().toLocal8Bit());
    m_redis = std::make_unique<TestRedis>();
    QVERIFY2(m_redis->start(), qPrintable(m_redis->error()));
    m_dataDir = std::make_unique<QTemporaryDir>();
    qputenv("REDIS_URL", m_redis->url().toUtf8());
    qputenv("LLM_BASE_URL", m_llm.baseUrl().toUtf8());
    qputenv("LLM_MODEL", "normal");
    qunsetenv("LEARNPULSE_DATA_DIR");
    qunsetenv("SMTP_HOST");
    QVERIFY(freshTestConfig(m_dataDir->path())); // against PostgreSQL: a database of its own (DATABASE_URL)
    m_config = Config::load(m_dataDir->path()).value();
    m_db = Database::open(m_config).value();
}

void TestConsole::cleanup()
{
    m_db.reset();
    m_redis.reset();
    m_dataDir.reset();
}

void TestConsole::addAccount(const QString &email, Role role)
{
    AccountStore accounts(m_db);
    QVERIFY(accounts.add(
        Actor::commandLine(), email, email.section(QLatin1Char('@'), 0, 0), role, QByteArray("secret-pass-1")));
}

std::unique_ptr<ConsoleWindow> TestConsole::openWindow()
{
    auto w = std::make_unique<ConsoleWindow>(m_dataDir->path());
    w->resize(1280, 820);
    w->show();
    return w;
}

void TestConsole::signIn(ConsoleWindow &w, const QString &email)
{
    SignInPage *page = w.signInPage();
    QTRY_VERIFY(page->isVisible());
    auto *emailEdit = page->findChild<QLineEdit *>(QStringLiteral("emailEdit"));
    auto *password = page->findChild<QLineEdit *>(QStringLiteral("passwordEdit"));
    emailEdit->clear();
    QTest::keyClicks(emailEdit, email);
    password->clear();
    QTest::keyClicks(password, QStringLiteral("secret-pass-1"));
    QTest::keyClick(password, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(w.isSignedIn(), 15000);
}

void TestConsole::closePrivacyNotice(ConsoleWindow &w)
{
    QDialog *notice = nullptr;
    QTRY_VERIFY((notice = w.findChild<QDialog *>(QStringLiteral("privacyNotice"))) && notice->isVisible());
    QVERIFY(notice->findChild<QTextBrowser *>()->toPlainText().contains(QLatin1String("7 days")));
    notice->reject();
}

TicketResult TestConsole::makeTicket(const QString &words, int n)
{
    auto store = std::make_shared<TicketStore>(m_db);
    TicketService service(m_config, store);
    TicketRequest r;
    r.session.id = QStringLiteral("%1-0000-4000-8000-000000000000").arg(n, 8, 10, QLatin1Char('0'));
    r.session.dissatisfactionCount = 3;
    r.history = { { QStringLiteral("teacher"), words, QDateTime::currentDateTimeUtc() } };
    r.teacherName = QStringLiteral("Teacher %1").arg(n);
    r.teacherEmail = QStringLiteral("teacher%1@school.example").arg(n);
    r.teacherUserId = QStringLiteral("u%1").arg(n);
    r.teacherRole = QStringLiteral("teacher");
    r.summary = QStringLiteral("Teacher dissatisfaction after 3 signals");
    r.now = QDateTime::currentDateTimeUtc().addSecs(-n * 60);
    const TicketResult t = service.createTicket(r);
    if (!t.success)
        qFatal("%s", qPrintable(t.error));
    return t;
}

void TestConsole::screenshot(QWidget *w, const QString &name)
{
    const QByteArray dir = qgetenv("LP_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QTest::qWait(300);
    w->window()->grab().save(QString::fromLocal8Bit(dir) + QLatin1Char('/') + name);
}

void TestConsole::firstStartCreatesTheAdminThenSignInWorks()
{
    auto w = openWindow();
    SignInPage *page = w->signInPage();
    auto *name = page->findChild<QLineEdit *>(QStringLiteral("nameEdit"));
    QTRY_VERIFY(page->isVisible() && name->isVisible()); // first start: the form for the first admin
    screenshot(w.get(), QStringLiteral("first-start.png"));
    QTest::keyClicks(page->findChild<QLineEdit *>(QStringLiteral("emailEdit")), QStringLiteral("admin@school.example"));
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
    addAccount(QStringLiteral("admin2@school.example"), Role::Admin);
    auto w = openWindow();
    signIn(*w, QStringLiteral("admin2@school.example"));
    closePrivacyNotice(*w);
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
    addAccount(QStringLiteral("amira@school.example"), Role::Teacher);
    auto w = openWindow();
    signIn(*w, QStringLiteral("amira@school.example"));
    closePrivacyNotice(*w);
    ChatView *chat = w->chatView();
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty(), 10000);
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
    QVERIFY(!chat->findChild<QPushButton *>(QStringLiteral("contactSupportButton"))->isEnabled());
    TicketStore store(m_db);
    QCOMPARE(store.findBySession(chat->sessionId())->id, ticket);
    screenshot(w.get(), QStringLiteral("chat.png"));

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

    // A new window resumes the last conversation with its ticket.
    const QString session = chat->sessionId();
    w.reset();
    w = openWindow();
    signIn(*w, QStringLiteral("amira@school.example"));
    QTRY_COMPARE_WITH_TIMEOUT(w->chatView()->sessionId(), session, 10000);
    QCOMPARE(w->chatView()->ticketId(), ticket);
    QVERIFY(w->chatView()->conversationText().contains(QLatin1String("That's wrong again")));
}

void TestConsole::teacherCannotReachTheTicketBrowser()
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

void TestConsole::supportOpensATicketSearchesAndSeesNewOnes()
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

void TestConsole::adminDeletesATicket()
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

void TestConsole::adminEditsSettingsWithSecretsMasked()
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

void TestConsole::settingsSavedWhileAReplyStreams()
{
    qputenv("LLM_MODEL", "slow"); // the reply starts, then the server is silent for 3 s
    addAccount(QStringLiteral("sam@school.example"), Role::Admin);
    auto w = openWindow();
    signIn(*w, QStringLiteral("sam@school.example"));
    closePrivacyNotice(*w);
    ChatView *chat = w->chatView();
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty(), 10000);
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    const qsizetype asked = m_llm.requests().size();
    QTest::keyClicks(input, QStringLiteral("Which students in 8A need help with fractions?"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(m_llm.requests().size() > asked, 5000);
    QTest::qWait(300); // the first piece is on its way
    QVERIFY(chat->isSending());

    // The admin saves new settings while the reply streams: the services it uses are rebuilt.
    qputenv("LLM_MODEL", "normal");
    w->tabs()->setCurrentWidget(w->adminView());
    QTest::mouseClick(w->adminView()->findChild<QPushButton *>(QStringLiteral("settingsButton")), Qt::LeftButton);
    QDialog *dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (dialog = w->findChild<QDialog *>(QStringLiteral("settingsDialog"))) && dialog->isVisible(), 10000);
    dialog->findChild<QLineEdit *>(QStringLiteral("escalation/threshold"))->setText(QStringLiteral("5"));
    dialog->accept();

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
    QTest::keyClicks(input, QStringLiteral("And which ones in 8B?"));
    QTest::keyClick(input, Qt::Key_Return);
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
    QVERIFY2(error->text().contains(QLatin1String("Redis is not available")), qPrintable(error->text()));
    QTRY_COMPARE(w->pendingRequests(), 0);
    QVERIFY(!busy->isVisible());
    QVERIFY(chat->sessionId().isEmpty());
    QVERIFY(w->findChild<QLabel *>(QStringLiteral("redisStatus"))->text().contains(QLatin1String("unavailable")));

    // Redis comes back: the conversation opens by itself within seconds, and a message goes through.
    QVERIFY(m_redis->server().restart());
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty(), 8000);
    QVERIFY(!error->isVisible());
    QVERIFY(w->findChild<QLabel *>(QStringLiteral("redisStatus"))->text().contains(QLatin1String("connected")));
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    QTest::keyClicks(input, QStringLiteral("How is 6B doing this week?"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 10000);
    QVERIFY2(!error->isVisible(), qPrintable(error->text()));
    QTRY_COMPARE(w->pendingRequests(), 0);
    QVERIFY(!busy->isVisible());
}

void TestConsole::hungAssistantNeverFreezesTheWindow()
{
    qputenv("LLM_MODEL", "stall"); // the server accepts the request and then says nothing
    addAccount(QStringLiteral("hana@school.example"), Role::Teacher);
    auto w = openWindow();
    signIn(*w, QStringLiteral("hana@school.example"));
    closePrivacyNotice(*w);
    ChatView *chat = w->chatView();
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty(), 10000);
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    QTest::keyClicks(input, QStringLiteral("How is Aisha doing?"));
    QTest::keyClick(input, Qt::Key_Return);
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
    auto *error = chat->findChild<QLabel *>(QStringLiteral("chatError"));
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(QLatin1String("cancelled")), qPrintable(error->text()));
    QVERIFY(chat->conversationText().contains(QLatin1String("How is Aisha doing?"))); // recorded, still shown
    qputenv("LLM_MODEL", "normal");
}

void TestConsole::redisComingBackIsFinishedForTheOpenConversation()
{
    addAccount(QStringLiteral("olga@school.example"), Role::Teacher);
    auto w = openWindow();
    signIn(*w, QStringLiteral("olga@school.example"));
    closePrivacyNotice(*w);
    ChatView *chat = w->chatView();
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty(), 10000);
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
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    QTest::keyClicks(input, QStringLiteral("Which topics should 7C revise?"));
    QTest::keyClick(input, Qt::Key_Return);
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
    QTest::keyClicks(input, QStringLiteral("Thanks, and for 7D?"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isSending(), 10000);
    QTRY_COMPARE(redis->command({ "LLEN", SessionStore::historyKey(sessionId) })->integer, 4LL);
    QVERIFY(!warning->isVisible());
}

void TestConsole::contactSupportButtonOpensATicketAtOnce()
{
    addAccount(QStringLiteral("ivy@school.example"), Role::Teacher);
    auto w = openWindow();
    signIn(*w, QStringLiteral("ivy@school.example"));
    closePrivacyNotice(*w);
    ChatView *chat = w->chatView();
    QTRY_VERIFY_WITH_TIMEOUT(!chat->sessionId().isEmpty(), 10000);
    const qsizetype llmCalls = m_llm.requests().size();
    auto *support = chat->findChild<QPushButton *>(QStringLiteral("contactSupportButton"));
    QTRY_VERIFY(support->isEnabled());
    QTest::mouseClick(support, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!chat->ticketId().isEmpty(), 10000);
    QVERIFY(chat->findChild<QWidget *>(QStringLiteral("escalationBanner"))->isVisible());
    QVERIFY(chat->conversationText().contains(chat->ticketId()));
    QCOMPARE(m_llm.requests().size(), llmCalls); // the application answered, not the model
    TicketStore store(m_db);
    auto ticket = store.findBySession(chat->sessionId());
    QVERIFY(ticket);
    QCOMPARE(ticket->summary, QStringLiteral("Teacher asked for support"));
    QVERIFY(ticket->rules.contains(QStringLiteral("contact_support_button")));
}

void TestConsole::supportSeesTheMetrics()
{
    // Ten conversations today, two escalated (after 3 and 5 teacher messages), one guard hit.
    MetricsStore metrics(m_db);
    for (int i = 0; i < 10; ++i)
        QVERIFY(metrics.recordSession());
    QVERIFY(
        metrics.recordEscalation(3, { QStringLiteral("wrong"), QStringLiteral("unclear"), QStringLiteral("wrong") }));
    QVERIFY(metrics.recordEscalation(5, { QStringLiteral("wrong"), QStringLiteral("talk_to_person") }));
    QVERIFY(metrics.recordGuardHit(QStringLiteral("ticket_id")));

    addAccount(QStringLiteral("s@school.example"), Role::Support);
    auto w = openWindow();
    signIn(*w, QStringLiteral("s@school.example"));
    closePrivacyNotice(*w);
    MetricsView *view = w->metricsView();
    QVERIFY(view);
    w->tabs()->setCurrentWidget(view);
    QTRY_COMPARE_WITH_TIMEOUT(view->summary().sessions, 10, 10000);
    QCOMPARE(view->summary().escalations, 2);
    QVERIFY(view->findChild<QLabel *>(QStringLiteral("metricsSessions"))->text().contains(QLatin1String("2 / 10")));
    auto *rate = view->findChild<QLabel *>(QStringLiteral("metricsRate"));
    QVERIFY2(rate->text().contains(QLatin1String("20.0")), qPrintable(rate->text()));
    QVERIFY(rate->styleSheet().contains(QLatin1String("#b3261e"))); // over the 5 % target: red
    QVERIFY(view->findChild<QLabel *>(QStringLiteral("metricsMedian"))->text().contains(QLatin1String(">4<")));
    QVERIFY(view->findChild<QLabel *>(QStringLiteral("metricsGuard"))->text().contains(QLatin1String(">1<")));

    // The rate chart: one point per day of the 30, today's at 20 %, and the target line at 5 %.
    QChart *chart = view->findChild<QChartView *>(QStringLiteral("rateChart"))->chart();
    QCOMPARE(chart->series().size(), 2);
    auto *line = qobject_cast<QLineSeries *>(chart->series().at(0));
    QVERIFY(line);
    QCOMPARE(line->count(), 30);
    QCOMPARE(line->at(29).y(), 20.0);
    QCOMPARE(line->at(28).y(), 0.0);
    QCOMPARE(QDateTime::fromMSecsSinceEpoch(qint64(line->at(29).x())).date(), QDateTime::currentDateTimeUtc().date());
    auto *target = qobject_cast<QLineSeries *>(chart->series().at(1));
    QVERIFY(target && target->count() == 30 && target->at(0).y() == 5.0);
    // Rules: "wrong" led to both escalations, so it is the longest bar, drawn at the top.
    QChart *rules = view->findChild<QChartView *>(QStringLiteral("rulesChart"))->chart();
    auto *ruleBars = qobject_cast<QHorizontalBarSeries *>(rules->series().at(0));
    QVERIFY(ruleBars);
    QCOMPARE(ruleBars->barSets().first()->count(), 3);
    QCOMPARE(ruleBars->barSets().first()->at(2), 2.0);
    screenshot(w.get(), QStringLiteral("metrics.png"));

    // Per week: the current ISO week holds everything.
    auto *grouping = view->findChild<QComboBox *>(QStringLiteral("metricsGrouping"));
    grouping->setCurrentIndex(1);
    QVERIFY(chart->title().contains(QLatin1String("week")));
    line = qobject_cast<QLineSeries *>(chart->series().at(0));
    QVERIFY(line->count() >= 5 && line->count() <= 6);
    QCOMPARE(line->at(line->count() - 1).y(), 20.0);
    const QDate monday = QDateTime::fromMSecsSinceEpoch(qint64(line->at(line->count() - 1).x())).date();
    QCOMPARE(monday.dayOfWeek(), 1);
    QVERIFY(monday.daysTo(QDateTime::currentDateTimeUtc().date()) < 7);
}

void TestConsole::twoSeatsShareTicketsLive()
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

QTEST_MAIN(TestConsole)
#include "tst_console.moc"
