#include "redisserverprocess.h"

#include "logging.h"
#include "redisclient.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QProcess>
#include <QScopeGuard>
#include <QTcpServer>
#include <QThread>
#include <QUrl>

#include <csignal>
#include <sys/prctl.h>
#include <sys/stat.h>

namespace LearnPulse {

RedisServerProcess::RedisServerProcess() = default;

RedisServerProcess::~RedisServerProcess()
{
    stop();
}

int RedisServerProcess::freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

QString RedisServerProcess::socketPath() const
{
    if (!m_options.unixSocket)
        return {};
    return (m_options.socketDirectory.isEmpty() ? m_options.directory : m_options.socketDirectory)
        + QLatin1String("/redis.sock");
}

QString RedisServerProcess::url() const
{
    if (m_options.port > 0 && !m_options.password.isEmpty())
        return QStringLiteral("redis://:%1@127.0.0.1:%2/0")
            .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_options.password)))
            .arg(m_options.port);
    if (m_options.port > 0)
        return QStringLiteral("redis://127.0.0.1:%1/0").arg(m_options.port);
    return QStringLiteral("unix://") + socketPath();
}

bool RedisServerProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

qint64 RedisServerProcess::processId() const
{
    return isRunning() ? m_process->processId() : 0;
}

Status RedisServerProcess::start(const Options &options, int timeoutMs)
{
    stop();
    m_options = options;
    if (m_options.port == 0 && !m_options.unixSocket)
        return Status::failure(QStringLiteral("redis-server needs a port or a unix socket"));
    if (!QDir().mkpath(m_options.directory))
        return Status::failure(QStringLiteral("Cannot create the Redis directory %1").arg(m_options.directory));
    // The conversations are in there: the folder is its owner's alone, and so is every file in it (also those
    // an earlier version left readable by others).
    constexpr auto ownerDir = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;
    if (!QFile::setPermissions(m_options.directory, ownerDir))
        return Status::failure(QStringLiteral("Cannot make the Redis directory %1 private").arg(m_options.directory));
    for (QDirIterator it(m_options.directory, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
             QDirIterator::Subdirectories);
         it.hasNext();) {
        const QFileInfo entry(it.next());
        if (!entry.isSymLink())
            QFile::setPermissions(entry.filePath(), entry.isDir() ? ownerDir : QFile::ReadOwner | QFile::WriteOwner);
    }

    QStringList args;
    const QString passwordFile = m_options.directory + QLatin1String("/requirepass.conf");
    QFile::remove(passwordFile);
    if (!m_options.password.isEmpty()) {
        // A password on the command line is in /proc for every user to read; a configuration file of ours is not.
        QFile conf(passwordFile);
        if (!conf.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFile::ReadOwner | QFile::WriteOwner)
            || conf.write("requirepass \"" + m_options.password.toUtf8() + "\"\n") < 0 || !conf.flush())
            return Status::failure(QStringLiteral("Cannot write %1: %2").arg(passwordFile, conf.errorString()));
        args << passwordFile;
    }
    // Read by the server as it starts (before it answers); gone when this returns, whatever happened.
    const auto forgetPassword = qScopeGuard([&passwordFile] { QFile::remove(passwordFile); });
    args << QStringList { QStringLiteral("--dir"), m_options.directory, QStringLiteral("--port"),
        QString::number(m_options.port), QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
        QStringLiteral("--daemonize"), QStringLiteral("no"), QStringLiteral("--save"), QString(),
        QStringLiteral("--appendonly"), m_options.appendOnly ? QStringLiteral("yes") : QStringLiteral("no"),
        QStringLiteral("--logfile"), m_options.directory + QLatin1String("/redis.log") };
    if (m_options.unixSocket)
        args << QStringLiteral("--unixsocket") << socketPath() << QStringLiteral("--unixsocketperm")
             << QStringLiteral("700");

    m_process = std::make_unique<QProcess>();
    // The server logs to its own file; it must not hold our output open (a test runner waits for it).
    m_process->setStandardOutputFile(QProcess::nullDevice());
    m_process->setStandardErrorFile(QProcess::nullDevice());
    // A private server stops with us, even when we crash (its append-only file keeps the data).
    // What it writes (the append-only files, its log) is its owner's alone.
    m_process->setChildProcessModifier([] {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        ::umask(077);
    });
    m_process->start(m_options.executable, args);
    if (!m_process->waitForStarted(timeoutMs)) {
        const QString error = m_process->errorString();
        m_process.reset();
        return Status::failure(QStringLiteral("Cannot start %1: %2").arg(m_options.executable, error));
    }

    const QDeadlineTimer deadline(timeoutMs);
    QString lastError;
    while (!deadline.hasExpired()) {
        if (m_process->state() != QProcess::Running) {
            m_process.reset();
            return Status::failure(
                QStringLiteral("redis-server exited during start-up (see %1/redis.log)").arg(m_options.directory));
        }
        if (auto client = RedisClient::connect(url(), 500)) {
            if (auto pong = client.value()->command({ "PING" }); pong) {
                qCInfo(lcRedis) << "started private redis-server at" << client.value()->endpoint().describe();
                return {};
            } else {
                lastError = pong.error();
            }
        } else {
            lastError = client.error();
        }
        QThread::msleep(20);
    }
    stop();
    return Status::failure(QStringLiteral("redis-server did not answer in time: %1").arg(lastError));
}

void RedisServerProcess::stop()
{
    if (!m_process)
        return;
    if (m_process->state() == QProcess::Running) {
        m_process->terminate(); // SIGTERM: redis-server flushes the append-only file and exits
        if (!m_process->waitForFinished(5000)) {
            m_process->kill();
            m_process->waitForFinished(2000);
        }
    }
    m_process.reset();
}

} // namespace LearnPulse
