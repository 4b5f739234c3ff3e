#include "config.h"
#include "mailer.h"
#include "postgresurl.h"
#include "redisclient.h"
#include "settingspec.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSettings>
#include <QStringDecoder>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace LearnPulse;

// The hand-written parsers and encoders: Redis and PostgreSQL URLs, the configuration's sources and
// their precedence, the settings file's version and privacy, and mail header encoding.
class TestParsers : public QObject
{
    Q_OBJECT

private slots:
    void scramVerifierIsWhatLibpqMakes();
    void aPasswordOthersCanReadIsMadePrivate_data();
    void aPasswordOthersCanReadIsMadePrivate();
    void redisUrls_data();
    void redisUrls();
    void redisUrlsRefused_data();
    void redisUrlsRefused();
    void postgresUrls();
    void postgresUrlsRefused_data();
    void postgresUrlsRefused();
    void configPrecedence();
    void configRefusesBadValues();
    void configChecksBeforeItWrites();
    void configVersionAndPrivacy();
    void configRefusesWhatOthersCanWrite_data();
    void configRefusesWhatOthersCanWrite();
    void configMasksUrlPasswords();
    void mailHeaderEncoding_data();
    void mailHeaderEncoding();
    void mailboxNamesCannotAddAddresses_data();
    void mailboxNamesCannotAddAddresses();
};

void TestParsers::redisUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("socket");
    QTest::addColumn<int>("db");
    QTest::addColumn<QString>("password");
    QTest::newRow("default") << "redis://127.0.0.1:6379/0"
                             << "127.0.0.1" << 6379 << "" << 0 << "";
    QTest::newRow("no port, no db") << "redis://redis.school.example"
                                    << "redis.school.example" << 6379 << "" << 0 << "";
    QTest::newRow("db 5") << "redis://10.1.2.3:6380/5"
                          << "10.1.2.3" << 6380 << "" << 5 << "";
    QTest::newRow("password") << "redis://:s3cret@host:7000/1"
                              << "host" << 7000 << "" << 1 << "s3cret";
    QTest::newRow("unix") << "unix:///run/redis/redis.sock?db=3&password=pw"
                          << "" << 6379 << "/run/redis/redis.sock" << 3 << "pw";
}

void TestParsers::redisUrls()
{
    QFETCH(QString, url);
    auto e = RedisEndpoint::parse(url);
    QVERIFY2(e, qPrintable(e.error()));
    QTEST(e->host, "host");
    QTEST(e->port, "port");
    QTEST(e->socketPath, "socket");
    QTEST(e->db, "db");
    QTEST(e->password, "password");
    if (!e->password.isEmpty())
        QVERIFY(!e->describe().contains(e->password)); // logs and errors never show it
}

void TestParsers::redisUrlsRefused_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("http") << "http://127.0.0.1:6379";
    QTest::newRow("no host") << "redis://";
    QTest::newRow("db not a number") << "redis://host/one";
    QTest::newRow("negative db") << "redis://host/-1";
    QTest::newRow("unix without a path") << "unix://";
    QTest::newRow("garbage") << "::::";
}

void TestParsers::redisUrlsRefused()
{
    QFETCH(QString, url);
    auto e = RedisEndpoint::parse(url);
    QVERIFY(!e);
    QVERIFY(!e.error().isEmpty());
}

void TestParsers::postgresUrls()
{
    auto t = parsePostgresUrl(QStringLiteral("postgresql://lp_admin:p%40ss%2Fw0rd@db.school.example:5433/learnpulse"
                                             "?sslmode=require&application_name=console"));
    QVERIFY2(t, qPrintable(t.error()));
    QCOMPARE(t->host, QStringLiteral("db.school.example"));
    QCOMPARE(t->port, 5433);
    QCOMPARE(t->user, QStringLiteral("lp_admin"));
    QCOMPARE(t->password, QStringLiteral("p@ss/w0rd")); // percent-encoding decoded
    QCOMPARE(t->database, QStringLiteral("learnpulse"));
    QVERIFY(t->options.contains(QLatin1String("sslmode=require")));
    QVERIFY(t->options.contains(QLatin1String("application_name=console")));
    QVERIFY(t->options.contains(QLatin1String("connect_timeout=")));

    auto socket = parsePostgresUrl(QStringLiteral("postgres:///learnpulse?host=/var/run/postgresql"));
    QVERIFY2(socket, qPrintable(socket.error()));
    QCOMPARE(socket->host, QStringLiteral("/var/run/postgresql"));
    QCOMPARE(socket->port, 5432);
    auto local = parsePostgresUrl(QStringLiteral("postgresql://u@/learnpulse"));
    QVERIFY2(local, qPrintable(local.error()));
    QCOMPARE(local->host, QStringLiteral("localhost"));
}

