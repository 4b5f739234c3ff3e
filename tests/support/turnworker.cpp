// Runs one teacher message through the core (validate, detect, record, escalate) and prints the
// outcome as JSON. The race test starts several of these at once against one session.
#include "accountstore.h"
#include "config.h"
#include "database.h"
#include "detector.h"
#include "escalationengine.h"
#include "redisclient.h"
#include "sessionstore.h"
#include "ticketservice.h"
#include "ticketstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QThread>

#include <cstdio>

using namespace LearnPulse;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    for (const char *name : {"data-dir", "redis-url", "session", "user-email", "text", "go-file"})
        p.addOption({QLatin1String(name), QString(), QStringLiteral("VALUE")});
    p.process(app);

    auto config = Config::load(p.value(QStringLiteral("data-dir")), QProcessEnvironment());
    if (!config)
        qFatal("%s", qPrintable(config.error()));
    config->redisUrl = p.value(QStringLiteral("redis-url"));
    auto db = Database::open(config.value());
    if (!db)
        qFatal("%s", qPrintable(db.error()));
    auto redis = RedisClient::connect(config->redisUrl);
    if (!redis)
        qFatal("%s", qPrintable(redis.error()));
    AccountStore accounts(db.value());
    auto teacher = accounts.findByEmail(p.value(QStringLiteral("user-email")));
    if (!teacher)
        qFatal("%s", qPrintable(teacher.error()));

    SessionStore sessions(*redis.value(), config.value());
    auto store = std::make_shared<TicketStore>(db.value());
    TicketService tickets(config.value(), store);
    EscalationEngine engine(config.value(), Detector::builtin(), sessions, tickets);

    // Everything is connected: wait for the starting signal so that all workers race together.
    const QString go = p.value(QStringLiteral("go-file"));
    while (!go.isEmpty() && !QFileInfo::exists(go))
        QThread::usleep(200);

    const TurnOutcome outcome = engine.handleTeacherMessage(teacher.value(), p.value(QStringLiteral("session")),
                                                            p.value(QStringLiteral("text")));
    QJsonObject o = outcome.toJson();
    o.insert(QStringLiteral("new_ticket"), outcome.newlyEscalated);
    std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    return outcome.status == TurnOutcome::Status::Recorded ? 0 : 1;
}
