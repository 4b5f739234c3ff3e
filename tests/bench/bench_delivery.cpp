// A teacher's turn while ticket delivery hangs. The console (real window, offscreen) chats with the
// OpenAI-compatible test server over a real Redis; one message opens a ticket whose email goes to an
// SMTP host that accepts TCP connections and never answers. The p50 of the turns after it is compared
// with the same turns against a healthy SMTP sink (goal: within 1.1x), and then the host answers again:
// the ticket must still be delivered, once.
#include "accountstore.h"
#include "benchsupport.h"
#include "chatview.h"
#include "consolewindow.h"
#include "messageedit.h"
#include "signinpage.h"
#include "testsupport.h"

#include <QApplication>
#include <QDialog>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

using namespace LearnPulse;
using Bench::die;
using Bench::median;
using Bench::waitFor;

namespace {

constexpr int waitSeconds = 60; // for each step of a session

struct Run
{
    QList<double> turnsMs;
    double deliveredAfterS = 0;
    int delivered = 0;
};

// One console session: sign in, a few turns, "Contact support" (a ticket and its email), then `turns`
// timed turns. `blackHole` set: the SMTP port answers only after the turns.
Run session(int smtpPort, QTcpServer *blackHole, int turns)
{
    QTemporaryDir data;
    {
        QSettings ini(data.filePath(QStringLiteral("learnpulse.ini")), QSettings::IniFormat);
        ini.setValue(QStringLiteral("smtp/host"), QStringLiteral("127.0.0.1"));
        ini.setValue(QStringLiteral("smtp/port"), smtpPort);
        ini.setValue(QStringLiteral("smtp/timeout_seconds"), 20);
        ini.setValue(QStringLiteral("outbox/backoff_initial_seconds"), 1);
        ini.setValue(QStringLiteral("outbox/poll_seconds"), 1);
        ini.setValue(QStringLiteral("limits/rate_per_minute"), 10000);
    }
    {
        const Config config = Config::load(data.path()).value();
        auto db = Database::open(config);
        if (!db)
            die(db.error());
        AccountStore accounts(db.value());
        if (auto added = accounts.add(Actor::commandLine(), QStringLiteral("teacher@school.example"),
                QStringLiteral("Teacher"), Role::Teacher, QByteArray("secret-pass-1"));
            !added)
            die(added.error());
    }
    Test::SmtpSink sink;
    if (!blackHole && !sink.start(smtpPort))
        die(sink.error());

    Run run;
    {
        ConsoleWindow w(data.path());
        w.resize(1100, 760);
        w.show();
        SignInPage *page = w.signInPage();
        waitFor([&] { return page->isVisible(); }, "the sign-in page", waitSeconds);
        page->findChild<QLineEdit *>(QStringLiteral("emailEdit"))->setText(QStringLiteral("teacher@school.example"));
        page->findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->setText(QStringLiteral("secret-pass-1"));
        page->findChild<QPushButton *>(QStringLiteral("signInButton"))->click();
        waitFor([&] { return w.isSignedIn(); }, "the sign-in", waitSeconds);
        if (auto *notice = w.findChild<QDialog *>(QStringLiteral("privacyNotice")))
            notice->reject();
        ChatView *chat = w.chatView();
        waitFor([&] { return !chat->sessionId().isEmpty(); }, "the conversation", waitSeconds);
        auto *input = chat->findChild<MessageEdit *>(QStringLiteral("messageInput"));
        auto turn = [&](int i) {
            input->setPlainText(QStringLiteral("Which topics should 7C revise before test %1?").arg(i));
            QElapsedTimer t;
            t.start();
            QTest::keyClick(input, Qt::Key_Return);
            waitFor([&] { return !chat->isSending(); }, "a reply", waitSeconds);
            return double(t.nsecsElapsed()) / 1e6;
        };
        for (int i = 0; i < 3; ++i)
            (void)turn(i);
        chat->findChild<QPushButton *>(QStringLiteral("contactSupportButton"))->click();
        chat->findChild<QDialog *>(QStringLiteral("contactSupportDialog"))->accept(); // "Open a ticket"
        waitFor([&] { return !chat->isSending() && !chat->ticketId().isEmpty(); }, "the ticket", waitSeconds);
        QTest::qWait(300); // the delivery thread is at the SMTP host now
        for (int i = 0; i < turns; ++i)
            run.turnsMs << turn(100 + i);

        // The host answers again: the black hole closes (the hung delivery fails and is retried), the sink
        // takes its port.
        QElapsedTimer back;
        back.start();
        if (blackHole) {
            blackHole->close();
            if (!sink.start(smtpPort))
                die(sink.error());
        }
        waitFor([&] { return !sink.messages().isEmpty(); }, "the ticket email", 90);
        run.deliveredAfterS = double(back.elapsed()) / 1000.0;
        QTest::qWait(1500); // a second copy would arrive by now
        run.delivered = int(sink.messages().size());
    }
    return run;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("lp.*=false"));
    QStandardPaths::setTestModeEnabled(true);
    const int turns = argc > 2 && QByteArray(argv[1]) == "--turns" ? qMax(3, QByteArray(argv[2]).toInt()) : 40;

