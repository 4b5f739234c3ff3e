#include "ctl.h"

#include "accountstore.h"
#include "chatengine.h"
#include "config.h"
#include "database.h"
#include "detector.h"
#include "messagevalidator.h"
#include "metricsstore.h"
#include "outbox.h"
#include "privacyservice.h"
#include "redisconnector.h"
#include "sessionstore.h"
#include "ticketservice.h"
#include "roles.h"
#include "ticketstore.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>

#include <cstdio>
#include <functional>
#include <map>
#include <optional>

namespace LearnPulse::Ctl {

namespace {

constexpr int exitOk = 0;
constexpr int exitError = 1;
constexpr int exitUsage = 2;

const char usageText[] = R"(Usage: learnpulsectl COMMAND [OPTIONS]

The LearnPulse Support Console core from a shell. Every command takes --data-dir DIR (default:
$LEARNPULSE_DATA_DIR, else the per-user data directory) and --json (one JSON object per result line).

Commands:
  detect [--json] [TEXT...]          classify each TEXT; no TEXT: one message per stdin line
  chat --user EMAIL [--session ID] [--json] [--class C] [--student S] [--scope X] TEXT
                                     one teacher message through the whole turn; without --session
                                     a new conversation starts (its id is in the output)
  tickets list [--json] [--user EMAIL] [--search QUERY] [--status open|in_progress|resolved]
  tickets show [--json] ID           the ticket and its transcript
  tickets status ID open|in_progress|resolved
  tickets delete ID --yes
  users add --email E --name N --role teacher|support|admin [--password-stdin]
  privacy erase --user EMAIL --yes   erase everything stored about a person; prints what was removed
  privacy export --user EMAIL --out DIR
                                     a person's account, tickets, transcripts and sessions as JSON and .txt
  audit [--json]                     the audit log, newest first
  metrics [--json] [--days N]        escalation rate against the 5 % target, messages before
                                     escalation, top rules, guard hits (the last N days, default 30)
  outbox list [--json]               ticket emails and webhook posts, with their delivery state
  outbox retry                       make pending and failed deliveries due now and try them once

Exit status: 0 success, 2 bad usage, 1 any other error (one line on stderr).
)";

void writeOut(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
}

void printJson(const QJsonObject &o)
{
    const QByteArray bytes = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
}

int fail(int code, const QString &message)
{
    std::fflush(stdout);
    const QByteArray bytes = (QStringLiteral("learnpulsectl: ") + message).toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    return code;
}

int usage(const QString &message)
{
    return fail(exitUsage, message + QStringLiteral(" (see learnpulsectl --help)"));
}

// The parsed options of one command.
struct Invocation
{
    QCommandLineParser parser;
    QStringList positional;
    bool json = false;

