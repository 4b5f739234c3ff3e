#include "config.h"
#include "redisconnector.h"
#include "redistrust.h"
#include "testsupport.h"

#include <QDir>
#include <QFileInfo>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <sys/stat.h>
#include <unistd.h>

using namespace LearnPulse;
using namespace LearnPulse::Test;

// Issue 26: Redis belongs to the console or is authenticated. A server on loopback without a password run by
// another user never receives a conversation; a private server never listens where another user can reach it.
class TestRedisTrust : public QObject
{
    Q_OBJECT

private slots:
    void readsWhoListensFromProcNetTcp();
    void aServerOfThisUserIsUsed();
    void anotherUsersServerWithoutAPasswordIsPassedOver();
    void aDeepDataDirectoryKeepsAPrivateSocket();
    void withNoShortFolderThePortHasARandomPassword();
    void aSocketFolderOthersCanEnterIsNotUsed();

private:
    // redis-server run by `nobody` (another user) on a free port; empty when this test cannot do that.
    QString startAsNobody(QProcess &process, QTemporaryDir &dir, const QString &password = {});
    static Config configFor(const QString &dataDir, const QString &url, bool explicitUrl)
    {
        Config c;
        c.dataDir = dataDir;
        c.redisUrl = url;
        c.redisUrlExplicit = explicitUrl;
        return c;
    }
};

void TestRedisTrust::readsWhoListensFromProcNetTcp()
{
    // Rows as the kernel writes them: 0A is LISTEN, the port in hex, uid in the eighth column.
    const QByteArray tcp
        = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
          "   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   112        0 1 1\n"
          "   1: 00000000:1A0B 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2 1\n"
          "   2: 0100007F:18EB 0100007F:D2C4 01 00000000:00000000 00:00000000 00000000     7        0 3 1\n"
          "   3: 0A00020F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000    33        0 4 1\n"
          "   4: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000    44        0 5 1\n"
          "garbage\n";
    QCOMPARE(RedisTrust::listenerUids(tcp, 6379), QList<uint> { 112 }); // the established row (01) is no listener
    QCOMPARE(RedisTrust::listenerUids(tcp, 6667), QList<uint> { 1000 }); // 0.0.0.0 takes loopback too
    QCOMPARE(RedisTrust::listenerUids(tcp, 8080), QList<uint> { 44 }); // 10.2.0.15 does not; 127.0.0.1 does
    QVERIFY(RedisTrust::listenerUids(tcp, 6380).isEmpty());
    QVERIFY(RedisTrust::listenerUids(tcp, 0).isEmpty());
    const QByteArray tcp6 = "  sl  local_address                         remote_address                        st\n"
                            "   0: 00000000000000000000000001000000:18EB 00000000000000000000000000000000:0000 0A "
                            "00000000:00000000 00:00000000 00000000   501        0 9 1\n"
                            "   1: 0000000000000000FFFF00000100007F:18EC 00000000000000000000000000000000:0000 0A "
                            "00000000:00000000 00:00000000 00000000   502        0 9 1\n"
                            "   2: 20010DB8000000000000000000000001:18ED 00000000000000000000000000000000:0000 0A "
                            "00000000:00000000 00:00000000 00000000   503        0 9 1\n";
    QCOMPARE(RedisTrust::listenerUids(tcp6, 6379), QList<uint> { 501 });
    QCOMPARE(RedisTrust::listenerUids(tcp6, 6380), QList<uint> { 502 });
    QVERIFY(RedisTrust::listenerUids(tcp6, 6381).isEmpty());
}

void TestRedisTrust::aServerOfThisUserIsUsed()
{
    TestRedis redis;
    QVERIFY2(redis.start(), qPrintable(redis.error()));
    const int port = redis.server().port();
    QVERIFY(RedisTrust::loopbackListenerUids(port).contains(uint(::getuid())));
    QVERIFY(RedisTrust::whyNotTrusted(RedisEndpoint::parse(redis.url()).value()).isEmpty());
    QTemporaryDir data;
    for (bool explicitUrl : { false, true }) {
        auto connected = connectRedis(configFor(data.path(), redis.url(), explicitUrl));
        QVERIFY2(connected, qPrintable(connected.error()));
        QVERIFY(!connected.value().privateServer);
        QVERIFY(connected.value().notice.isEmpty());
        QCOMPARE(connected.value().client->endpoint().port, port);
    }
}