void TestParsers::postgresUrlsRefused_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("says");
    QTest::newRow("mysql") << "mysql://u:secretpw@h/db"
                           << "postgresql://";
    QTest::newRow("no database") << "postgresql://u:secretpw@host:5432/"
                                 << "names no database";
    QTest::newRow("unknown option") << "postgresql://u:secretpw@h/db?sslrootcert=/x"
                                    << "does not know";
    QTest::newRow("option with a separator") << "postgresql://u:secretpw@h/db?sslmode=require%20host%3Devil"
                                             << "letters";
}

void TestParsers::postgresUrlsRefused()
{
    QFETCH(QString, url);
    QFETCH(QString, says);
    auto t = parsePostgresUrl(url);
    QVERIFY(!t);
    QVERIFY2(t.error().contains(says), qPrintable(t.error()));
    QVERIFY(!t.error().contains(QLatin1String("secretpw")));
}

void TestParsers::scramVerifierIsWhatLibpqMakes()
{
    // Issue 26: db add-login sends a verifier, never the password. Known answer (RFC 7677's password and salt; the
    // keys computed independently with Python's hashlib.pbkdf2_hmac and hmac).
    QCOMPARE(scramSha256Verifier("pencil", QByteArray::fromBase64("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096),
        QStringLiteral("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
                       "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="));
    // A fresh salt each time; nothing of the password in it; nothing that would need quoting in SQL.
    const QString a = scramSha256Verifier("it's a 'secret'");
    const QString b = scramSha256Verifier("it's a 'secret'");
    QVERIFY(a != b);
    QVERIFY(!a.contains(QLatin1String("secret")) && !a.contains(QLatin1Char('\'')));
    QVERIFY(QRegularExpression(
        QStringLiteral("\\ASCRAM-SHA-256\\$4096:[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}\\z"))
                .match(a)
                .hasMatch());
}

void TestParsers::aPasswordOthersCanReadIsMadePrivate_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("secret");
    QTest::newRow("smtp password") << "smtp/password"
                                   << "hunter22" << true;
    QTest::newRow("api key") << "llm/api_key"
                             << "sk-123" << true;
    QTest::newRow("redis url with a password") << "redis/url"
                                               << "redis://:pw@10.0.0.5:6379/0" << true;
    QTest::newRow("database url with a password") << "database/url"
                                                  << "postgresql://lp:pw@db.example/lp" << true;
    QTest::newRow("no password") << "redis/url"
                                 << "redis://10.0.0.5:6379/0" << false;
}

void TestParsers::aPasswordOthersCanReadIsMadePrivate()
{
    // Issue 26: a settings file that holds a password and that other users can read is made the owner's alone
    // at once, and the console says so; a file without a secret is left as it is.
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(bool, secret);
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("learnpulse.ini"));
    {
        QSettings ini(file, QSettings::IniFormat);
        ini.setValue(QStringLiteral("config/version"), Config::currentVersion); // no migration to rewrite it
        ini.setValue(key, value);
    }
    QVERIFY(::chmod(QFile::encodeName(file).constData(), 0644) == 0);
    auto loaded = Config::load(dir.path(), QProcessEnvironment());
    QVERIFY2(loaded, qPrintable(loaded.error()));
    struct stat st
    {
    };
    QCOMPARE(::stat(QFile::encodeName(file).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, secret ? 0600u : 0644u);
    const bool said = loaded->settingsProblems.join(QLatin1Char(' ')).contains(QLatin1String("readable by you alone"));
    QCOMPARE(said, secret);
    QVERIFY(!loaded->settingsProblems.join(QLatin1Char(' ')).contains(value)); // never the secret itself
    // The next start has nothing to say.
    auto again = Config::load(dir.path(), QProcessEnvironment());
    QVERIFY(again && !again->settingsProblems.join(QLatin1Char(' ')).contains(QLatin1String("readable by you alone")));
}

void TestParsers::configPrecedence()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Defaults.
    auto defaults = Config::load(dir.path(), QProcessEnvironment());
    QVERIFY2(defaults, qPrintable(defaults.error()));
    QCOMPARE(defaults->escalationThreshold, 3);
    QCOMPARE(defaults->redisUrl, QStringLiteral("redis://127.0.0.1:6379/0"));
    QVERIFY(!defaults->redisUrlExplicit);
    QCOMPARE(defaults->configFile, dir.filePath(QStringLiteral("learnpulse.ini")));

    // The INI file over the defaults.
    {
        QSettings ini(dir.filePath(QStringLiteral("learnpulse.ini")), QSettings::IniFormat);
        ini.setValue(QStringLiteral("escalation/threshold"), 5);
        ini.setValue(QStringLiteral("redis/url"), QStringLiteral("redis://ini-host:6379/1"));
        ini.setValue(QStringLiteral("support/email"), QStringLiteral("ini@school.example"));
        ini.setValue(QStringLiteral("smtp/port"), 2525);
    }
    auto fromIni = Config::load(dir.path(), QProcessEnvironment());
    QVERIFY2(fromIni, qPrintable(fromIni.error()));
    QCOMPARE(fromIni->escalationThreshold, 5);
    QCOMPARE(fromIni->redisUrl, QStringLiteral("redis://ini-host:6379/1"));
    QVERIFY(fromIni->redisUrlExplicit);
    QCOMPARE(fromIni->smtpPort, 2525);

    // The environment over the INI file; an empty variable does not count.
    QProcessEnvironment env;
    env.insert(QStringLiteral("REDIS_URL"), QStringLiteral("redis://env-host:6379/2"));
    env.insert(QStringLiteral("SUPPORT_EMAIL"), QString());
    env.insert(QStringLiteral("SMTP_PORT"), QStringLiteral("465"));
    auto fromEnv = Config::load(dir.path(), env);
    QVERIFY2(fromEnv, qPrintable(fromEnv.error()));
    QCOMPARE(fromEnv->redisUrl, QStringLiteral("redis://env-host:6379/2"));
    QCOMPARE(fromEnv->supportEmail, QStringLiteral("ini@school.example"));
    QCOMPARE(fromEnv->smtpPort, 465);
    QCOMPARE(fromEnv->escalationThreshold, 5);

    // The data directory: the option over LEARNPULSE_DATA_DIR.
    QTemporaryDir other;
    QProcessEnvironment withDir;
    withDir.insert(QStringLiteral("LEARNPULSE_DATA_DIR"), other.path());
    QCOMPARE(Config::load(QString(), withDir)->dataDir, QFileInfo(other.path()).absoluteFilePath());
    QCOMPARE(Config::load(dir.path(), withDir)->dataDir, QFileInfo(dir.path()).absoluteFilePath());
}