    QString value(const QString &name) const { return parser.value(name); }
    bool isSet(const QString &name) const { return parser.isSet(name); }
};

// Parses `args` with the common options plus `options`; on failure returns the exit code.
std::optional<int> parse(Invocation &inv, const QStringList &args, const QList<QCommandLineOption> &options)
{
    inv.parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    inv.parser.addOption({QStringLiteral("data-dir"), QStringLiteral("Data directory."), QStringLiteral("DIR")});
    inv.parser.addOption({QStringLiteral("json"), QStringLiteral("One JSON object per result line.")});
    inv.parser.addOptions(options);
    if (!inv.parser.parse(QStringList{QStringLiteral("learnpulsectl")} + args))
        return usage(inv.parser.errorText());
    inv.positional = inv.parser.positionalArguments();
    inv.json = inv.parser.isSet(QStringLiteral("json"));
    return std::nullopt;
}

// Config plus the index database, opened for commands that need them.
struct Context
{
    Config config;
    std::shared_ptr<Database> db;
};

Result<Context> openContext(const Invocation &inv, bool needDatabase)
{
    auto config = Config::load(inv.value(QStringLiteral("data-dir")));
    if (!config)
        return Result<Context>::failure(config.error());
    Context ctx{config.value(), nullptr};
    if (needDatabase) {
        auto db = Database::open(ctx.config);
        if (!db)
            return Result<Context>::failure(db.error());
        ctx.db = db.value();
    }
    return ctx;
}

// The start of every command that takes no arguments: parse, refuse arguments, open the index.
// Returns the exit code to stop with, or nothing when `ctx` is ready.
std::optional<int> openWithoutArguments(Invocation &inv, const QStringList &args, const QString &command,
                                        std::optional<Context> &ctx)
{
    if (auto code = parse(inv, args, {}))
        return code;
    if (!inv.positional.isEmpty())
        return usage(QStringLiteral("%1 takes no arguments").arg(command));
    auto opened = openContext(inv, true);
    if (!opened)
        return fail(exitError, opened.error());
    ctx = std::move(opened).value();
    return std::nullopt;
}

QJsonObject detectionJson(const QString &text, const Detection &d)
{
    return QJsonObject{{QStringLiteral("text"), text},
                       {QStringLiteral("dissatisfied"), d.dissatisfied},
                       {QStringLiteral("explicit_request"), d.explicitRequest},
                       {QStringLiteral("rules"), QJsonArray::fromStringList(d.rules)}};
}

int cmdDetect(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args, {}))
        return *code;
    auto ctx = openContext(inv, false);
    if (!ctx)
        return fail(exitError, ctx.error());

    const DetectorLoadResult rules = Detector::withOverride(ctx->config.rulesOverrideFile());
    if (!rules.detector)
        return fail(exitError, rules.error);
    const Detector &detector = *rules.detector;

    auto report = [&](const QString &text) {
        const Detection d = detector.detect(text);
        if (inv.json) {
            printJson(detectionJson(text, d));
        } else {
            writeOut(QStringLiteral("%1\t%2\t%3\t%4\n")
                         .arg(d.dissatisfied ? QStringLiteral("dissatisfied") : QStringLiteral("ok"),
                              d.explicitRequest ? QStringLiteral("explicit") : QStringLiteral("-"),
                              d.rules.isEmpty() ? QStringLiteral("-") : d.rules.join(QLatin1Char(',')), text));
        }
    };

    if (!inv.positional.isEmpty()) {
        for (const QString &text : inv.positional)
            report(text);
        return exitOk;
    }

    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return fail(exitError, QStringLiteral("cannot read standard input"));
    int status = exitOk;
    int lineNumber = 0;
    for (;;) {
        QByteArray line = in.readLine();
        if (line.isEmpty() && in.atEnd())
            break;
        ++lineNumber;
        if (line.endsWith('\n'))
            line.chop(1);
        if (line.endsWith('\r'))
            line.chop(1);
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString text = decoder.decode(line);
        if (decoder.hasError()) {
            // Keep one result per input line, so that results still line up with the input.
            const QString error = QStringLiteral("line %1 is not valid UTF-8").arg(lineNumber);
            if (inv.json)
                printJson({{QStringLiteral("text"), QJsonValue()}, {QStringLiteral("error"), error}});
            else
                writeOut(QStringLiteral("error\t-\t-\t%1\n").arg(error));
            status = exitError;
            continue;
        }
        report(text);
    }
    std::fflush(stdout);
    if (status != exitOk)
        return fail(status, QStringLiteral("some input lines were not valid UTF-8"));
    return status;
}

