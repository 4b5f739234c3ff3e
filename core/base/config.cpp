#include "config.h"

#include "settingspec.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryFile>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
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
    // A value that is not valid never keeps the console from starting: it is reported (by its label, never
    // by its value), and the default stays in force until an admin corrects it.
    const Config defaults = c;
    const QSettings ini(c.configFile, QSettings::IniFormat);
    if (ini.status() == QSettings::FormatError)
        c.settingsProblems << QCoreApplication::translate(
            "Settings", "Part of the settings file could not be read; what could not be read has its default.");
    auto useDefault = [&defaults](const SettingSpec &s) {
        const QString value = s.valueIn(defaults);
        return value.isEmpty()
            ? QCoreApplication::translate("Settings", "It is not set until it is corrected.")
            : QCoreApplication::translate("Settings", "The default (%1) is used until it is corrected.")
                  .arg(s.type == SettingSpec::Type::Secret ? QStringLiteral("-") : value);
    };
    for (const SettingSpec &s : SettingSpec::all()) {
        const QString key = QLatin1String(s.key);
        if (!ini.contains(key))
            continue;
        const QString value = ini.value(key).toString();
        if (const QString why = s.check(value); !why.isEmpty()) {
            c.settingsProblems << why + QLatin1Char(' ') + useDefault(s);
            c.invalidKeys << key;
            continue;
        }
        s.apply(c, value);
    }
    if (auto kept = keepSecretsPrivate(c.configFile, ini); !kept)
        return failureOf<Config>(kept);
    else if (!kept.value().isEmpty())
        c.settingsProblems << kept.value();
    c.redisUrlExplicit
        = ini.contains(QStringLiteral("redis/url")) && !c.invalidKeys.contains(QStringLiteral("redis/url"));
    for (const SettingSpec &s : SettingSpec::all()) {
        if (!s.environment)
            continue;
        const QString variable = QLatin1String(s.environment);
        const QString value = env.value(variable);
        if (value.isEmpty())
            continue;
        c.setByEnvironment << variable;
        if (const QString why = s.check(value); !why.isEmpty()) {
            c.settingsProblems << QCoreApplication::translate(
                "Settings", "The environment variable %1: %2 It is not used.")
                                      .arg(variable, why);
            continue;
        }
        s.apply(c, value);
        if (variable == QLatin1String("REDIS_URL"))
            c.redisUrlExplicit = true;
    }
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

bool isUrlKey(const SettingSpec &s)
{
    return s.type == SettingSpec::Type::RedisUrl || s.type == SettingSpec::Type::HttpUrl
        || qstrcmp(s.key, "database/url") == 0;
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
    QVariantMap v { { QStringLiteral("config_file"), configFile } };
    for (const SettingSpec &s : SettingSpec::all()) {
        if (!s.editable)
            continue;
        const QString key = QLatin1String(s.key);
        const QString value = s.valueIn(*this);
        if (s.type == SettingSpec::Type::Secret) {
            v.insert(key, QString());
            v.insert(key + QStringLiteral("/set"), !value.isEmpty());
        } else {
            v.insert(key, isUrlKey(s) ? maskPassword(value) : value);
        }
        // A value an environment variable sets is not the settings file's to change: "<key>/env" names it.
        if (s.environment && setByEnvironment.contains(QLatin1String(s.environment)))
            v.insert(key + QStringLiteral("/env"), QLatin1String(s.environment));
        // The file holds a value that is not valid (the default is in force): saving writes the field's value.
        if (invalidKeys.contains(key))
            v.insert(key + QStringLiteral("/invalid"), true);
    }
    return v;
}

QList<std::pair<QString, QString>> Config::problemsIn(const QVariantMap &values)
{
    QList<std::pair<QString, QString>> problems;
    for (const SettingSpec &s : SettingSpec::all()) {
        const QString key = QLatin1String(s.key);
        if (!s.editable || !values.contains(key))
            continue;
        const QString value = values.value(key).toString();
        if (s.type == SettingSpec::Type::Secret && value.isEmpty())
            continue; // keeps what is stored
        if (const QString why = s.check(s.type == SettingSpec::Type::Secret ? value : value.trimmed()); !why.isEmpty())
            problems.append({ key, why });
    }
    return problems;
}