QString TestRedisTrust::startAsNobody(QProcess &process, QTemporaryDir &dir, const QString &password)
{
    if (::geteuid() != 0 || QStandardPaths::findExecutable(QStringLiteral("runuser")).isEmpty())
        return {};
    QFile::setPermissions(dir.path(), QFileDevice::Permissions(0x7777));
    const int port = RedisServerProcess::freePort();
    QStringList args { QStringLiteral("-u"), QStringLiteral("nobody"), QStringLiteral("--"),
        QStringLiteral(LP_REDIS_SERVER), QStringLiteral("--port"), QString::number(port), QStringLiteral("--bind"),
        QStringLiteral("127.0.0.1"), QStringLiteral("--dir"), dir.path(), QStringLiteral("--save"), QString(),
        QStringLiteral("--appendonly"), QStringLiteral("no") };
    if (!password.isEmpty())
        args << QStringLiteral("--requirepass") << password;
    process.start(QStringLiteral("runuser"), args);
    if (!process.waitForStarted(5000))
        return {};
    for (int i = 0; i < 250 && RedisTrust::loopbackListenerUids(port).isEmpty(); ++i)
        QThread::msleep(20);
    return RedisTrust::loopbackListenerUids(port).isEmpty() ? QString()
                                                            : QStringLiteral("redis://127.0.0.1:%1/0").arg(port);
}

void TestRedisTrust::anotherUsersServerWithoutAPasswordIsPassedOver()
{
    QTemporaryDir serverDir;
    QProcess nobody;
    const QString url = startAsNobody(nobody, serverDir);
    if (url.isEmpty())
        QSKIP("needs root (runuser) to run a redis-server as another user");
    const auto cleanup = qScopeGuard([&nobody] {
        nobody.terminate();
        nobody.waitForFinished(5000);
    });
    const int port = RedisEndpoint::parse(url).value().port;
    QVERIFY(!RedisTrust::loopbackListenerUids(port).contains(uint(::getuid())));

    // The default URL: the other user's server is passed over, said why, and a private one stands in.
    QTemporaryDir data;
    auto connected = connectRedis(configFor(data.path(), url, false));
    QVERIFY2(connected, qPrintable(connected.error()));
    QVERIFY(connected.value().privateServer);
    QVERIFY2(connected.value().notice.contains(QLatin1String("another user"))
            && connected.value().notice.contains(QLatin1String("private")),
        qPrintable(connected.value().notice));
    QVERIFY(connected.value().client->endpoint().port != port);
    QVERIFY(connected.value().client->command({ "SET", "lp:probe", "mine" }));
    // Nothing reached the other user's server.
    auto theirs = RedisClient::connect(url);
    QVERIFY2(theirs, qPrintable(theirs.error()));
    QCOMPARE(theirs.value()->command({ "DBSIZE" }).value().integer, 0LL);

    // Chosen by the person who set the console up: refused with what to do, nothing started.
    auto refused = connectRedis(configFor(data.path(), url, true));
    QVERIFY(!refused);
    QCOMPARE(refused.kind(), ErrorKind::Forbidden);
    QVERIFY2(refused.error().contains(QLatin1String("another user"))
            && refused.error().contains(QLatin1String("requirepass")),
        qPrintable(refused.error()));
}

