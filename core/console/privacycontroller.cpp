#include "privacycontroller.h"

#include "logging.h"
#include "privacyservice.h"
#include "words.h"

#include <QCoreApplication>

namespace LearnPulse {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("PrivacyController", text);
}

} // namespace

PrivacyController::PrivacyController(ConsoleContext &context)
    : m_ctx(context)
{ }

RequestResult PrivacyController::previewErasure(const QString &email, RedisClient *redis)
{
    Services &s = *m_ctx.services;
    PrivacyService privacy(s.config(), s.database(), redis);
    auto preview = privacy.preview(m_ctx.actor(), email);
    if (!preview)
        return RequestResult::from(preview);
    QStringList lines;
    lines << (preview->name.isEmpty() ? tr("No account has this email now; what is stored under it goes.")
                                      : tr("The account of %1.").arg(preview->name));
    const auto &byStatus = preview->ticketsByStatus;
    if (preview->tickets() == 0) {
        lines << tr("No tickets.");
    } else {
        QStringList parts;
        for (const QString &status :
            { QStringLiteral("open"), QStringLiteral("in_progress"), QStringLiteral("resolved") })
            if (const int n = byStatus.value(status); n > 0)
                parts << tr("%1 %2").arg(n).arg(Words::status(status).toLower());
        lines << tr("%1 (%2).")
                     .arg(Words::counted(preview->tickets(), tr("%1 ticket with its transcript and thread"),
                              tr("%1 tickets with their transcripts and threads")),
                         parts.join(QStringLiteral(", ")));
    }
    lines << (preview->conversations < 0
            ? tr("Conversations in Redis: Redis cannot be reached now; they go as soon as it is back.")
            : Words::counted(
                preview->conversations, tr("%1 conversation in Redis."), tr("%1 conversations in Redis.")));
    if (preview->emailsAlreadySent > 0)
        lines << Words::counted(preview->emailsAlreadySent,
            tr("%1 ticket email was already sent to support: it is removed here but cannot be recalled."),
            tr("%1 ticket emails were already sent to support: they are removed here but cannot be recalled."));
    return RequestResult::success(lines.join(QLatin1Char('\n')));
}

RequestResult PrivacyController::erase(const QString &email, RedisClient *redis)
{
    Services &s = *m_ctx.services;
    PrivacyService privacy(s.config(), s.database(), redis);
    auto report = privacy.erase(m_ctx.actor(), email);
    if (!report)
        return RequestResult::from(report);
    QString summary = tr("Removed %1, %2, %3, %4 and %5.")
                          .arg(Words::counted(report->accounts, tr("%1 account"), tr("%1 accounts")),
                              Words::counted(report->tickets, tr("%1 ticket"), tr("%1 tickets")),
                              Words::counted(report->transcripts, tr("%1 transcript file"), tr("%1 transcript files")),
                              Words::counted(report->outboxEntries, tr("%1 outbox entry"), tr("%1 outbox entries")),
                              Words::counted(report->sessions, tr("%1 conversation"), tr("%1 conversations")));
    if (report->emailsAlreadySent > 0)
        summary += QLatin1Char(' ')
            + Words::counted(report->emailsAlreadySent,
                tr("%1 ticket email had already been sent to %2 and cannot be recalled."),
                tr("%1 ticket emails had already been sent to %2 and cannot be recalled."))
                  .arg(report->sentTo.join(QLatin1String(", ")));
    if (!report->transcriptsLeft.isEmpty())
        summary += QLatin1Char(' ')
            + Words::counted(int(report->transcriptsLeft.size()),
                tr("%1 transcript was written at another seat and cannot be reached from here; delete it on that "
                   "computer: %2."),
                tr("%1 transcripts were written at other seats and cannot be reached from here; delete them on those "
                   "computers: %2."))
                  .arg(report->transcriptsLeft.join(QLatin1String(", ")));
    if (!report->mentionedIn.isEmpty())
        summary += QLatin1Char(' ')
            + tr("Other people's tickets mention this person: %1. Decide whether they must go too.")
                  .arg(report->mentionedIn.join(QLatin1String(", ")));
    return RequestResult::success(summary,
        report->redisReached ? QString()
                             : tr("Redis was not reachable: the conversations are not erased yet. This is recorded, "
                                  "and the console finishes it as soon as Redis is back."));
}

RequestResult PrivacyController::exportData(const QString &email, const QString &directory, RedisClient *redis)
{
    Services &s = *m_ctx.services;
    PrivacyService privacy(s.config(), s.database(), redis);
    auto exported = privacy.exportData(m_ctx.actor(), email, directory);
    if (!exported)
        return RequestResult::from(exported);
    return RequestResult::success(
        tr("Wrote %1 and %2 to %3.")
            .arg(Words::counted(exported->value(QLatin1String("tickets")).toInt(), tr("%1 ticket"), tr("%1 tickets")),
                Words::counted(
                    exported->value(QLatin1String("sessions")).toInt(), tr("%1 conversation"), tr("%1 conversations")),
                directory));
}

int PrivacyController::applyRetention()
{
    const Config &config = m_ctx.services->config();
    if (config.retentionDays <= 0)
        return 0;
    Actor system = Actor::commandLine();
    system.displayName = QStringLiteral("retention");
    system.auditAs = QStringLiteral("console:retention");
    PrivacyService privacy(config, m_ctx.services->database(), nullptr);
    auto erased = privacy.applyRetention(system, config.retentionDays);
    if (!erased) {
        qCWarning(lcDatabase).noquote() << QStringLiteral("Retention failed: ") + erased.error();
        return 0;
    }
    return erased.value();
}

} // namespace LearnPulse