Result<QStringList> Config::save(const QVariantMap &values) const
{
    using R = Result<QStringList>;
    if (auto migrated = migrate(configFile); !migrated)
        return failureOf<QStringList>(migrated);
    // The whole new configuration is checked before a byte is written.
    if (const auto problems = problemsIn(values); !problems.isEmpty()) {
        QStringList why;
        for (const auto &[key, text] : problems)
            why << text;
        return R::failure(why.join(QLatin1Char(' ')), ErrorKind::BadInput);
    }
    QStringList changed;
    const QVariantMap shown = editableValues();
    QHash<QString, QString> write;
    QStringList remove;
    {
        const QSettings ini(configFile, QSettings::IniFormat);
        for (const SettingSpec &s : SettingSpec::all()) {
            const QString key = QLatin1String(s.key);
            const bool secret = s.type == SettingSpec::Type::Secret;
            const bool storedInvalid = ini.contains(key) && !s.check(ini.value(key).toString()).isEmpty();
            if (!s.editable || !values.contains(key) || shown.contains(key + QStringLiteral("/env"))) {
                // Not the dialog's (or the environment sets it): a value in the file that is not valid goes, so
                // that the default, which is in force, is what the file says too.
                if (storedInvalid)
                    remove << key;
                continue;
            }
            QString value = values.value(key).toString();
            if (!secret)
                value = value.trimmed(); // a secret is kept exactly as typed
            if (secret && value.isEmpty())
                continue; // an empty secret field keeps the stored secret
            // Only what was changed in the dialog is written: a value that comes from the environment, or a
            // default, stays out of the file; a value the file holds that is not valid is replaced.
            if (!secret && value == shown.value(key).toString() && !storedInvalid)
                continue;
            if (isUrlKey(s))
                value = unmaskPassword(value, s.valueIn(*this));
            if (!ini.contains(key) || ini.value(key).toString() != value || storedInvalid)
                write.insert(key, value);
        }
    }
    for (auto it = write.cbegin(); it != write.cend(); ++it)
        changed << it.key();
    changed << remove;
    std::sort(changed.begin(), changed.end());

    // Written to a private copy beside the file, then put in its place in one step: a failure at any point
    // leaves the file as it was.
    const QString dir = QFileInfo(configFile).absolutePath();
    if (!QDir().mkpath(dir))
        return R::failure(QStringLiteral("Cannot create the folder %1.").arg(dir), ErrorKind::Storage);
    QTemporaryFile copy(dir + QStringLiteral("/.learnpulse.ini.XXXXXX"));
    if (!copy.open())
        return R::failure(QStringLiteral("Cannot write in %1.").arg(dir), ErrorKind::Storage);
    if (QFile current(configFile); current.open(QIODevice::ReadOnly)) {
        if (copy.write(current.readAll()) < 0 || !copy.flush())
            return R::failure(QStringLiteral("Cannot write in %1.").arg(dir), ErrorKind::Storage);
    }
    copy.close();
    {
        QSettings ini(copy.fileName(), QSettings::IniFormat);
        for (auto it = write.cbegin(); it != write.cend(); ++it)
            ini.setValue(it.key(), it.value());
        for (const QString &key : std::as_const(remove))
            ini.remove(key);
        ini.setValue(QStringLiteral("config/version"), currentVersion);
        ini.sync();
        if (ini.status() != QSettings::NoError)
            return R::failure(QStringLiteral("Cannot write %1.").arg(configFile), ErrorKind::Storage);
    }
    if (!QFile::setPermissions(copy.fileName(), QFile::ReadOwner | QFile::WriteOwner))
        return R::failure(QStringLiteral("Cannot make %1 private to its owner.").arg(configFile), ErrorKind::Storage);
    if (::rename(QFile::encodeName(copy.fileName()).constData(), QFile::encodeName(configFile).constData()) != 0)
        return R::failure(QStringLiteral("Cannot replace %1.").arg(configFile), ErrorKind::Storage);
    copy.setAutoRemove(false); // it is the settings file now
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

Result<QString> Config::keepSecretsPrivate(const QString &configFile, const QSettings &ini)
{
    const auto holdsSecret = [&ini](const SettingSpec &s) {
        const QString value = ini.value(QLatin1String(s.key)).toString();
        if (value.isEmpty())
            return false;
        if (s.type == SettingSpec::Type::Secret)
            return true;
        const QUrl url(value);
        return isUrlKey(s) && (!url.password().isEmpty() || QUrlQuery(url).hasQueryItem(QStringLiteral("password")));
    };
    const auto secrets = SettingSpec::all();
    if (std::none_of(secrets.begin(), secrets.end(), holdsSecret))
        return QString();
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(configFile).constData(), &st) != 0 || (st.st_mode & 077) == 0)
        return QString();
    // A password that other users of the machine can read is made private at once, and said so.
    if (::chmod(QFile::encodeName(configFile).constData(), 0600) != 0)
        return Result<QString>::failure(
            QStringLiteral("The settings file %1 holds a password that other users of this machine can read, and "
                           "it cannot be made private (%2). Run: chmod 600 '%1'")
                .arg(configFile, QString::fromLocal8Bit(std::strerror(errno))),
            ErrorKind::Forbidden);
    return QCoreApplication::translate("Settings",
        "The settings file held a password that other users of this machine could read; it is now readable by "
        "you alone (chmod 600).");
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