    QTemporaryDir configHome;
    qputenv("XDG_CONFIG_HOME", configHome.path().toLocal8Bit());
    Test::TestRedis redis;
    if (!redis.start())
        die(redis.error());
    Test::FakeLlm llm;
    if (!llm.start(3.0))
        die(llm.error());
    qputenv("REDIS_URL", redis.url().toUtf8());
    qputenv("LLM_BASE_URL", llm.baseUrl().toUtf8());
    qputenv("LLM_MODEL", "normal");
    for (const char *name : { "LEARNPULSE_DATA_DIR", "SMTP_HOST", "SMTP_PORT", "DATABASE_URL" })
        qunsetenv(name);

    // Alternating rounds, so that a slow moment of the machine falls on both sides.
    Run healthy;
    Run hung;
    for (int round = 0; round < 2; ++round) {
        const Run h = session(RedisServerProcess::freePort(), nullptr, turns);
        healthy.turnsMs += h.turnsMs;
        healthy.delivered = round == 0 ? h.delivered : qMax(healthy.delivered, h.delivered);
        QTcpServer blackHole; // accepts connections (the kernel does) and never says a word
        if (!blackHole.listen(QHostAddress::LocalHost))
            die(QStringLiteral("cannot listen for the black-hole SMTP host"));
        const Run b = session(blackHole.serverPort(), &blackHole, turns);
        hung.turnsMs += b.turnsMs;
        hung.delivered = round == 0 ? b.delivered : qMax(hung.delivered, b.delivered);
        hung.deliveredAfterS = qMax(hung.deliveredAfterS, b.deliveredAfterS);
    }

    const double ratio = median(hung.turnsMs) / median(healthy.turnsMs);
    const QJsonObject o { { QStringLiteral("turns"), 2 * turns },
        { QStringLiteral("turn_p50_ms_healthy_smtp"), median(healthy.turnsMs) },
        { QStringLiteral("turn_p50_ms_hung_smtp"), median(hung.turnsMs) }, { QStringLiteral("ratio"), ratio },
        { QStringLiteral("delivered_after_host_back_s"), hung.deliveredAfterS },
        { QStringLiteral("emails_delivered"), hung.delivered } };
    std::printf("delivery_off_the_chat_thread %s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    // The goal is 1.1x, measured with 40 turns a side (docs/BENCHMARKS.md); a delivery on the chat thread
    // costs 1000x. A smoke run of a few turns beside other tests is noisy: it only catches that.
    const double limit = turns >= 20 ? 2.0 : 5.0;
    if (ratio > limit)
        die(QStringLiteral("turns took %1x as long while the SMTP host hung").arg(ratio));
    if (hung.delivered != 1 || healthy.delivered != 1)
        die(QStringLiteral("the ticket email was delivered %1 times (healthy run: %2), not once")
                .arg(hung.delivered)
                .arg(healthy.delivered));
    return 0;
}