void TestParsers::configRefusesBadValues()
{
    // A file edited by hand with values that are not valid: the console still starts, on the defaults, and
    // says which settings by their labels (never their values).
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("learnpulse.ini"));
    {
        QSettings ini(file, QSettings::IniFormat);
        ini.setValue(QStringLiteral("escalation/threshold"), QStringLiteral("three"));
        ini.setValue(QStringLiteral("session/history_cap"), 1);
        ini.setValue(QStringLiteral("outbox/max_tries"), 0);
        ini.setValue(QStringLiteral("signals/offer"), QStringLiteral("maybe"));
        ini.setValue(QStringLiteral("webhook/url"), QStringLiteral("ftp://hooks.example/secret-token"));
        ini.setValue(QStringLiteral("smtp/port"), 2525); // valid: kept
    }
    auto loaded = Config::load(dir.path(), QProcessEnvironment());
    QVERIFY2(loaded, qPrintable(loaded.error()));
    QCOMPARE(loaded->escalationThreshold, 3);
    QCOMPARE(loaded->historyCap, 50);
    QCOMPARE(loaded->outboxMaxTries, 8);
    QCOMPARE(loaded->offerSignal, true);
    QCOMPARE(loaded->webhookUrl, QString());
    QCOMPARE(loaded->smtpPort, 2525);
    const QString said = loaded->settingsProblems.join(QLatin1Char('\n'));
    QCOMPARE(loaded->settingsProblems.size(), 5);
    for (const char *label : { "Signals before a ticket", "Messages kept per conversation", "Tries of an email",
             "Offer a ticket on a vague ask", "Webhook URL" })
        QVERIFY2(said.contains(QLatin1String(label)), qPrintable(said));
    QVERIFY2(said.contains(QLatin1String("The default (50) is used")), qPrintable(said));
    QVERIFY2(!said.contains(QLatin1String("secret-token")) && !said.contains(QLatin1String("three")), qPrintable(said));
    QVERIFY(loaded->invalidKeys.contains(QStringLiteral("session/history_cap")));
    QVERIFY(loaded->editableValues().value(QStringLiteral("session/history_cap/invalid")).toBool());
    QCOMPARE(loaded->editableValues().value(QStringLiteral("session/history_cap")).toString(), QStringLiteral("50"));

    // An environment variable that is not valid is not used either, and said.
    QTemporaryDir dir2;
    QProcessEnvironment env;
    env.insert(QStringLiteral("SMTP_PORT"), QStringLiteral("70000"));
    auto badPort = Config::load(dir2.path(), env);
    QVERIFY2(badPort, qPrintable(badPort.error()));
    QCOMPARE(badPort->smtpPort, 587);
    QVERIFY2(badPort->settingsProblems.join(QLatin1Char(' ')).contains(QLatin1String("SMTP_PORT")),
        qPrintable(badPort->settingsProblems.join(QLatin1Char(' '))));

    // Saving what the dialog shows corrects the file: the editable value is written, the others go.
    auto changed = loaded->save(loaded->editableValues());
    QVERIFY2(changed, qPrintable(changed.error()));
    const QSettings fixed(file, QSettings::IniFormat);
    QCOMPARE(fixed.value(QStringLiteral("session/history_cap")).toString(), QStringLiteral("50"));
    QCOMPARE(fixed.value(QStringLiteral("escalation/threshold")).toString(), QStringLiteral("3"));
    QVERIFY(!fixed.contains(QStringLiteral("outbox/max_tries")));
    QVERIFY(!fixed.contains(QStringLiteral("signals/offer")));
    QCOMPARE(fixed.value(QStringLiteral("smtp/port")).toString(), QStringLiteral("2525"));
    auto again = Config::load(dir.path(), QProcessEnvironment());
    QVERIFY2(again && again->settingsProblems.isEmpty(), qPrintable(again->settingsProblems.join(QLatin1Char(' '))));
}

