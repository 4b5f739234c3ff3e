#include "config.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QUrl>
#include <QUrlQuery>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

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
        c.configFile
            = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + QLatin1String("/learnpulse.ini");
    }
    if (c.dataDir.isEmpty())
        return Result<Config>::failure(
            QStringLiteral("No data directory: pass --data-dir or set LEARNPULSE_DATA_DIR."));

    // What another user can write is not trusted: a data directory or settings file planted or opened up by
    // someone else (support/email pointed elsewhere) is refused, not used.
    for (const auto &[path, isDir] : { std::pair { c.dataDir, true }, std::pair { c.configFile, false } })
        if (auto trusted = checkOwnership(path, isDir); !trusted)
            return failureOf<Config>(trusted);

    // A file of a newer version is refused; one that cannot be written is still read (same keys).
    if (auto migrated = migrate(c.configFile); !migrated && migrated.kind() == ErrorKind::BadInput)
        return failureOf<Config>(migrated);
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
    readBool("signals/repetition", c.repetitionSignal);
    readInt("signals/repetition_window", c.repetitionWindow, 1, 20);
    readBool("signals/feedback", c.feedbackSignal);
    readBool("signals/offer", c.offerSignal);
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
    readInt("support/first_response_hours", c.firstResponseHours, 1, 1000);
    readInt("outbox/max_tries", c.outboxMaxTries, 1, 1000);
    readInt("outbox/backoff_initial_seconds", c.outboxBackoffInitialSeconds, 1, 86400);
    readInt("outbox/backoff_cap_seconds", c.outboxBackoffCapSeconds, 1, 7 * 86400);
    readInt("outbox/poll_seconds", c.outboxPollSeconds, 1, 3600);
    readString("llm/base_url", c.llmBaseUrl);
    readString("llm/model", c.llmModel);
    readString("llm/api_key", c.llmApiKey);
    readInt("llm/connect_timeout_ms", c.llmConnectTimeoutMs, 100, 600000);
    readInt("llm/idle_timeout_ms", c.llmIdleTimeoutMs, 100, 3600000);
    readInt("llm/max_reply_chars", c.llmMaxReplyChars, 100, 1000000);

    auto fromEnv = [&](const char *name, QString &into) {
        const QString key = QLatin1String(name);
        if (env.contains(key) && !env.value(key).isEmpty()) {
            into = env.value(key);
            c.setByEnvironment << key;
        }
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
        c.setByEnvironment << QStringLiteral("SMTP_PORT");
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

namespace {

// The settings the console's dialog edits: INI key, and whether it is a secret (never shown back).
struct EditableKey
{
    const char *key;
    bool secret;
};
constexpr EditableKey editableKeys[] = {
    { "llm/base_url", false },
    { "llm/model", false },
    { "llm/api_key", true },
    { "redis/url", false },
    { "smtp/host", false },
    { "smtp/port", false },
    { "smtp/username", false },
    { "smtp/password", true },
    { "smtp/from_email", false },
    { "support/email", false },
    { "escalation/threshold", false },
    { "session/history_cap", false },
    { "limits/rate_per_minute", false },
    { "webhook/url", false },
};

bool isUrlKey(const QString &key)
{
    return key == QLatin1String("redis/url") || key == QLatin1String("database/url")
        || key == QLatin1String("webhook/url") || key == QLatin1String("llm/base_url");
}

} // namespace

QString Config::maskPassword(const QString &url)
{
    QUrl u(url);
    if (!u.isValid())
        return url;
    bool masked = false;
    if (!u.password().isEmpty()) {
        u.setPassword(maskedPassword());
        masked = true;
    }
    QUrlQuery query(u);
    if (query.hasQueryItem(QStringLiteral("password"))) { // unix:///path?password=...
        query.removeAllQueryItems(QStringLiteral("password"));
        query.addQueryItem(QStringLiteral("password"), maskedPassword());
        u.setQuery(query);
        masked = true;
    }
    return masked ? u.toString() : url;
}

namespace {

// `edited` with a masked password replaced by the one of `current` (the value in force).
QString unmaskPassword(const QString &edited, const QString &current)
{
    QUrl u(edited);
    if (!u.isValid())
        return edited;
    const QUrl was(current);
    if (u.password() == Config::maskedPassword())
        u.setPassword(was.password());
    QUrlQuery query(u);
    if (query.queryItemValue(QStringLiteral("password")) == Config::maskedPassword()) {
        query.removeAllQueryItems(QStringLiteral("password"));
        const QString old = QUrlQuery(was).queryItemValue(QStringLiteral("password"));
        if (!old.isEmpty())
            query.addQueryItem(QStringLiteral("password"), old);
        u.setQuery(query);
    }
    return u.toString();
}

} // namespace

QVariantMap Config::editableValues() const
{
    QVariantMap v { { QStringLiteral("llm/base_url"), maskPassword(llmBaseUrl) },
        { QStringLiteral("llm/model"), llmModel }, { QStringLiteral("llm/api_key"), QString() },
        { QStringLiteral("llm/api_key/set"), !llmApiKey.isEmpty() },
        { QStringLiteral("redis/url"), maskPassword(redisUrl) }, { QStringLiteral("smtp/host"), smtpHost },
        { QStringLiteral("smtp/port"), smtpPort }, { QStringLiteral("smtp/username"), smtpUsername },
        { QStringLiteral("smtp/password"), QString() },
        { QStringLiteral("smtp/password/set"), !smtpPassword.isEmpty() },
        { QStringLiteral("smtp/from_email"), smtpFromEmail }, { QStringLiteral("support/email"), supportEmail },
        { QStringLiteral("escalation/threshold"), escalationThreshold },
        { QStringLiteral("session/history_cap"), historyCap },
        { QStringLiteral("limits/rate_per_minute"), rateLimitPerMinute },
        { QStringLiteral("webhook/url"), maskPassword(webhookUrl) }, { QStringLiteral("config_file"), configFile } };
    // A value an environment variable sets is not the settings file's to change: "<key>/env" names it.
    static const std::pair<const char *, const char *> fromEnvironment[]
        = { { "redis/url", "REDIS_URL" }, { "support/email", "SUPPORT_EMAIL" }, { "smtp/host", "SMTP_HOST" },
              { "smtp/port", "SMTP_PORT" }, { "smtp/username", "SMTP_USERNAME" }, { "smtp/password", "SMTP_PASSWORD" },
              { "smtp/from_email", "SMTP_FROM_EMAIL" }, { "webhook/url", "WEBHOOK_URL" },
              { "llm/base_url", "LLM_BASE_URL" }, { "llm/model", "LLM_MODEL" }, { "llm/api_key", "LLM_API_KEY" } };
    for (const auto &[key, variable] : fromEnvironment)
        if (setByEnvironment.contains(QLatin1String(variable)))
            v.insert(QLatin1String(key) + QStringLiteral("/env"), QLatin1String(variable));
    return v;
}

Result<QStringList> Config::save(const QVariantMap &values) const
{
    if (auto migrated = migrate(configFile); !migrated)
        return failureOf<QStringList>(migrated);
    QStringList changed;
    const QVariantMap shown = editableValues();
    const QHash<QString, QString> current { { QStringLiteral("redis/url"), redisUrl },
        { QStringLiteral("webhook/url"), webhookUrl }, { QStringLiteral("llm/base_url"), llmBaseUrl },
        { QStringLiteral("database/url"), databaseUrl } };
    {
        QSettings ini(configFile, QSettings::IniFormat);
        for (const EditableKey &k : editableKeys) {
            const QString key = QLatin1String(k.key);
            if (!values.contains(key))
                continue;
            QString value = values.value(key).toString();
            if (!k.secret)
                value = value.trimmed(); // a secret is kept exactly as typed
            if (shown.contains(key + QStringLiteral("/env")))
                continue; // the environment sets it: the file's value would not count, so it is not written
            const QString stored = ini.value(key).toString();
            if (k.secret && value.isEmpty())
                continue; // an empty secret field keeps the stored secret
            // Only what was changed in the dialog is written: a value that comes from the environment, or a
            // default, stays out of the file.
            if (!k.secret && value == shown.value(key).toString())
                continue;
            if (isUrlKey(key))
                value = unmaskPassword(value, current.value(key));
            if (stored != value) {
                ini.setValue(key, value);
                changed << key;
            }
        }
        ini.setValue(QStringLiteral("config/version"), currentVersion);
        ini.sync();
        if (ini.status() != QSettings::NoError)
            return Result<QStringList>::failure(QStringLiteral("Cannot write %1.").arg(configFile), ErrorKind::Storage);
    }
    if (!QFile::setPermissions(configFile, QFile::ReadOwner | QFile::WriteOwner))
        return Result<QStringList>::failure(
            QStringLiteral("Cannot make %1 private to its owner.").arg(configFile), ErrorKind::Storage);
    return changed;
}

Status Config::migrate(const QString &configFile)
{
    if (!QFileInfo::exists(configFile))
        return {};
    QSettings ini(configFile, QSettings::IniFormat);
    const int version = ini.value(QStringLiteral("config/version"), 0).toInt();
    if (version > currentVersion)
        return Status::failure(QStringLiteral("%1 was written by a newer LearnPulse (settings version %2; this one "
                                              "reads up to %3).")
                                   .arg(configFile)
                                   .arg(version)
                                   .arg(currentVersion),
            ErrorKind::BadInput);
    if (version == currentVersion)
        return {};
    // Version 0 -> 1: the same keys; the file gets its version and is made private to its owner (it may
    // hold the SMTP password and the API key, and older versions wrote it with the default mode).
    ini.setValue(QStringLiteral("config/version"), currentVersion);
    ini.sync();
    if (ini.status() != QSettings::NoError)
        return Status::failure(QStringLiteral("Cannot write %1.").arg(configFile), ErrorKind::Storage);
    QFile::setPermissions(configFile, QFile::ReadOwner | QFile::WriteOwner);
    return {};
}

Status Config::checkOwnership(const QString &path, bool isDirectory)
{
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return {}; // not there (yet): made by this user, owner only, when it is needed
    const QString what = isDirectory ? QStringLiteral("data directory") : QStringLiteral("settings file");
    if (S_ISLNK(st.st_mode) && !isDirectory)
        return Status::failure(
            QStringLiteral("The %1 %2 is a symbolic link; LearnPulse uses only a plain file.").arg(what, path),
            ErrorKind::Forbidden);
    if (isDirectory && ::stat(QFile::encodeName(path).constData(), &st) != 0)
        return {};
    if (st.st_uid != ::geteuid())
        return Status::failure(QStringLiteral("The %1 %2 belongs to another user (uid %3), so its contents cannot be "
                                              "trusted. Use a %1 of your own (--data-dir or LEARNPULSE_DATA_DIR), "
                                              "or make this one yours.")
                                   .arg(what, path)
                                   .arg(st.st_uid),
            ErrorKind::Forbidden);
    // Group-writable only matters for a group other than the user's own (Debian gives each user a private
    // group and, with it, umask 002).
    const auto privateGroup = [](gid_t gid) {
        // The user's own group (Debian's user private groups): named as the user, with no other members.
        const passwd *user = ::getpwuid(::geteuid());
        const group *g = ::getgrgid(gid);
        return user && g && gid == user->pw_gid && qstrcmp(g->gr_name, user->pw_name) == 0
            && (!g->gr_mem || !g->gr_mem[0]);
    };
    if ((st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && !privateGroup(st.st_gid)))
        return Status::failure(QStringLiteral("The %1 %2 can be written by other users (mode %3), so its contents "
                                              "cannot be trusted. Make it writable by you alone: chmod go-w %2")
                                   .arg(what, path)
                                   .arg(QString::number(st.st_mode & 07777, 8)),
            ErrorKind::Forbidden);
    return {};
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
