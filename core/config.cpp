#include "config.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace LearnPulse {

QString Config::ticketsDir() const
{
    return dataDir + QLatin1String("/support_tickets");
}

QString Config::sqlitePath() const
{
    return dataDir + QLatin1String("/learnpulse.sqlite");
}

QString Config::rulesOverrideFile() const
{
    return dataDir + QLatin1String("/detector-rules.json");
}

Result<Config> Config::load(const QString &dataDirOption, const QProcessEnvironment &env)
{
    Config c;
    const QString envDataDir = env.value(QStringLiteral("LEARNPULSE_DATA_DIR"));
    const QString namedDataDir = !dataDirOption.isEmpty() ? dataDirOption : envDataDir;
    if (!namedDataDir.isEmpty()) {
        c.dataDir = QDir::cleanPath(QFileInfo(namedDataDir).absoluteFilePath());
        c.configFile = c.dataDir + QLatin1String("/learnpulse.ini");
    } else {
        c.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        c.configFile = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + QLatin1String("/learnpulse.ini");
    }
    if (c.dataDir.isEmpty())
        return Result<Config>::failure(QStringLiteral("No data directory: pass --data-dir or set LEARNPULSE_DATA_DIR."));

    QStringList errors;
    const QSettings ini(c.configFile, QSettings::IniFormat);
    auto readInt = [&](const char *key, int &into, int minimum, int maximum) {
        const QString name = QLatin1String(key);
        if (!ini.contains(name))
            return;
        bool ok = false;
        const int value = ini.value(name).toString().toInt(&ok);
        if (!ok || value < minimum || value > maximum)
            errors << QStringLiteral("%1 in %2 must be a whole number from %3 to %4")
                          .arg(name, c.configFile)
                          .arg(minimum)
                          .arg(maximum);
        else
            into = value;
    };
    auto readString = [&](const char *key, QString &into) {
        const QString name = QLatin1String(key);
        if (ini.contains(name))
            into = ini.value(name).toString();
    };
    auto readBool = [&](const char *key, bool &into) {
        const QString name = QLatin1String(key);
        if (ini.contains(name))
            into = ini.value(name).toBool();
    };

    readString("redis/url", c.redisUrl);
    readString("database/url", c.databaseUrl);
    readInt("escalation/threshold", c.escalationThreshold, 1, 1000);
    readBool("escalation/explicit_request_immediate", c.escalateOnExplicitRequest);
    readInt("escalation/claim_lapse_seconds", c.claimLapseSeconds, 1, 86400);
    readInt("session/history_cap", c.historyCap, 2, 10000);
    readInt("session/ttl_seconds", c.sessionTtlSeconds, 60, 365 * 24 * 3600);
    readInt("limits/max_message_chars", c.maxMessageChars, 1, 1000000);
    readInt("limits/rate_per_minute", c.rateLimitPerMinute, 1, 100000);
    readString("support/email", c.supportEmail);
    readString("smtp/host", c.smtpHost);
    readInt("smtp/port", c.smtpPort, 1, 65535);
    readString("smtp/username", c.smtpUsername);
    readString("smtp/password", c.smtpPassword);
    readString("smtp/from_email", c.smtpFromEmail);
    readBool("smtp/allow_plain", c.smtpAllowPlain);
    readBool("smtp/require_tls", c.smtpRequireTls);
    readInt("smtp/timeout_seconds", c.smtpTimeoutSeconds, 1, 3600);
    readString("webhook/url", c.webhookUrl);
    readInt("retention/ticket_days", c.retentionDays, 0, 36500);
    readInt("outbox/max_tries", c.outboxMaxTries, 1, 1000);
    readInt("outbox/backoff_initial_seconds", c.outboxBackoffInitialSeconds, 1, 86400);
    readInt("outbox/backoff_cap_seconds", c.outboxBackoffCapSeconds, 1, 7 * 86400);
    readString("llm/base_url", c.llmBaseUrl);
    readString("llm/model", c.llmModel);
    readString("llm/api_key", c.llmApiKey);
    readInt("llm/connect_timeout_ms", c.llmConnectTimeoutMs, 100, 600000);
    readInt("llm/idle_timeout_ms", c.llmIdleTimeoutMs, 100, 3600000);
    readInt("llm/max_reply_chars", c.llmMaxReplyChars, 100, 1000000);

    auto fromEnv = [&](const char *name, QString &into) {
        const QString key = QLatin1String(name);
        if (env.contains(key) && !env.value(key).isEmpty())
            into = env.value(key);
    };
    fromEnv("REDIS_URL", c.redisUrl);
    c.redisUrlExplicit = ini.contains(QStringLiteral("redis/url")) || !env.value(QStringLiteral("REDIS_URL")).isEmpty();
    fromEnv("DATABASE_URL", c.databaseUrl);
    fromEnv("SUPPORT_EMAIL", c.supportEmail);
    fromEnv("SMTP_HOST", c.smtpHost);
    fromEnv("SMTP_USERNAME", c.smtpUsername);
    fromEnv("SMTP_PASSWORD", c.smtpPassword);
    fromEnv("SMTP_FROM_EMAIL", c.smtpFromEmail);
    fromEnv("WEBHOOK_URL", c.webhookUrl);
    fromEnv("LLM_BASE_URL", c.llmBaseUrl);
    fromEnv("LLM_MODEL", c.llmModel);
    fromEnv("LLM_API_KEY", c.llmApiKey);
    if (const QString port = env.value(QStringLiteral("SMTP_PORT")); !port.isEmpty()) {
        bool ok = false;
        const int value = port.toInt(&ok);
        if (!ok || value < 1 || value > 65535)
            errors << QStringLiteral("SMTP_PORT must be a port number from 1 to 65535");
        else
            c.smtpPort = value;
    }

    if (!errors.isEmpty())
        return Result<Config>::failure(QStringLiteral("Invalid settings: ") + errors.join(QLatin1String("; ")));
    return c;
}

QString Config::fromEmail() const
{
    if (!smtpFromEmail.isEmpty())
        return smtpFromEmail;
    if (smtpUsername.contains(QLatin1Char('@')))
        return smtpUsername;
    return QStringLiteral("noreply@learnpulse.ai");
}

Status Config::ensureDataDir() const
{
    if (QFileInfo(dataDir).isDir())
        return {};
    if (!QDir().mkpath(dataDir))
        return Status::failure(QStringLiteral("Cannot create the data directory %1").arg(dataDir));
    // A new data directory holds transcripts and accounts: only its owner may enter it.
    QFile::setPermissions(dataDir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return {};
}

} // namespace LearnPulse