void TestParsers::configChecksBeforeItWrites()
{
    // A value that is not valid is refused before a byte is written: the file stays as it was, and the
    // console that reads it next starts as before.
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("learnpulse.ini"));
    {
        QSettings ini(file, QSettings::IniFormat);
        ini.setValue(QStringLiteral("escalation/threshold"), 4);
    }
    auto config = Config::load(dir.path(), QProcessEnvironment());
    QVERIFY2(config, qPrintable(config.error()));
    QVERIFY(config->save(config->editableValues())); // writes the version: the file as it now stands
    QFile before(file);
    QVERIFY(before.open(QIODevice::ReadOnly));
    const QByteArray bytes = before.readAll();
    before.close();
    for (const auto &[key, value] : { std::pair { "session/history_cap", "1" }, std::pair { "smtp/port", "0" },
             std::pair { "webhook/url", "javascript:alert(1)" }, std::pair { "support/email", "not an address" },
             std::pair { "redis/url", "http://cache.example" } }) {
        QVariantMap values = config->editableValues();
        values.insert(QStringLiteral("escalation/threshold"), 7); // a valid change beside it is not written either
        values.insert(QLatin1String(key), QLatin1String(value));
        auto refused = config->save(values);
        QVERIFY2(!refused, key);
        QCOMPARE(refused.kind(), ErrorKind::BadInput);
        QVERIFY2(
            refused.error().contains(SettingSpec::find(QLatin1String(key))->labelText()), qPrintable(refused.error()));
        QFile after(file);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), bytes);
        const QList<std::pair<QString, QString>> problems = Config::problemsIn(values);
        QCOMPARE(problems.size(), 1);
        QCOMPARE(problems.constFirst().first, QLatin1String(key));
    }
    QVERIFY(Config::load(dir.path(), QProcessEnvironment())->settingsProblems.isEmpty());
    // No copy is left beside the file, and a good save replaces it (private to its owner).
    QVariantMap good = config->editableValues();
    good.insert(QStringLiteral("session/history_cap"), 80);
    QVERIFY(config->save(good));
    QCOMPARE(QSettings(file, QSettings::IniFormat).value(QStringLiteral("session/history_cap")).toInt(), 80);
    QCOMPARE(QFile::permissions(file) & 0x0077, QFileDevice::Permissions());
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList { QStringLiteral("learnpulse.ini") });
}

