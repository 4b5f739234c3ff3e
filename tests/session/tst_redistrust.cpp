#include "config.h"
#include "redisconnector.h"
#include "redistrust.h"
#include "redistunnel.h"
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
    void aRedisOverTlsIsReachedThroughAVerifiedTunnel();

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

namespace {

// Runs a program; its standard error on failure.
QString run(const QString &program, const QStringList &args, const QString &dir)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.start(program, args);
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        return program + QLatin1String(": ") + QString::fromLocal8Bit(p.readAllStandardError());
    return {};
}

} // namespace

void TestRedisTrust::aRedisOverTlsIsReachedThroughAVerifiedTunnel()
{
    // Issue 26: rediss:// goes through a private stunnel client that verifies the server's certificate. A real
    // redis-server with a password behind a real stunnel server, with certificates of a test CA made here.
    const QString stunnel = RedisTunnel::executable();
    QVERIFY2(!stunnel.isEmpty(), "stunnel4 is not installed (packaging/install-deps.sh installs it)");
    QTemporaryDir pki;
    const QString d = pki.path();
    const QStringList ec { QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
        QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes") };
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    QVERIFY(!openssl.isEmpty());
    for (const QString &ca : { QStringLiteral("ca"), QStringLiteral("other") }) {
        const QString made = run(openssl,
            QStringList { QStringLiteral("req"), QStringLiteral("-x509") } + ec
                + QStringList { QStringLiteral("-keyout"), ca + QLatin1String(".key"), QStringLiteral("-out"),
                    ca + QLatin1String(".pem"), QStringLiteral("-subj"), QStringLiteral("/CN=LearnPulse test ") + ca,
                    QStringLiteral("-days"), QStringLiteral("2") },
            d);
        QVERIFY2(made.isEmpty(), qPrintable(made));
    }
    QFile ext(d + QLatin1String("/ext.cnf"));
    QVERIFY(ext.open(QIODevice::WriteOnly) && ext.write("subjectAltName=DNS:localhost\n") > 0);
    ext.close();
    QString made = run(openssl,
        QStringList { QStringLiteral("req") } + ec
            + QStringList { QStringLiteral("-keyout"), QStringLiteral("server.key"), QStringLiteral("-out"),
                QStringLiteral("server.csr"), QStringLiteral("-subj"), QStringLiteral("/CN=localhost") },
        d);
    QVERIFY2(made.isEmpty(), qPrintable(made));
    made = run(openssl,
        { QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), QStringLiteral("server.csr"),
            QStringLiteral("-CA"), QStringLiteral("ca.pem"), QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
            QStringLiteral("-CAcreateserial"), QStringLiteral("-out"), QStringLiteral("server.pem"),
            QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"), QStringLiteral("ext.cnf") },
        d);
    QVERIFY2(made.isEmpty(), qPrintable(made));

    // The Redis, on loopback with a password; the TLS server in front of it.
    QTemporaryDir redisDir;
    RedisServerProcess redis;
    RedisServerProcess::Options options;
    options.directory = redisDir.path();
    options.unixSocket = false;
    options.port = RedisServerProcess::freePort();
    options.password = QStringLiteral("tls-secret");
    options.executable = QStringLiteral(LP_REDIS_SERVER);
    QVERIFY2(redis.start(options), "redis-server did not start");
    const int tlsPort = RedisServerProcess::freePort();
    QFile conf(d + QLatin1String("/server.conf"));
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write(QStringLiteral("foreground = yes\npid =\nsyslog = no\n[redis]\naccept = 127.0.0.1:%1\nconnect = "
                              "127.0.0.1:%2\ncert = %3/server.pem\nkey = %3/server.key\n")
                   .arg(tlsPort)
                   .arg(options.port)
                   .arg(d)
                   .toUtf8());
    conf.close();
    QProcess server;
    server.setProcessChannelMode(QProcess::ForwardedChannels);
    server.start(stunnel, { conf.fileName() });
    QVERIFY(server.waitForStarted(5000));
    const auto stop = qScopeGuard([&server] {
        server.terminate();
        server.waitForFinished(5000);
    });
    for (int i = 0; i < 250 && RedisTrust::loopbackListenerUids(tlsPort).isEmpty(); ++i)
        QThread::msleep(20);

    QTemporaryDir data;
    Config config = configFor(data.path(), QStringLiteral("rediss://:tls-secret@localhost:%1/0").arg(tlsPort), true);
    config.redisCaFile = d + QLatin1String("/ca.pem");
    {
        auto connected = connectRedis(config);
        QVERIFY2(connected, qPrintable(connected.error()));
        QVERIFY(connected.value().tunnel && !connected.value().privateServer);
        RedisClient &client = *connected.value().client;
        QVERIFY(client.command({ "SET", "lp:tls", "over tls" }));
        // What the tunnel wrote reached the Redis behind the TLS server.
        auto direct = RedisClient::connect(redis.url());
        QVERIFY2(direct, qPrintable(direct.error()));
        QCOMPARE(direct.value()->command({ "GET", "lp:tls" }).value().string, QByteArray("over tls"));
        // The tunnel is this user's alone: its socket is in a 0700 folder; no TCP port of its own.
        const QString socket = client.endpoint().socketPath;
        QVERIFY(!socket.isEmpty());
        struct stat st
        {
        };
        QCOMPARE(::stat(QFile::encodeName(QFileInfo(socket).path()).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0700u);
        // The password and database go with the tunnel's endpoint (the subscriber connects through it too).
        QCOMPARE(client.endpoint().password, QStringLiteral("tls-secret"));
    }
    // A certificate of another CA: refused, with a message that says so; nothing is used in clear text instead.
    config.redisCaFile = d + QLatin1String("/other.pem");
    auto refused = connectRedis(config);
    QVERIFY(!refused);
    QVERIFY2(
        refused.error().contains(QLatin1String("certificate")) && refused.error().contains(QLatin1String("refused")),
        qPrintable(refused.error()));
    QVERIFY(!refused.error().contains(QLatin1String("tls-secret")));
    qInfo().noquote() << "refused:" << refused.error();
    // Right CA, wrong name: the certificate is for localhost, not for the address 127.0.0.1.
    config.redisCaFile = d + QLatin1String("/ca.pem");
    config.redisUrl = QStringLiteral("rediss://:tls-secret@127.0.0.1:%1/0").arg(tlsPort);
    auto wrongName = connectRedis(config);
    QVERIFY(!wrongName);
    QVERIFY2(wrongName.error().contains(QLatin1String("certificate")), qPrintable(wrongName.error()));
    // A CA file that is not there: said before anything starts.
    config.redisCaFile = d + QLatin1String("/missing.pem");
    auto missing = connectRedis(config);
    QVERIFY(!missing);
    QVERIFY2(missing.error().contains(QLatin1String("cannot be read")), qPrintable(missing.error()));
    // A client never speaks to a rediss:// endpoint in clear text.
    QVERIFY(!RedisClient::connect(QStringLiteral("rediss://:tls-secret@localhost:%1/0").arg(tlsPort)));
}

QTEST_GUILESS_MAIN(TestRedisTrust)
#include "tst_redistrust.moc"
