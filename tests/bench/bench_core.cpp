// Benchmarks of the core, against baselines measured side by side in the same run (the machine is
// shared and noisy: ratios, counts and medians, never one absolute time). See docs/BENCHMARKS.md.
//
//   bench_core [--size N] [--json]      N: tickets in the index (default 100000; CI runs 2000)
#include "accountstore.h"
#include "config.h"
#include "database.h"
#include "detector.h"
#include "escalationengine.h"
#include "messageclassifier.h"
#include "privacyservice.h"
#include "redisclient.h"
#include "redisserverprocess.h"
#include "sessionstore.h"
#include "textmodel.h"
#include "ticketgenerator.h"
#include "ticketservice.h"
#include "ticketstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>

#include <algorithm>
#include <cstdio>

using namespace LearnPulse;
using namespace LearnPulse::Bench;

namespace {

QJsonObject results;

double percentile(QList<double> v, double p)
{
    if (v.isEmpty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.at(qMin(v.size() - 1, qsizetype(p * double(v.size()))));
}

void report(const QString &name, const QJsonObject &o)
{
    results.insert(name, o);
    std::printf("%-22s %s\n", qPrintable(name), QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

QStringList generatedMessages(int n)
{
    const QStringList subjects { QStringLiteral("Omar"), QStringLiteral("This"), QStringLiteral("The class"),
        QStringLiteral("Your answer"), QStringLiteral("Priya"), QStringLiteral("It") };
    const QStringList middles { QStringLiteral("is still wrong"), QStringLiteral("doesn't help"),
        QStringLiteral("is doing well in 6B"), QStringLiteral("seems confused by loops"),
        QStringLiteral("needs a summary of last term"), QStringLiteral("is not what I asked") };
    const QStringList tails { QString(), QStringLiteral(", thanks."), QStringLiteral(". Can you check the quiz?"),
        QStringLiteral(" — I need to talk to support."), QStringLiteral("?") };
    QStringList out;
    out.reserve(n);
    auto *rng = QRandomGenerator::global();
    for (int i = 0; i < n; ++i)
        out << subjects.at(rng->bounded(int(subjects.size()))) + QLatin1Char(' ')
                + middles.at(rng->bounded(int(middles.size()))) + tails.at(rng->bounded(int(tails.size())));
    return out;
}

// The process's resident memory, from /proc/self/statm.
qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * 4096 : 0;
}

// The naive baseline the issue names: lower-case the text and search every phrase.
bool naiveDetect(const QString &text, const QStringList &phrases)
{
    const QString lower = text.toLower();
    for (const QString &p : phrases)
        if (lower.contains(p))
            return true;
    return false;
}

void benchDetector(int n)
{
    const QStringList messages = generatedMessages(n);
    const QStringList phrases { QStringLiteral("not helpful"), QStringLiteral("doesn't help"),
        QStringLiteral("still wrong"), QStringLiteral("not clear"), QStringLiteral("confusing"),
        QStringLiteral("frustrated"), QStringLiteral("useless"), QStringLiteral("talk to support"),
        QStringLiteral("speak to someone"), QStringLiteral("not what i asked"), QStringLiteral("wrong"),
        QStringLiteral("unclear"), QStringLiteral("human"), QStringLiteral("annoyed"), QStringLiteral("not satisfied"),
        QStringLiteral("escalate") };
    QElapsedTimer t;
    t.start();
    int naiveHits = 0;
    for (const QString &m : messages)
        naiveHits += naiveDetect(m, phrases);
    const double naiveMs = double(t.nsecsElapsed()) / 1e6;
    t.restart();
    int hits = 0;
    for (const QString &m : messages)
        hits += Detector::builtin().detect(m).dissatisfied;
    const double ms = double(t.nsecsElapsed()) / 1e6;
    report(QStringLiteral("detector"),
        { { QStringLiteral("messages"), n }, { QStringLiteral("per_second"), qRound64(n / (ms / 1000.0)) },
            { QStringLiteral("naive_per_second"), qRound64(n / (naiveMs / 1000.0)) },
            { QStringLiteral("slowdown_vs_naive"), ms / naiveMs }, { QStringLiteral("signals"), hits },
            { QStringLiteral("naive_signals"), naiveHits } });

    // The trained model beside the rules (issue 25): its load, what it adds to the process, and the detector
    // with it, without and with the explanation (the words that weighed most, computed for counted messages).
    const qint64 before = residentBytes();
    QElapsedTimer load;
    load.start();
    QFile ftz(QStringLiteral(":/model/detector.ftz"));
    QFile json(QStringLiteral(":/model/detector.json"));
    ftz.open(QIODevice::ReadOnly);
    json.open(QIODevice::ReadOnly);
    auto model = TextModel::fromBytes(ftz.readAll(), json.readAll(), QStringLiteral("bench"));
    const double loadMs = double(load.nsecsElapsed()) / 1e6;
    const qint64 grown = residentBytes() - before;
    if (!model)
        qFatal("the built-in model does not load: %s", qPrintable(model.error()));
    const MessageClassifier classifier(nullptr, model.value());
    for (const bool explain : { false, true }) {
        t.restart();
        int counted = 0;
        for (const QString &m : messages)
            counted += classifier.classify(m, explain).dissatisfied;
        const double withModel = double(t.nsecsElapsed()) / 1e6;
        report(explain ? QStringLiteral("detector_with_model_explained") : QStringLiteral("detector_with_model"),
            { { QStringLiteral("messages"), n }, { QStringLiteral("per_second"), qRound64(n / (withModel / 1000.0)) },
                { QStringLiteral("signals"), counted }, { QStringLiteral("model_load_ms"), loadMs },
                { QStringLiteral("process_growth_mb"), double(grown) / (1024.0 * 1024.0) } });
    }
}

void benchRedisTurn(RedisClient &redis, const Config &config, std::shared_ptr<Database> db, int turns)
{
    SessionStore sessions(redis, config);
    TicketService tickets(config, std::make_shared<TicketStore>(db));
    const MessageClassifier rules(nullptr);
    EscalationEngine engine(config, rules, sessions, tickets);
    Account teacher;
    teacher.id = QStringLiteral("bench-user");
    teacher.email = QStringLiteral("b@school.example");
    const QString session
        = sessions.createSession({ QStringLiteral("bench-user"), QStringLiteral("b@school.example"), {}, {}, {} })
              .value();
    const Detection none;
    // Warm up: script cached on the server, session cached in the store.
    (void)sessions.record(
        session, QStringLiteral("bench-user"), { QStringLiteral("teacher"), QStringLiteral("warm"), {} }, &none);
    (void)redis.command({ "PING" });
    (void)engine.handleTeacherMessage(teacher, session, QStringLiteral("warm"));
    // The same request as the state update, with its arguments made once: what the server and the transport
    // cost, so that the client's own share of the state update shows.
    QFile scriptFile(QStringLiteral(":/redis/turn.lua"));
    if (!scriptFile.open(QIODevice::ReadOnly))
        qFatal("the turn script resource is missing");
    const QList<QByteArray> rawTurn = RedisClient::evalShaCommand(scriptFile.readAll(),
        { SessionStore::stateKey(session), SessionStore::historyKey(session) },
        { "bench-user", "teacher",
            R"({"role":"teacher","content":"How is the class doing?","ts":"2026-11-24T10:00:00.000Z"})", "0", "0", "3",
            QByteArray::number(config.historyCap), "604800", "1", "2026-11-24T10:00:00.000Z", "1795000000",
            "00000000-0000-4000-8000-000000000000", "", "300" });
    QList<double> record;
    QList<double> raw;
    QList<double> turn;
    QList<double> ping;
    qint64 recordTrips = 0;
    qint64 turnTrips = 0;
    for (int i = 0; i < turns; ++i) {
        QElapsedTimer t;
        t.start();
        (void)redis.command({ "PING" });
        ping << double(t.nsecsElapsed()) / 1000.0;
        qint64 before = redis.roundTrips();
        t.restart();
        (void)sessions.record(session, QStringLiteral("bench-user"),
            { QStringLiteral("teacher"), QStringLiteral("How is the class doing?"), QDateTime::currentDateTimeUtc() },
            &none);
        record << double(t.nsecsElapsed()) / 1000.0;
        recordTrips += redis.roundTrips() - before;
        t.restart();
        (void)redis.command(rawTurn);
        raw << double(t.nsecsElapsed()) / 1000.0;
        // The whole turn of the core: validation, rate limit, detection, the state update.
        before = redis.roundTrips();
        t.restart();
        // A new question each time (another class): the same question again would be a signal (repetition).
        (void)engine.handleTeacherMessage(
            teacher, session, QStringLiteral("Which students in Y%1 are confused by loops?").arg(i));
        turn << double(t.nsecsElapsed()) / 1000.0;
        turnTrips += redis.roundTrips() - before;
    }
    report(QStringLiteral("redis_turn"),
        { { QStringLiteral("turns"), turns },
            { QStringLiteral("state_update_round_trips"), double(recordTrips) / turns },
            { QStringLiteral("turn_round_trips"), double(turnTrips) / turns },
            { QStringLiteral("state_update_p50_us"), percentile(record, 0.5) },
            { QStringLiteral("state_update_p99_us"), percentile(record, 0.99) },
            { QStringLiteral("state_update_prepared_p50_us"), percentile(raw, 0.5) },
            { QStringLiteral("state_update_prepared_p50_ratio_to_ping"), percentile(raw, 0.5) / percentile(ping, 0.5) },
            { QStringLiteral("turn_p50_us"), percentile(turn, 0.5) },
            { QStringLiteral("turn_p99_us"), percentile(turn, 0.99) },
            { QStringLiteral("ping_p50_us"), percentile(ping, 0.5) },
            { QStringLiteral("ping_p99_us"), percentile(ping, 0.99) },
            { QStringLiteral("state_update_p50_ratio_to_ping"), percentile(record, 0.5) / percentile(ping, 0.5) },
            { QStringLiteral("state_update_p99_ratio_to_ping"), percentile(record, 0.99) / percentile(ping, 0.99) } });
}

void benchTicketCreation(const Config &config, std::shared_ptr<Database> db, int n)
{
    TicketService service(config, std::make_shared<TicketStore>(db));
    QList<double> times;
    for (int i = 0; i < n; ++i) {
        TicketRequest r;
        r.session.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        r.session.dissatisfactionCount = 3;
        for (int m = 0; m < 10; ++m)
            r.history << HistoryEntry { m % 2 ? QStringLiteral("assistant") : QStringLiteral("teacher"),
                QStringLiteral("Message %1 about loops and fractions in 6B.").arg(m), QDateTime::currentDateTimeUtc() };
        r.teacherName = QStringLiteral("Bench Teacher");
        r.teacherEmail = QStringLiteral("bench@school.example");
        r.teacherUserId = QStringLiteral("bench-user");
        r.teacherRole = QStringLiteral("teacher");
        r.summary = QStringLiteral("Teacher dissatisfaction after 3 signals");
        QElapsedTimer t;
        t.start();
        const TicketResult result = service.createTicket(r);
        times << double(t.nsecsElapsed()) / 1e6;
        if (!result.success)
            qFatal("%s", qPrintable(result.error));
    }
    report(QStringLiteral("ticket_creation"),
        { { QStringLiteral("tickets"), n }, { QStringLiteral("p50_ms"), percentile(times, 0.5) },
            { QStringLiteral("p99_ms"), percentile(times, 0.99) } });
}

template<typename F>
double medianMs(int runs, F &&f)
{
    QList<double> times;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        f();
        times << double(t.nsecsElapsed()) / 1e6;
    }
    return percentile(times, 0.5);
}

void benchBrowserAndErasure(const Config &config, std::shared_ptr<Database> db, int n)
{
    const int teacherTickets = qMax(10, n / 100);
    QElapsedTimer gen;
    gen.start();
    generateIndex(config, db, n, teacherTickets);
    const double generateS = double(gen.elapsed()) / 1000.0;
    const qint64 rssBefore = residentKiB();
    TicketStore store(db);
    const Actor admin = Actor::commandLine();
    // What the browser does to show its first page: the newest 200 rows and the count.
    const double firstPage = medianMs(7, [&] {
        TicketFilter f;
        f.limit = 200;
        (void)store.listWithTotal(admin, f);
    });
    // A search: its first page and how many match, in one query (as the browser asks).
    const double search = medianMs(7, [&] {
        TicketFilter f;
        f.search = QStringLiteral("photosynthesis algebra");
        f.limit = 200;
        (void)store.listWithTotal(admin, f);
    });
    const double grep = medianMs(3, [&] {
        QProcess p;
        p.start(
            QStringLiteral("grep"), { QStringLiteral("-rl"), QStringLiteral("photosynthesis"), config.ticketsDir() });
        p.waitForFinished(120000);
    });
    report(QStringLiteral("ticket_browser"),
        { { QStringLiteral("tickets"), n }, { QStringLiteral("generate_s"), generateS },
            { QStringLiteral("first_page_ms"), firstPage }, { QStringLiteral("search_ms"), search },
            { QStringLiteral("grep_rl_ms"), grep }, { QStringLiteral("search_speedup_vs_grep"), grep / search },
            { QStringLiteral("resident_mib"), double(residentKiB()) / 1024.0 },
            { QStringLiteral("resident_growth_mib"), double(residentKiB() - rssBefore) / 1024.0 } });

    PrivacyService privacy(config, db, nullptr);
    QElapsedTimer t;
    t.start();
    auto erased = privacy.erase(admin, QStringLiteral("erase.me@school.example"));
    const double eraseMs = double(t.nsecsElapsed()) / 1e6;
    if (!erased)
        qFatal("%s", qPrintable(erased.error()));
    report(QStringLiteral("erasure"),
        { { QStringLiteral("tickets_total"), n }, { QStringLiteral("tickets_erased"), erased->tickets },
            { QStringLiteral("ms"), eraseMs } });
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("lp.*=false")); // the figures only
    QCommandLineParser parser;
    parser.addOption({ QStringLiteral("size"), QStringLiteral("Tickets in the index."), QStringLiteral("N"),
        QStringLiteral("100000") });
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Write all results as one JSON object to FILE."),
        QStringLiteral("FILE") });
    parser.addOption(
        { QStringLiteral("detector-only"), QStringLiteral("Only the detector's figures (for a profiler).") });
    parser.addHelpOption();
    parser.process(app);
    const int size = qMax(100, parser.value(QStringLiteral("size")).toInt());
    if (parser.isSet(QStringLiteral("detector-only"))) {
        benchDetector(qMin(size, 100000));
        return 0;
    }

    QTemporaryDir dir;
    RedisServerProcess redisServer;
    RedisServerProcess::Options o;
    o.directory = dir.filePath(QStringLiteral("redis"));
    o.unixSocket = false;
    o.port = RedisServerProcess::freePort();
    o.appendOnly = true;
    if (auto started = redisServer.start(o); !started)
        qFatal("%s", qPrintable(started.error()));
    auto config = Config::load(dir.filePath(QStringLiteral("data")), QProcessEnvironment()).value();
    auto db = Database::open(config).value();
    auto redis = RedisClient::connect(redisServer.url()).value();

    benchDetector(qMin(size, 100000));
    {
        // Rate limit off for the benchmark: it measures cost, not the limit.
        Config unlimited = config;
        unlimited.rateLimitPerMinute = 1000000;
        // LP_BENCH_NO_REPETITION=1: without the repetition signal, to see what it costs.
        unlimited.repetitionSignal = !qEnvironmentVariableIsSet("LP_BENCH_NO_REPETITION");
        benchRedisTurn(*redis, unlimited, db, qMin(2000, size));
    }
    benchTicketCreation(config, db, qMin(200, size / 10));
    benchBrowserAndErasure(config, db, size);

    if (parser.isSet(QStringLiteral("json"))) {
        QFile out(parser.value(QStringLiteral("json")));
        if (out.open(QIODevice::WriteOnly))
            out.write(QJsonDocument(results).toJson());
    }
    return 0;
}
