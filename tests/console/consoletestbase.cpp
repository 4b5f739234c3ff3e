#include "consoletestbase.h"

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

void ConsoleTestBase::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(m_llm.start(3.0), qPrintable(m_llm.error()));
}

void ConsoleTestBase::init()
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

void ConsoleTestBase::cleanup()
{
    m_db.reset();
    m_redis.reset();
    m_dataDir.reset();
}

void ConsoleTestBase::addAccount(const QString &email, Role role)
{
    AccountStore accounts(m_db);
    QVERIFY(accounts.add(
        Actor::commandLine(), email, email.section(QLatin1Char('@'), 0, 0), role, QByteArray("secret-pass-1")));
}

std::unique_ptr<ConsoleWindow> ConsoleTestBase::openWindow()
{
    auto w = std::make_unique<ConsoleWindow>(m_dataDir->path());
    w->resize(1280, 820);
    w->show();
    return w;
}

void ConsoleTestBase::signIn(ConsoleWindow &w, const QString &email)
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

QDialog *ConsoleTestBase::openSettings(ConsoleWindow &w)
{
    w.tabs()->setCurrentWidget(w.adminView());
    QTest::mouseClick(w.adminView()->findChild<QPushButton *>(QStringLiteral("settingsButton")), Qt::LeftButton);
    QDialog *dialog = nullptr;
    const bool shown = QTest::qWaitFor(
        [&] { return (dialog = w.findChild<QDialog *>(QStringLiteral("settingsDialog"))) && dialog->isVisible(); },
        10000);
    return shown ? dialog : nullptr;
}

void ConsoleTestBase::closePrivacyNotice(ConsoleWindow &w)
{
    QDialog *notice = nullptr;
    QTRY_VERIFY((notice = w.findChild<QDialog *>(QStringLiteral("privacyNotice"))) && notice->isVisible());
    QVERIFY(notice->findChild<QTextBrowser *>()->toPlainText().contains(QLatin1String("7 days")));
    QVERIFY(fitsSmallScreen(notice));
    notice->reject();
}

std::unique_ptr<ConsoleWindow> ConsoleTestBase::openAs(const QString &email, Role role)
{
    addAccount(email, role);
    auto w = openWindow();
    signIn(*w, email);
    closePrivacyNotice(*w);
    return w;
}

std::unique_ptr<ConsoleWindow> ConsoleTestBase::openChat(const QString &email, Role role)
{
    auto w = openAs(email, role);
    w->tabs()->setCurrentWidget(w->chatView());
    if (!QTest::qWaitFor([&] { return !w->chatView()->sessionId().isEmpty(); }, 10000))
        qWarning("the conversation did not open");
    return w;
}

void ConsoleTestBase::say(ChatView *chat, const QString &text)
{
    auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
    QTest::keyClicks(input, text);
    QTest::keyClick(input, Qt::Key_Return);
}

void ConsoleTestBase::chooseStatus(TicketBrowser *browser, const QString &status)
{
    auto *combo = browser->findChild<QComboBox *>(QStringLiteral("ticketStatusCombo"));
    combo->setCurrentIndex(combo->findData(status));
    emit combo->activated(combo->currentIndex());
}

TicketResult ConsoleTestBase::makeTicket(const QString &words, int n)
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

bool ConsoleTestBase::fitsSmallScreen(const QWidget *dialog)
{
    // Room for a title bar and a panel too: the offscreen platform draws no frame, so it is not counted in.
    const QSize shown = dialog->frameGeometry().size().expandedTo(dialog->minimumSizeHint());
    return shown.width() <= 790 && shown.height() <= 540;
}

void ConsoleTestBase::screenshot(QWidget *w, const QString &name)
{
    const QByteArray dir = qgetenv("LP_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QTest::qWait(300);
    w->window()->grab().save(QString::fromLocal8Bit(dir) + QLatin1Char('/') + name);
}