void TestRedisTrust::aDeepDataDirectoryKeepsAPrivateSocket()
{
    QTemporaryDir root;
    QTemporaryDir runtime;
    const QString deep = root.path() + QLatin1Char('/') + QString(120, QLatin1Char('d'));
    QVERIFY(QDir().mkpath(deep));
    qputenv("XDG_RUNTIME_DIR", runtime.path().toLocal8Bit());
    const auto restore = qScopeGuard([] { qunsetenv("XDG_RUNTIME_DIR"); });
    auto connected = connectRedis(configFor(deep, QStringLiteral("redis://127.0.0.1:1/0"), false));
    QVERIFY2(connected, qPrintable(connected.error()));
    RedisServerProcess *server = connected.value().privateServer.get();
    QVERIFY(server);
    QCOMPARE(server->port(), 0); // no TCP port at all
    QVERIFY2(server->socketPath().startsWith(runtime.path() + QLatin1String("/learnpulse-")),
        qPrintable(server->socketPath()));
    struct stat st
    {
    };
    QCOMPARE(::lstat(QFile::encodeName(QFileInfo(server->socketPath()).path()).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0700u);
    QCOMPARE(st.st_uid, ::getuid());
    QVERIFY(connected.value().client->command({ "PING" }));
    // The data stays in the data directory.
    QVERIFY(QFileInfo::exists(deep + QLatin1String("/redis")));
}

void TestRedisTrust::withNoShortFolderThePortHasARandomPassword()
{
    QTemporaryDir root;
    const QString deep = root.path() + QLatin1Char('/') + QString(120, QLatin1Char('e'));
    QVERIFY(QDir().mkpath(deep));
    // Neither the runtime folder nor the temporary folder gives a short path.
    const QByteArray oldTmp = qgetenv("TMPDIR");
    qunsetenv("XDG_RUNTIME_DIR");
    qputenv("TMPDIR", deep.toLocal8Bit());
    const auto restore = qScopeGuard([oldTmp] {
        if (oldTmp.isEmpty())
            qunsetenv("TMPDIR");
        else
            qputenv("TMPDIR", oldTmp);
    });
    auto connected = connectRedis(configFor(deep, QStringLiteral("redis://127.0.0.1:1/0"), false));
    QVERIFY2(connected, qPrintable(connected.error()));
    RedisServerProcess *server = connected.value().privateServer.get();
    QVERIFY(server && server->port() > 0);
    QVERIFY(server->socketPath().isEmpty());
    const QString password = server->options().password;
    QCOMPARE(password.size(), 64);
    QVERIFY(connected.value().client->command({ "PING" }));
    // Another program on the machine that finds the port gets nothing without the password.
    auto stranger = RedisClient::connect(QStringLiteral("redis://127.0.0.1:%1/0").arg(server->port()));
    QVERIFY(stranger);
    auto refused = stranger.value()->command({ "GET", "anything" });
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(QLatin1String("NOAUTH")), qPrintable(refused.error()));
    // The password was never on the command line nor left in a file.
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(connected.value().privateServer->processId()));
    QVERIFY(cmdline.open(QIODevice::ReadOnly));
    QVERIFY(!cmdline.readAll().contains(password.toLatin1()));
    QVERIFY(!QFileInfo::exists(deep + QLatin1String("/redis/requirepass.conf")));
}

void TestRedisTrust::aSocketFolderOthersCanEnterIsNotUsed()
{
    QTemporaryDir runtime;
    QTemporaryDir data;
    qputenv("XDG_RUNTIME_DIR", runtime.path().toLocal8Bit());
    const auto restore = qScopeGuard([] { qunsetenv("XDG_RUNTIME_DIR"); });
    const QString first = RedisTrust::privateSocketFolder(data.path());
    QVERIFY(first.startsWith(runtime.path()));
    QCOMPARE(RedisTrust::privateSocketFolder(data.path()), first); // the same folder next time
    // Opened to others (or made by someone else before us): not that one.
    QVERIFY(QFile::setPermissions(first, QFileDevice::Permissions(0x7755)));
    const QString second = RedisTrust::privateSocketFolder(data.path());
    QVERIFY2(!second.isEmpty() && second != first, qPrintable(second));
    const auto removeSecond = qScopeGuard([second] { QDir(second).removeRecursively(); });
    // A link planted where the folder would be is not followed.
    QVERIFY(QDir(first).removeRecursively());
    QVERIFY(QFile::link(runtime.path(), first));
    QVERIFY(RedisTrust::privateSocketFolder(data.path()) != first);
}

QTEST_GUILESS_MAIN(TestRedisTrust)
#include "tst_redistrust.moc"