int cmdChat(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args,
                          {{QStringLiteral("user"), QStringLiteral("The teacher's email."), QStringLiteral("EMAIL")},
                           {QStringLiteral("session"), QStringLiteral("Continue this conversation."), QStringLiteral("ID")},
                           {QStringLiteral("class"), QStringLiteral("Class of a new conversation."), QStringLiteral("C")},
                           {QStringLiteral("student"), QStringLiteral("Student of a new conversation."), QStringLiteral("S")},
                           {QStringLiteral("scope"), QStringLiteral("Scope of a new conversation."), QStringLiteral("X")}}))
        return *code;
    if (!inv.isSet(QStringLiteral("user")))
        return usage(QStringLiteral("chat needs --user EMAIL"));
    if (inv.positional.isEmpty())
        return usage(QStringLiteral("chat needs the message TEXT"));
    const QString text = inv.positional.join(QLatin1Char(' '));
    const QString sessionOption = inv.value(QStringLiteral("session"));
    if (inv.isSet(QStringLiteral("session")) && !MessageValidator::isValidSessionId(sessionOption))
        return usage(MessageValidator::checkSessionId(sessionOption).error());

    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    AccountStore accounts(ctx->db);
    auto teacher = accounts.findByEmail(inv.value(QStringLiteral("user")));
    if (!teacher)
        return fail(exitError, teacher.error() + QStringLiteral(" Add it with: learnpulsectl users add"));
    auto redis = connectRedis(ctx->config);
    if (!redis)
        return fail(exitError, redis.error());

    SessionStore sessions(*redis->client, ctx->config);
    QString sessionId = sessionOption;
    if (sessionId.isEmpty()) {
        auto created = sessions.createSession({teacher->id, teacher->email, inv.value(QStringLiteral("student")),
                                               inv.value(QStringLiteral("class")), inv.value(QStringLiteral("scope"))});
        if (!created)
            return fail(exitError, created.error());
        sessionId = created.value();
    }

    auto store = std::make_shared<TicketStore>(ctx->db);
    TicketService tickets(ctx->config, store);
    const DetectorLoadResult rules = Detector::withOverride(ctx->config.rulesOverrideFile());
    if (!rules.detector)
        return fail(exitError, rules.error);
    EscalationEngine escalation(ctx->config, *rules.detector, sessions, tickets);
    LlmClient llm(LlmSettings::fromConfig(ctx->config));
    ChatEngine engine(ctx->config, escalation, sessions, llm);

    ChatTurnResult result;
    QEventLoop loop;
    ChatTurn *turn = engine.send(teacher.value(), sessionId, text);
    bool streamed = false;
    if (!inv.json)
        QObject::connect(turn, &ChatTurn::replyDelta, &loop, [&streamed](const QString &piece) {
            writeOut(piece);
            std::fflush(stdout);
            streamed = true;
        });
    QObject::connect(turn, &ChatTurn::finished, &loop, [&](const ChatTurnResult &r) {
        result = r;
        loop.quit();
    });
    loop.exec();

    // A ticket made from the shell is mailed without a console running: one delivery attempt now.
    if (result.status == ChatTurnResult::Status::Escalated) {
        Outbox outbox(ctx->db, ctx->config);
        const Outbox::Report report = outbox.deliverDue(10, result.ticketId);
        for (const QString &error : report.errors)
            fail(exitOk, QStringLiteral("delivery will be retried: ") + error);
    }

    if (inv.json) {
        printJson(result.toJson());
    } else {
        if (streamed)
            writeOut(QStringLiteral("\n"));
        writeOut(QStringLiteral("[session %1%2]\n")
                     .arg(result.sessionId,
                          result.ticketId.isEmpty() ? QString() : QStringLiteral(", support ticket ") + result.ticketId));
    }
    if (!result.ok())
        return fail(exitError, result.error);
    return exitOk;
}