void TestParsers::configRefusesWhatOthersCanWrite_data()
{
    QTest::addColumn<QString>("how");
    QTest::addColumn<QString>("message");
    QTest::newRow("data directory open to all")
        << QStringLiteral("dir0777") << QStringLiteral("can be written by other users");
    QTest::newRow("settings file open to all")
        << QStringLiteral("ini0666") << QStringLiteral("can be written by other users");
    QTest::newRow("settings file a link") << QStringLiteral("inilink") << QStringLiteral("symbolic link");
    QTest::newRow("data directory of another user")
        << QStringLiteral("dirowner") << QStringLiteral("belongs to another user");
    QTest::newRow("settings file of another user")
        << QStringLiteral("iniowner") << QStringLiteral("belongs to another user");
}

void TestParsers::configRefusesWhatOthersCanWrite()
{
    QFETCH(QString, how);
    QFETCH(QString, message);
    QTemporaryDir parent;
    const QString dir = parent.filePath(QStringLiteral("data"));
    QVERIFY(QDir().mkdir(dir));
    const QString ini = dir + QStringLiteral("/learnpulse.ini");
    {
        QSettings settings(ini, QSettings::IniFormat);
        settings.setValue(QStringLiteral("support/email"), QStringLiteral("evil@attacker.example"));
    }
    QVERIFY(QFile::setPermissions(ini, QFile::ReadOwner | QFile::WriteOwner));
    QVERIFY(Config::load(dir, QProcessEnvironment())); // the user's own: fine
    const QByteArray d = QFile::encodeName(dir);
    const QByteArray f = QFile::encodeName(ini);
    if (how.endsWith(QLatin1String("owner"))) {
        if (::geteuid() != 0)
            QSKIP("changing a file's owner needs root");
        QVERIFY(::chown(how.startsWith(QLatin1String("dir")) ? d.constData() : f.constData(), 65534, 65534) == 0);
    } else if (how == QLatin1String("dir0777")) {
        QVERIFY(::chmod(d.constData(), 0777) == 0);
    } else if (how == QLatin1String("ini0666")) {
        QVERIFY(::chmod(f.constData(), 0666) == 0);
    } else {
        QVERIFY(QFile::rename(ini, parent.filePath(QStringLiteral("elsewhere.ini"))));
        QVERIFY(QFile::link(parent.filePath(QStringLiteral("elsewhere.ini")), ini));
    }
    auto refused = Config::load(dir, QProcessEnvironment());
    QVERIFY(!refused);
    QCOMPARE(refused.kind(), ErrorKind::Forbidden);
    QVERIFY2(refused.error().contains(message), qPrintable(refused.error()));
}

