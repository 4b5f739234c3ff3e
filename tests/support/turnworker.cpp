// Runs teacher messages through the core (validate, detect, record, escalate) and prints each outcome
// as a JSON line. The exactly-once tests start several of these at once against one session, each
// with several threads (each thread with its own Redis and database connection), and the crash
// tests kill one at a chosen point (LEARNPULSE_CRASH_AT).
#include "accountstore.h"
#include "config.h"
#include "database.h"
#include "detector.h"
#include "escalationengine.h"
#include "outbox.h"
#include "redisclient.h"
#include "services.h"
#include "sessionstore.h"
#include "ticketservice.h"
#include "ticketstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMutex>
#include <QThread>

#include <cstdio>
#include <thread>
#include <vector>

using namespace LearnPulse;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    for (const char *name : { "data-dir", "redis-url", "session", "user-email", "text", "go-file", "threads" })
        p.addOption({ QLatin1String(name), QString(), QStringLiteral("VALUE") });
    p.addOption({ QStringLiteral("deliver"), QStringLiteral("Deliver the outbox afterwards.") });
    p.addOption({ QStringLiteral("presence"),
        QStringLiteral("Instead: keep saying, as a support console does, that this user has TICKET open, until "
                       "killed."),
        QStringLiteral("TICKET") });
    p.process(app);

    if (p.isSet(QStringLiteral("presence"))) {
        auto client = RedisClient::connect(p.value(QStringLiteral("redis-url")));
        if (!client)
            qFatal("%s", qPrintable(client.error()));
        const Config defaults;
        SessionStore sessions(*client.value(), defaults);
        for (;;) {
            if (auto marked = sessions.markViewing(p.value(QStringLiteral("presence")), QStringLiteral("worker-agent"),
                    p.value(QStringLiteral("text")));
                !marked)
                qFatal("%s", qPrintable(marked.error()));
            std::printf("viewing\n");
            std::fflush(stdout);
            QThread::msleep(2000);
        }
    }

    auto config = Config::load(p.value(QStringLiteral("data-dir")), QProcessEnvironment());
    if (config)
        config->databaseUrl = qEnvironmentVariable("DATABASE_URL"); // the index the test uses
    if (!config)
        qFatal("%s", qPrintable(config.error()));
    config->redisUrl = p.value(QStringLiteral("redis-url"));
    if (!qEnvironmentVariableIsEmpty("SMTP_HOST")) {
        config->smtpHost = qEnvironmentVariable("SMTP_HOST");
        config->smtpPort = qEnvironmentVariableIntValue("SMTP_PORT");
    }
    auto db = Database::open(config.value());
    if (!db)
        qFatal("%s", qPrintable(db.error()));
    AccountStore accounts(db.value());
    auto teacher = accounts.findByEmail(p.value(QStringLiteral("user-email")));
    if (!teacher)
        qFatal("%s", qPrintable(teacher.error()));
    const int threads = qMax(1, p.value(QStringLiteral("threads")).toInt());
    const QString go = p.value(QStringLiteral("go-file"));
    const QString session = p.value(QStringLiteral("session"));
    const QString text = p.value(QStringLiteral("text"));

    QMutex outputLock;
    bool allRecorded = true;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            // Each thread wires its own services (its own Redis connection) over the shared index, the
            // same way the console and learnpulsectl do.
            auto services = Services::open(config.value(), db.value());
            if (!services)
                qFatal("%s", qPrintable(services.error()));
            if (auto redis = services.value()->connectRedis(); !redis)
                qFatal("%s", qPrintable(redis.error()));
            EscalationEngine &engine = *services.value()->escalation();
            // Everything is connected: wait for the starting signal so that all workers race together.
            while (!go.isEmpty() && !QFileInfo::exists(go))
                QThread::usleep(200);
            const TurnOutcome outcome = engine.handleTeacherMessage(
                teacher.value(), session, threads > 1 ? text + QStringLiteral(" #%1").arg(t) : text);
            QJsonObject o = outcome.toJson();
            o.insert(QStringLiteral("new_ticket"), outcome.newlyEscalated);
            o.insert(QStringLiteral("reopened"), outcome.reopened);
            o.insert(QStringLiteral("added_to_thread"), outcome.addedToThread);
            QMutexLocker lock(&outputLock);
            allRecorded = allRecorded && outcome.status == TurnOutcome::Status::Recorded;
            std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
            std::fflush(stdout);
        });
    }
    for (auto &w : workers)
        w.join();
    if (p.isSet(QStringLiteral("deliver")))
        Outbox(db.value(), config.value()).deliverDue();
    return allRecorded ? 0 : 1;
}