int cmdPrivacy(const QStringList &args, bool erase)
{
    Invocation inv;
    QList<QCommandLineOption> options{{QStringLiteral("user"), QStringLiteral("The person's email."), QStringLiteral("EMAIL")}};
    if (erase)
        options << QCommandLineOption(QStringLiteral("yes"), QStringLiteral("Confirm the erasure."));
    else
        options << QCommandLineOption(QStringLiteral("out"), QStringLiteral("Directory to write to."), QStringLiteral("DIR"));
    if (auto code = parse(inv, args, options))
        return *code;
    if (!inv.positional.isEmpty())
        return usage(QStringLiteral("privacy %1 takes no arguments").arg(erase ? QStringLiteral("erase") : QStringLiteral("export")));
    if (!inv.isSet(QStringLiteral("user")))
        return usage(QStringLiteral("privacy needs --user EMAIL"));
    if (auto email = AccountStore::validateEmail(inv.value(QStringLiteral("user"))); !email)
        return usage(email.error());
    if (erase && !inv.isSet(QStringLiteral("yes")))
        return usage(QStringLiteral("an erasure cannot be undone: add --yes to confirm"));
    if (!erase && !inv.isSet(QStringLiteral("out")))
        return usage(QStringLiteral("privacy export needs --out DIR"));
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    auto redis = connectRedis(ctx->config);
    if (!redis)
        fail(exitOk, QStringLiteral("Redis is not reachable, so live conversations are not included: ") + redis.error());
    PrivacyService privacy(ctx->config, ctx->db, redis ? redis->client.get() : nullptr);
    const QString email = inv.value(QStringLiteral("user"));
    if (erase) {
        auto report = privacy.erase(Actor::commandLine(), email);
        if (!report)
            return fail(exitError, report.error());
        if (inv.json) {
            printJson(report->toJson());
        } else {
            writeOut(QStringLiteral("erased: %1 account(s), %2 ticket(s), %3 transcript file(s), %4 outbox entr(ies), %5 "
                                    "session(s) (%6 Redis keys)\n")
                         .arg(report->accounts)
                         .arg(report->tickets)
                         .arg(report->transcripts)
                         .arg(report->outboxEntries)
                         .arg(report->sessions)
                         .arg(report->redisKeys));
            if (report->emailsAlreadySent > 0)
                writeOut(QStringLiteral("%1 ticket email(s) had already been sent to %2 and cannot be recalled\n")
                             .arg(report->emailsAlreadySent)
                             .arg(report->sentTo.join(QLatin1String(", "))));
        }
        if (!report->redisReached)
            return fail(exitError, QStringLiteral("Redis was not reachable: conversations were not erased (they expire "
                                                  "after a week); run the erasure again when Redis is up"));
        return exitOk;
    }
    auto exported = privacy.exportData(Actor::commandLine(), email, inv.value(QStringLiteral("out")));
    if (!exported)
        return fail(exitError, exported.error());
    if (inv.json)
        printJson(exported.value());
    else
        writeOut(QStringLiteral("exported %1 ticket(s) and %2 session(s) to %3\n")
                     .arg(exported->value(QLatin1String("tickets")).toInt())
                     .arg(exported->value(QLatin1String("sessions")).toInt())
                     .arg(inv.value(QStringLiteral("out"))));
    return exitOk;
}

int cmdAudit(const QStringList &args)
{
    Invocation inv;
    std::optional<Context> ctx;
    if (auto code = openWithoutArguments(inv, args, QStringLiteral("audit"), ctx))
        return *code;
    auto entries = ctx->db->auditEntries(Actor::commandLine(), 100000);
    if (!entries)
        return fail(exitError, entries.error());
    for (const auto &e : entries.value()) {
        if (inv.json)
            printJson({{QStringLiteral("time"), e.time.toUTC().toString(Qt::ISODateWithMs)},
                       {QStringLiteral("actor"), e.actor},
                       {QStringLiteral("action"), e.action},
                       {QStringLiteral("target"), e.target},
                       {QStringLiteral("detail"), e.detail}});
        else
            writeOut(QStringLiteral("%1  %2  %3  %4  %5\n")
                         .arg(e.time.toUTC().toString(Qt::ISODate), e.actor, e.action, e.target, e.detail));
    }
    return exitOk;
}

int cmdMetrics(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args, {{QStringLiteral("days"), QStringLiteral("Days to count, ending today."), QStringLiteral("N"),
                                       QStringLiteral("30")}}))
        return *code;
    if (!inv.positional.isEmpty())
        return usage(QStringLiteral("metrics takes no arguments"));
    bool ok = false;
    const int days = inv.value(QStringLiteral("days")).toInt(&ok);
    if (!ok || days < 1 || days > 3660)
        return usage(QStringLiteral("--days must be a number of days from 1 to 3660"));
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    auto summary = MetricsStore(ctx->db).lastDays(Actor::commandLine(), days);
    if (!summary)
        return fail(exitError, summary.error());
    if (inv.json) {
        printJson(summary->toJson());
        return exitOk;
    }
    const auto &s = summary.value();
    QString text = QStringLiteral("%1 to %2: %3 sessions, %4 escalated: %5 % (target %6 %)\n")
                       .arg(s.from.toString(Qt::ISODate), s.to.toString(Qt::ISODate))
                       .arg(s.sessions)
                       .arg(s.escalations)
                       .arg(s.escalationRate() * 100, 0, 'f', 1)
                       .arg(MetricsStore::targetEscalationRate * 100, 0, 'f', 0);
    text += s.medianMessagesToEscalation < 0
        ? QStringLiteral("Messages before escalation: none escalated\n")
        : QStringLiteral("Messages before escalation: median %1\n").arg(s.medianMessagesToEscalation);
    for (const auto &rule : s.topRules)
        text += QStringLiteral("  rule %1: %2 escalations\n").arg(rule.rule).arg(rule.escalations);
    for (auto it = s.guardHits.cbegin(); it != s.guardHits.cend(); ++it)
        text += QStringLiteral("  guard %1: %2 replaced claims\n").arg(it.key()).arg(it.value());
    writeOut(text);
    return exitOk;
}

