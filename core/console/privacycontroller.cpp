#include "privacycontroller.h"

#include "logging.h"
#include "privacyservice.h"

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

RequestResult PrivacyController::erase(const QString &email, RedisClient *redis)
{
    Services &s = *m_ctx.services;
    PrivacyService privacy(s.config(), s.database(), redis);
    auto report = privacy.erase(m_ctx.actor(), email);
    if (!report)
        return RequestResult::from(report);
    QString summary = tr("Removed %1 account(s), %2 ticket(s), %3 transcript file(s), %4 outbox entr(ies) and %5 "
                         "conversation(s).")
                          .arg(report->accounts)
                          .arg(report->tickets)
                          .arg(report->transcripts)
                          .arg(report->outboxEntries)
                          .arg(report->sessions);
    if (report->emailsAlreadySent > 0)
        summary += QLatin1Char(' ')
            + tr("%1 ticket email(s) had already been sent to %2 and cannot be recalled.")
                  .arg(report->emailsAlreadySent)
                  .arg(report->sentTo.join(QLatin1String(", ")));
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
    return RequestResult::success(tr("Wrote %1 ticket(s) and %2 conversation(s) to %3.")
                                      .arg(exported->value(QLatin1String("tickets")).toInt())
                                      .arg(exported->value(QLatin1String("sessions")).toInt())
                                      .arg(directory));
}

int PrivacyController::applyRetention()
{
    const Config &config = m_ctx.services->config();
    if (config.retentionDays <= 0)
        return 0;
    Actor system = Actor::commandLine();
    system.displayName = QStringLiteral("retention");
    PrivacyService privacy(config, m_ctx.services->database(), nullptr);
    auto erased = privacy.applyRetention(system, config.retentionDays);
    if (!erased) {
        qCWarning(lcDatabase).noquote() << QStringLiteral("Retention failed: ") + erased.error();
        return 0;
    }
    return erased.value();
}

} // namespace LearnPulse
