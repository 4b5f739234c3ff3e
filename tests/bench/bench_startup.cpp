// Cold start of the console: from a new process to the first window showing its sign-in page (data
// directory opened, Redis connected), median of several fresh processes; and the time to the first
// streamed token from a loopback OpenAI-compatible server, against that server's own /models answer.
//
//   bench_startup [--runs N]
#include "benchsupport.h"
#include "consolewindow.h"
#include "llmclient.h"
#include "signinpage.h"
#include "testsupport.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>

#include <algorithm>
#include <cstdio>

using namespace LearnPulse;
using Bench::median;

namespace {

// The child: show the window and say when the sign-in page is up.
int child(const QString &dataDir)
{
    QElapsedTimer t;
    t.start();
    ConsoleWindow w(dataDir);
    w.show();
    while (!w.signInPage()->isVisible())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    std::printf("READY %lld\n", t.nsecsElapsed() / 1000);
    std::fflush(stdout);
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("lp.*=false"));
    QCommandLineParser parser;
    parser.addOption({ QStringLiteral("runs"), QStringLiteral("Fresh processes to start."), QStringLiteral("N"),
        QStringLiteral("5") });
    parser.addOption({ QStringLiteral("child"), QStringLiteral("(internal)"), QStringLiteral("DIR") });
    parser.process(app);
    if (parser.isSet(QStringLiteral("child")))
        return child(parser.value(QStringLiteral("child")));

    Test::TestRedis redis;
    if (!redis.start())
        qFatal("%s", qPrintable(redis.error()));
    QTemporaryDir data;
    QList<double> processMs;
    QList<double> windowMs;
    const int runs = qMax(1, parser.value(QStringLiteral("runs")).toInt());
    for (int i = 0; i < runs; ++i) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("REDIS_URL"), redis.url());
        QProcess p;
        p.setProcessEnvironment(env);
        QElapsedTimer t;
        t.start();
        p.start(QCoreApplication::applicationFilePath(), { QStringLiteral("--child"), data.path() });
        while (!p.canReadLine() && p.waitForReadyRead(30000)) { }
        processMs << double(t.nsecsElapsed()) / 1e6;
        const QByteArray line = p.readLine().trimmed();
        windowMs << line.mid(6).toDouble() / 1000.0;
        p.waitForFinished(30000);
    }

    Test::FakeLlm llm;
    if (!llm.start())
        qFatal("%s", qPrintable(llm.error()));
    LlmSettings s;
    s.baseUrl = QUrl(llm.baseUrl());
    s.model = QStringLiteral("normal");
    LlmClient client(s);
    QNetworkAccessManager network;
    QList<double> firstToken;
    QList<double> models;
    for (int i = 0; i < 10; ++i) {
        QElapsedTimer t;
        t.start();
        QNetworkReply *reply = network.get(QNetworkRequest(QUrl(llm.baseUrl() + QStringLiteral("/models"))));
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(10000);
        models << double(t.nsecsElapsed()) / 1e6;
        reply->deleteLater();

        t.restart();
        LlmReply *r = client.chat({ { QStringLiteral("user"), QStringLiteral("How is 6B doing?") } });
        QSignalSpy delta(r, &LlmReply::delta);
        QSignalSpy finished(r, &LlmReply::finished);
        delta.wait(10000);
        firstToken << double(t.nsecsElapsed()) / 1e6;
        if (finished.isEmpty())
            finished.wait(10000);
    }
    const QJsonObject o { { QStringLiteral("runs"), runs },
        { QStringLiteral("process_to_signin_ms"), median(processMs) },
        { QStringLiteral("window_to_signin_ms"), median(windowMs) },
        { QStringLiteral("first_token_ms"), median(firstToken) },
        { QStringLiteral("models_request_ms"), median(models) } };
    std::printf("%-22s %s\n", "startup", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    return 0;
}