int cmdOutboxList(const QStringList &args)
{
    Invocation inv;
    std::optional<Context> ctx;
    if (auto code = openWithoutArguments(inv, args, QStringLiteral("outbox list"), ctx))
        return *code;
    Outbox outbox(ctx->db, ctx->config);
    auto entries = outbox.list();
    if (!entries)
        return fail(exitError, entries.error());
    for (const OutboxEntry &e : entries.value()) {
        if (inv.json)
            printJson(e.toJson());
        else
            writeOut(QStringLiteral("%1  %2  %3  %4  tries %5%6%7\n")
                         .arg(e.id)
                         .arg(e.kind, -7)
                         .arg(e.ticketId, -31)
                         .arg(e.state, -7)
                         .arg(e.tries)
                         .arg(e.state == QLatin1String("pending") ? QStringLiteral("  next ") + Outbox::timestamp(e.nextAttempt) : QString())
                         .arg(e.lastError.isEmpty() ? QString() : QStringLiteral("  last error: ") + e.lastError));
    }
    return exitOk;
}

int cmdOutboxRetry(const QStringList &args)
{
    Invocation inv;
    std::optional<Context> ctx;
    if (auto code = openWithoutArguments(inv, args, QStringLiteral("outbox retry"), ctx))
        return *code;
    Outbox outbox(ctx->db, ctx->config);
    auto reset = outbox.retryAll();
    if (!reset)
        return fail(exitError, reset.error());
    const Outbox::Report report = outbox.deliverDue(1000);
    if (inv.json)
        printJson({{QStringLiteral("attempted"), report.attempted},
                   {QStringLiteral("sent"), report.sent},
                   {QStringLiteral("failed"), report.failed}});
    else
        writeOut(QStringLiteral("attempted %1, sent %2, failed %3\n").arg(report.attempted).arg(report.sent).arg(report.failed));
    if (report.failed > 0)
        return fail(exitError, report.errors.join(QLatin1String("; ")));
    return exitOk;
}

QString ticketLine(const TicketRecord &t)
{
    return QStringLiteral("%1  %2  %3  %4  %5 signals  %6\n")
        .arg(t.id, -31)
        .arg(t.status, -11)
        .arg(t.created.toUTC().toString(Qt::ISODate), -20)
        .arg(t.teacherEmail)
        .arg(t.signalCount)
        .arg(t.summary);
}

int cmdTicketsList(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args,
                          {{QStringLiteral("user"), QStringLiteral("Only this teacher's tickets."), QStringLiteral("EMAIL")},
                           {QStringLiteral("search"), QStringLiteral("Words in the transcript."), QStringLiteral("QUERY")},
                           {QStringLiteral("status"), QStringLiteral("Only this status."), QStringLiteral("S")}}))
        return *code;
    if (!inv.positional.isEmpty())
        return usage(QStringLiteral("tickets list takes no arguments"));
    if (inv.isSet(QStringLiteral("status")) && !TicketStore::isValidStatus(inv.value(QStringLiteral("status"))))
        return usage(QStringLiteral("--status must be one of open, in_progress, resolved"));
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    TicketStore store(ctx->db);
    TicketFilter filter;
    filter.teacherEmail = inv.value(QStringLiteral("user"));
    filter.search = inv.value(QStringLiteral("search"));
    filter.status = inv.value(QStringLiteral("status"));
    if (inv.isSet(QStringLiteral("search")) && filter.search.trimmed().isEmpty())
        return usage(QStringLiteral("--search needs words to look for"));
    auto rows = store.list(Actor::commandLine(), filter);
    if (!rows)
        return fail(exitError, rows.error());
    for (const TicketRecord &t : rows.value()) {
        if (inv.json)
            printJson(t.toJson());
        else
            writeOut(ticketLine(t));
    }
    return exitOk;
}

