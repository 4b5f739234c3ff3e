#include "accountstore.h"
#include "ctlcommon.h"
#include "database.h"
#include "metricsstore.h"
#include "privacyservice.h"
#include "roles.h"

#include <QJsonArray>

namespace LearnPulse::Ctl {

int cmdPrivacy(const QStringList &args, bool erase)
{
    Invocation inv;
    QList<QCommandLineOption> options { { QStringLiteral("user"), QStringLiteral("The person's email."),
        QStringLiteral("EMAIL") } };
    if (erase)
        options << QCommandLineOption(QStringLiteral("yes"), QStringLiteral("Confirm the erasure."))
                << QCommandLineOption(QStringLiteral("user-id"),
                       QStringLiteral("The person's user id (a removed account, a ticket's user id)."),
                       QStringLiteral("ID"));
    else
        options << QCommandLineOption(
            QStringLiteral("out"), QStringLiteral("Directory to write to."), QStringLiteral("DIR"));
    if (auto code = parse(inv, args, options))
        return *code;
    if (!inv.positional.isEmpty())
        return usage(QStringLiteral("privacy %1 takes no arguments")
                         .arg(erase ? QStringLiteral("erase") : QStringLiteral("export")));
    const bool byId = erase && inv.isSet(QStringLiteral("user-id"));
    if (byId && inv.isSet(QStringLiteral("user")))
        return usage(QStringLiteral("privacy erase takes --user EMAIL or --user-id ID, not both"));
    if (!byId && !inv.isSet(QStringLiteral("user")))
        return usage(erase ? QStringLiteral("privacy erase needs --user EMAIL or --user-id ID")
                           : QStringLiteral("privacy needs --user EMAIL"));
    if (!byId)
        if (auto email = AccountStore::validateEmail(inv.value(QStringLiteral("user"))); !email)
            return usage(email.error());
    if (erase && !inv.isSet(QStringLiteral("yes")))
        return usage(QStringLiteral("an erasure cannot be undone: add --yes to confirm"));
    if (!erase && !inv.isSet(QStringLiteral("out")))
        return usage(QStringLiteral("privacy export needs --out DIR"));
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    const Status redis = ctx->services->connectRedis();
    if (!redis)
        fail(
            exitOk, QStringLiteral("Redis is not reachable, so live conversations are not included: ") + redis.error());
    PrivacyService privacy(ctx->config, ctx->db, ctx->services->redisClient());
    const QString email = inv.value(QStringLiteral("user"));
    if (erase) {
        auto report = byId ? privacy.eraseUserId(Actor::commandLine(), inv.value(QStringLiteral("user-id")))
                           : privacy.erase(Actor::commandLine(), email);
        if (!report)
            return fail(exitError, report.error());
        if (inv.json) {
            printJson(report->toJson());
        } else {
            writeOut(
                QStringLiteral("erased: %1 account(s), %2 ticket(s), %3 transcript file(s), %4 outbox entr(ies), %5 "
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
            if (!report->exportedAt.isEmpty())
                writeOut(QStringLiteral("this person's data was exported before (%1): those copies are outside the "
                                        "app\n")
                             .arg(report->exportedAt.join(QLatin1String(", "))));
            if (!report->mentionedIn.isEmpty())
                writeOut(QStringLiteral("other people's tickets that mention this person (decide about them): %1\n")
                             .arg(report->mentionedIn.join(QLatin1String(", "))));
            for (const QString &path : std::as_const(report->transcriptsLeft))
                writeOut(QStringLiteral("transcript left at another seat, not reachable from here (delete it on that "
                                        "computer): %1\n")
                             .arg(path));
        }
        if (!report->redisReached)
            return fail(exitError,
                QStringLiteral("Redis was not reachable: the conversations are not erased yet. This is recorded; "
                               "the console's next start, or this erasure run again, finishes it once Redis is up"));
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
            printJson({ { QStringLiteral("time"), e.time.toUTC().toString(Qt::ISODateWithMs) },
                { QStringLiteral("actor"), e.actor }, { QStringLiteral("action"), e.action },
                { QStringLiteral("target"), e.target }, { QStringLiteral("detail"), e.detail } });
        else
            writeOut(QStringLiteral("%1  %2  %3  %4  %5\n")
                         .arg(e.time.toUTC().toString(Qt::ISODate), e.actor, e.action, e.target, e.detail));
    }
    return exitOk;
}

int cmdMetrics(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args,
            { { QStringLiteral("days"), QStringLiteral("Days to count, ending today."), QStringLiteral("N"),
                QStringLiteral("30") } }))
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
    text += s.ratings == 0 ? QStringLiteral("Satisfaction: no ratings\n")
                           : QStringLiteral("Satisfaction: %1 of %2 ratings helpful (%3 %)\n")
                                 .arg(s.helpfulRatings)
                                 .arg(s.ratings)
                                 .arg(s.csat() * 100, 0, 'f', 1);
    for (auto it = s.escalationsBySignalKind.cbegin(); it != s.escalationsBySignalKind.cend(); ++it)
        text += QStringLiteral("  signal kind %1: %2 escalations\n").arg(it.key()).arg(it.value());
    text += QStringLiteral("Replies rated: %1 helpful, %2 not helpful; offers of a ticket: %3 (%4 accepted, %5 "
                           "declined); signals withdrawn: %6\n")
                .arg(s.thumbsUp)
                .arg(s.thumbsDown)
                .arg(s.offersMade)
                .arg(s.offersAccepted)
                .arg(s.offersDeclined)
                .arg(s.withdrawnTotal);
    writeOut(text);
    return exitOk;
}

} // namespace LearnPulse::Ctl