void TestParsers::configVersionAndPrivacy()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("learnpulse.ini"));
    {
        QSettings ini(file, QSettings::IniFormat); // a file of version 0 (no version), world-readable
        ini.setValue(QStringLiteral("smtp/password"), QStringLiteral("mail-secret"));
    }
    QFile::setPermissions(file, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther | QFile::ReadGroup);
    auto loaded = Config::load(dir.path(), QProcessEnvironment());
    QVERIFY2(loaded, qPrintable(loaded.error()));
    QCOMPARE(loaded->smtpPassword, QStringLiteral("mail-secret"));
    QCOMPARE(
        QSettings(file, QSettings::IniFormat).value(QStringLiteral("config/version")).toInt(), Config::currentVersion);
    QCOMPARE(QFile::permissions(file) & 0x0077, QFileDevice::Permissions()); // migrated: private to its owner

    // Saving writes the version and keeps the file private; an empty secret keeps the stored one.
    QFile::setPermissions(file, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther);
    auto changed = loaded->save({ { QStringLiteral("escalation/threshold"), 4 },
        { QStringLiteral("smtp/password"), QString() }, { QStringLiteral("not/a/setting"), QStringLiteral("x") } });
    QVERIFY2(changed, qPrintable(changed.error()));
    QCOMPARE(changed.value(), QStringList { QStringLiteral("escalation/threshold") });
    QCOMPARE(QFile::permissions(file) & 0x0077, QFileDevice::Permissions());
    const QSettings after(file, QSettings::IniFormat);
    QCOMPARE(after.value(QStringLiteral("smtp/password")).toString(), QStringLiteral("mail-secret"));
    QVERIFY(!after.contains(QStringLiteral("not/a/setting")));

    // A file from a newer version is refused, not misread.
    {
        QSettings ini(file, QSettings::IniFormat);
        ini.setValue(QStringLiteral("config/version"), Config::currentVersion + 1);
    }
    auto newer = Config::load(dir.path(), QProcessEnvironment());
    QVERIFY(!newer);
    QVERIFY2(newer.error().contains(QLatin1String("newer")), qPrintable(newer.error()));
}

void TestParsers::configMasksUrlPasswords()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("learnpulse.ini"));
    {
        QSettings ini(file, QSettings::IniFormat);
        ini.setValue(QStringLiteral("redis/url"), QStringLiteral("redis://:redis-pass@cache.school.example:6379/0"));
    }
    auto config = Config::load(dir.path(), QProcessEnvironment());
    QVERIFY2(config, qPrintable(config.error()));
    const QVariantMap shown = config->editableValues();
    const QString url = shown.value(QStringLiteral("redis/url")).toString();
    QVERIFY2(!url.contains(QLatin1String("redis-pass")), qPrintable(url));
    QVERIFY(url.contains(Config::maskedPassword()));
    QVERIFY(url.contains(QLatin1String("cache.school.example")));
    for (auto it = shown.begin(); it != shown.end(); ++it)
        QVERIFY2(!it.value().toString().contains(QLatin1String("redis-pass")), qPrintable(it.key()));

    const QString unix = Config::maskPassword(QStringLiteral("unix:///run/redis/redis.sock?db=1&password=sock-pass"));
    QVERIFY2(!unix.contains(QLatin1String("sock-pass")) && unix.contains(Config::maskedPassword()), qPrintable(unix));

    // Saving the dialog's masked URL keeps the stored password; a new password replaces it.
    QVERIFY(config->save(shown));
    QCOMPARE(QSettings(file, QSettings::IniFormat).value(QStringLiteral("redis/url")).toString(),
        QStringLiteral("redis://:redis-pass@cache.school.example:6379/0"));
    QVariantMap moved = shown;
    moved.insert(QStringLiteral("redis/url"), QString(url).replace(QLatin1String("cache."), QLatin1String("cache2.")));
    QVERIFY(config->save(moved));
    QCOMPARE(QSettings(file, QSettings::IniFormat).value(QStringLiteral("redis/url")).toString(),
        QStringLiteral("redis://:redis-pass@cache2.school.example:6379/0"));
    moved.insert(QStringLiteral("redis/url"), QStringLiteral("redis://:fresh@cache2.school.example:6379/0"));
    QVERIFY(config->save(moved));
    QCOMPARE(QSettings(file, QSettings::IniFormat).value(QStringLiteral("redis/url")).toString(),
        QStringLiteral("redis://:fresh@cache2.school.example:6379/0"));

    // What the environment sets is the environment the settings were loaded with, not this process's: a
    // variable of the process that the load did not see greys nothing out, one the load saw does (and is
    // never written to the file, whatever the dialog sends).
    qputenv("LLM_MODEL", "from-the-process");
    QProcessEnvironment env;
    env.insert(QStringLiteral("SMTP_HOST"), QStringLiteral("mail.from-env.example"));
    env.insert(QStringLiteral("SMTP_PORT"), QStringLiteral("2525"));
    auto loaded = Config::load(dir.path(), env);
    qunsetenv("LLM_MODEL");
    QVERIFY2(loaded, qPrintable(loaded.error()));
    const QVariantMap values = loaded->editableValues();
    QCOMPARE(values.value(QStringLiteral("smtp/host/env")).toString(), QStringLiteral("SMTP_HOST"));
    QCOMPARE(values.value(QStringLiteral("smtp/port/env")).toString(), QStringLiteral("SMTP_PORT"));
    QVERIFY(!values.contains(QStringLiteral("llm/model/env")));
    QVariantMap edited = values;
    edited.insert(QStringLiteral("smtp/host"), QStringLiteral("typed.example"));
    edited.insert(QStringLiteral("llm/model"), QStringLiteral("typed-model"));
    auto changed = loaded->save(edited);
    QVERIFY2(changed, qPrintable(changed.error()));
    QCOMPARE(changed.value(), QStringList { QStringLiteral("llm/model") });
    QVERIFY(!QSettings(file, QSettings::IniFormat).contains(QStringLiteral("smtp/host")));
}