int cmdTicketsShow(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args, {}))
        return *code;
    if (inv.positional.size() != 1)
        return usage(QStringLiteral("tickets show takes one ticket ID"));
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    TicketStore store(ctx->db);
    auto ticket = store.find(Actor::commandLine(), inv.positional.constFirst());
    if (!ticket)
        return fail(exitError, ticket.error());
    auto read = store.transcript(Actor::commandLine(), ticket.value());
    if (!read)
        return fail(exitError, read.error());
    const QString transcript = read.value();
    if (inv.json) {
        QJsonObject o = ticket->toJson();
        o.insert(QStringLiteral("transcript"), transcript);
        printJson(o);
    } else {
        writeOut(QStringLiteral("Status: %1\nEmail: %2\nFile: %3\n\n%4")
                     .arg(ticket->status, ticket->emailStatus, ticket->conversationFile, transcript));
    }
    return exitOk;
}

int cmdTicketsStatus(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args, {}))
        return *code;
    if (inv.positional.size() != 2)
        return usage(QStringLiteral("tickets status takes a ticket ID and a status"));
    const QString id = inv.positional.at(0);
    const QString status = inv.positional.at(1);
    if (!TicketStore::isValidStatus(status))
        return usage(QStringLiteral("the status must be one of open, in_progress, resolved"));
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    TicketStore store(ctx->db);
    if (auto done = store.setStatus(Actor::commandLine(), id, status); !done)
        return fail(exitError, done.error());
    if (inv.json)
        printJson({{QStringLiteral("ticket_id"), id}, {QStringLiteral("status"), status}});
    else
        writeOut(QStringLiteral("%1: %2\n").arg(id, status));
    return exitOk;
}

int cmdTicketsDelete(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args, {{QStringLiteral("yes"), QStringLiteral("Confirm the deletion.")}}))
        return *code;
    if (inv.positional.size() != 1)
        return usage(QStringLiteral("tickets delete takes one ticket ID"));
    if (!inv.isSet(QStringLiteral("yes")))
        return usage(QStringLiteral("deleting a ticket cannot be undone: add --yes to confirm"));
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    TicketStore store(ctx->db);
    const QString id = inv.positional.constFirst();
    if (auto done = store.remove(Actor::commandLine(), id); !done)
        return fail(exitError, done.error());
    if (inv.json)
        printJson({{QStringLiteral("ticket_id"), id}, {QStringLiteral("deleted"), true}});
    else
        writeOut(QStringLiteral("%1: deleted\n").arg(id));
    return exitOk;
}

int cmdUsersAdd(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args,
                          {{QStringLiteral("email"), QStringLiteral("Email address."), QStringLiteral("E")},
                           {QStringLiteral("name"), QStringLiteral("Display name."), QStringLiteral("N")},
                           {QStringLiteral("role"), QStringLiteral("teacher, support or admin."), QStringLiteral("R")},
                           {QStringLiteral("password-stdin"), QStringLiteral("Read the password from stdin.")}}))
        return *code;
    if (!inv.positional.isEmpty())
        return usage(QStringLiteral("users add takes no arguments"));
    for (const char *required : {"email", "name", "role"})
        if (!inv.isSet(QLatin1String(required)))
            return usage(QStringLiteral("users add needs --%1").arg(QLatin1String(required)));
    const auto role = roleFromName(inv.value(QStringLiteral("role")));
    if (!role)
        return usage(QStringLiteral("--role must be teacher, support or admin"));
    if (auto email = AccountStore::validateEmail(inv.value(QStringLiteral("email"))); !email)
        return usage(email.error());

    std::optional<QByteArray> password;
    if (inv.isSet(QStringLiteral("password-stdin"))) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly))
            return fail(exitError, QStringLiteral("cannot read standard input"));
        QByteArray line = in.readLine();
        while (line.endsWith('\n') || line.endsWith('\r'))
            line.chop(1);
        if (!MessageValidator::validateUtf8(line, 1024))
            return fail(exitError, QStringLiteral("the password is empty or not valid UTF-8 text"));
        password = line;
    }

    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    AccountStore accounts(ctx->db);
    auto added = accounts.add(Actor::commandLine(), inv.value(QStringLiteral("email")), inv.value(QStringLiteral("name")),
                              *role, password);
    if (!added)
        return fail(exitError, added.error());
    if (inv.json)
        printJson(added->toJson());
    else
        writeOut(QStringLiteral("%1  %2  %3  %4%5\n")
                     .arg(added->id, added->email, roleName(added->role), added->displayName,
                          added->canSignIn ? QString() : QStringLiteral("  (cannot sign in until a password is set)")));
    return exitOk;
}

} // namespace

int run(const QStringList &rawArguments)
{
    // Common options may also come before the command word ("learnpulsectl --data-dir D tickets list"):
    // move them behind it, where each command's parser reads them.
    QStringList arguments = rawArguments;
    QStringList common;
    while (!arguments.isEmpty()) {
        const QString a = arguments.constFirst();
        if (a == QLatin1String("--json") || a.startsWith(QLatin1String("--data-dir="))) {
            common << arguments.takeFirst();
        } else if (a == QLatin1String("--data-dir")) {
            if (arguments.size() < 2)
                return usage(QStringLiteral("--data-dir needs a directory"));
            common << arguments.takeFirst() << arguments.takeFirst();
        } else {
            break;
        }
    }
    arguments += common;
    if (arguments.isEmpty() || arguments.constFirst().startsWith(QLatin1String("--data-dir"))
        || arguments.constFirst() == QLatin1String("--json"))
        return usage(QStringLiteral("no command given"));
    const QString first = arguments.constFirst();
    if (first == QLatin1String("--help") || first == QLatin1String("-h") || first == QLatin1String("help")) {
        writeOut(QString::fromUtf8(usageText));
        return exitOk;
    }
    if (first == QLatin1String("--version")) {
        writeOut(QStringLiteral("learnpulsectl %1\n").arg(QStringLiteral(LEARNPULSE_VERSION)));
        return exitOk;
    }

    using Handler = std::function<int(const QStringList &)>;
    const std::map<QString, Handler> single{{QStringLiteral("detect"), cmdDetect},
                                            {QStringLiteral("chat"), cmdChat},
                                            {QStringLiteral("audit"), cmdAudit},
                                            {QStringLiteral("metrics"), cmdMetrics}};
    const std::map<QString, std::map<QString, Handler>> grouped{
        {QStringLiteral("tickets"),
         {{QStringLiteral("list"), cmdTicketsList},
          {QStringLiteral("show"), cmdTicketsShow},
          {QStringLiteral("status"), cmdTicketsStatus},
          {QStringLiteral("delete"), cmdTicketsDelete}}},
        {QStringLiteral("users"), {{QStringLiteral("add"), cmdUsersAdd}}},
        {QStringLiteral("outbox"), {{QStringLiteral("list"), cmdOutboxList}, {QStringLiteral("retry"), cmdOutboxRetry}}},
        {QStringLiteral("privacy"),
         {{QStringLiteral("erase"), [](const QStringList &a) { return cmdPrivacy(a, true); }},
          {QStringLiteral("export"), [](const QStringList &a) { return cmdPrivacy(a, false); }}}},
    };

    const QStringList rest = arguments.mid(1);
    if (rest.contains(QLatin1String("--help")) || rest.contains(QLatin1String("-h"))) {
        writeOut(QString::fromUtf8(usageText));
        return exitOk;
    }
    if (auto it = single.find(first); it != single.end())
        return it->second(rest);
    if (auto group = grouped.find(first); group != grouped.end()) {
        if (rest.isEmpty())
            return usage(QStringLiteral("%1 needs a subcommand").arg(first));
        auto sub = group->second.find(rest.constFirst());
        if (sub == group->second.end())
            return usage(QStringLiteral("unknown command: %1 %2").arg(first, rest.constFirst()));
        return sub->second(rest.mid(1));
    }
    return usage(QStringLiteral("unknown command: %1").arg(first));
}

} // namespace LearnPulse::Ctl