void TestParsers::mailHeaderEncoding_data()
{
    QTest::addColumn<QString>("value");
    QTest::newRow("ascii") << QStringLiteral("Teacher Support Request - loops");
    QTest::newRow("accents") << QStringLiteral("Probl\u00e8me avec l'\u00e9l\u00e8ve Ana\u00efs");
    QTest::newRow("emoji") << QStringLiteral("Help \U0001F600\U0001F600\U0001F600 with 6B");
    QTest::newRow("long") << QString(200, QChar(0x00e9));
    QTest::newRow("control and separators") << QStringLiteral("Line one\r\nBcc: evil@x.example\u2028three");
}

void TestParsers::mailHeaderEncoding()
{
    QFETCH(QString, value);
    const QByteArray encoded = Mailer::encodeHeaderValue(value);
    QVERIFY(!encoded.contains('\r') && !encoded.contains('\n'));
    const QString expected = Mailer::sanitiseHeaderText(value);
    QVERIFY(!expected.contains(QChar::LineSeparator) && !expected.contains(QLatin1Char('\n')));
    if (!encoded.startsWith("=?")) {
        QCOMPARE(QString::fromLatin1(encoded), expected);
        return;
    }
    // RFC 2047: encoded words of at most 75 characters, each whole UTF-8 (no character cut in two).
    QString decoded;
    for (const QByteArray &word : encoded.split(' ')) {
        QVERIFY(word.size() <= 75);
        QVERIFY(word.startsWith("=?UTF-8?B?") && word.endsWith("?="));
        const QByteArray bytes = QByteArray::fromBase64(word.mid(10, word.size() - 12));
        QStringDecoder utf8(QStringDecoder::Utf8);
        decoded += utf8.decode(bytes);
        QVERIFY(!utf8.hasError());
    }
    QCOMPARE(decoded, expected);
}

void TestParsers::mailboxNamesCannotAddAddresses_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("comma") << QStringLiteral("Jones, Ms");
    QTest::newRow("encoded-word look-alike") << QStringLiteral("=?x?= <evil@attacker.example>, Ms Jones");
    QTest::newRow("quotes") << QStringLiteral("Ms \"Ada\" <ada@x.example>");
}

void TestParsers::mailboxNamesCannotAddAddresses()
{
    QFETCH(QString, name);
    const QByteArray box = Mailer::mailbox(name, QStringLiteral("ms.jones@school.example"));
    QVERIFY2(box.endsWith(" <ms.jones@school.example>"), box.constData());
    const QByteArray display = box.left(box.size() - int(sizeof(" <ms.jones@school.example>") - 1));
    // The whole display name is one quoted string (or encoded words): nothing in it can start a second
    // address.
    QVERIFY2(display.startsWith('"') && display.endsWith('"'), box.constData());
    const QByteArray inner = display.mid(1, display.size() - 2);
    for (qsizetype i = 0; i < inner.size(); ++i)
        if (inner.at(i) == '"')
            QVERIFY2(i > 0 && inner.at(i - 1) == '\\', box.constData());
}

QTEST_GUILESS_MAIN(TestParsers)
#include "tst_parsers.moc"
