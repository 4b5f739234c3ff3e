#include "redistunnel.h"

#include "logging.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThread>

#include <csignal>
#include <sys/prctl.h>
#include <sys/stat.h>

namespace LearnPulse {

namespace {

constexpr auto systemCaStore = "/etc/ssl/certs/ca-certificates.crt";

// A value stunnel reads on one line of its configuration: no line break, no comment sign.
bool fitsConfigLine(const QString &value)
{
    return !value.isEmpty() && !value.contains(QLatin1Char('\n')) && !value.contains(QLatin1Char('\r'))
        && !value.contains(QLatin1Char(';')) && !value.contains(QLatin1Char('#'));
}

} // namespace

RedisTunnel::RedisTunnel() = default;

RedisTunnel::~RedisTunnel()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(3000)) {
            m_process->kill();
            m_process->waitForFinished(2000);
        }
    }
}

QString RedisTunnel::executable()
{
    const QStringList folders { QStringLiteral("/usr/bin"), QStringLiteral("/usr/sbin"),
        QStringLiteral("/usr/local/bin") };
    for (const char *name : { "stunnel4", "stunnel" })
        if (const QString path = QStandardPaths::findExecutable(QLatin1String(name), folders); !path.isEmpty())
            return path;
    return {};
}

bool RedisTunnel::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

Result<RedisEndpoint> RedisTunnel::start(const RedisEndpoint &remote, const QString &caFile, int timeoutMs)
{
    using R = Result<RedisEndpoint>;
    m_remote = remote;
    const QString program = executable();
    if (program.isEmpty())
        return R::failure(QStringLiteral("A rediss:// URL needs Debian's stunnel4 for its TLS (apt-get install "
                                         "stunnel4); the Redis at %1 is not used without it.")
                              .arg(remote.describe()),
            ErrorKind::Unavailable);
    const QString ca = caFile.isEmpty() ? QString::fromLatin1(systemCaStore) : caFile;
    if (!QFileInfo(ca).isReadable())
        return R::failure(
            QStringLiteral("The CA file %1 for the Redis at %2 cannot be read.").arg(ca, remote.describe()),
            ErrorKind::BadInput);
    if (!fitsConfigLine(ca) || !fitsConfigLine(remote.host))
        return R::failure(
            QStringLiteral("The Redis host or CA file name cannot be given to stunnel."), ErrorKind::BadInput);
    if (!m_dir.isValid())
        return R::failure(
            QStringLiteral("Cannot make a private folder for the TLS tunnel: %1").arg(m_dir.errorString()),
            ErrorKind::Storage);
    QFile::setPermissions(m_dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    const QString socket = m_dir.filePath(QStringLiteral("redis.sock"));
    if (QFile::encodeName(socket).size() >= 100)
        return R::failure(
            QStringLiteral("The temporary folder's path is too long for the TLS tunnel's socket."), ErrorKind::Storage);

    // The host is checked against the certificate by name, or by address when it is one.
    const bool isAddress = !QHostAddress(remote.host).isNull();
    const QString connectTo = remote.host.contains(QLatin1Char(':'))
        ? QStringLiteral("[%1]:%2").arg(remote.host).arg(remote.port)
        : QStringLiteral("%1:%2").arg(remote.host).arg(remote.port);
    const QString conf
        = QStringLiteral("foreground = yes\n"
                         "pid =\n"
                         "syslog = no\n"
                         "debug = 4\n"
                         "output = %6\n"
                         "[redis]\n"
                         "client = yes\n"
                         "accept = %1\n"
                         "connect = %2\n"
                         "verifyChain = yes\n"
                         "CAfile = %3\n"
                         "%4 = %5\n"
                         "sslVersionMin = TLSv1.2\n")
              .arg(socket, connectTo, ca, isAddress ? QStringLiteral("checkIP") : QStringLiteral("checkHost"),
                  remote.host, m_dir.filePath(QStringLiteral("stunnel.log")));
    const QString confPath = m_dir.filePath(QStringLiteral("stunnel.conf"));
    QFile file(confPath);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFile::ReadOwner | QFile::WriteOwner)
        || file.write(conf.toUtf8()) < 0 || !file.flush())
        return R::failure(QStringLiteral("Cannot write %1: %2").arg(confPath, file.errorString()), ErrorKind::Storage);
    file.close();

    m_process = std::make_unique<QProcess>();
    // What it says goes to its log file (warnings and errors only), never into a pipe that nobody might read.
    m_process->setStandardOutputFile(QProcess::nullDevice());
    m_process->setStandardErrorFile(QProcess::nullDevice());
    m_process->setChildProcessModifier([] {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM); // the tunnel goes with us, even when we crash
        ::umask(077);
    });
    m_process->start(program, { confPath });
    if (!m_process->waitForStarted(timeoutMs))
        return R::failure(
            QStringLiteral("Cannot start %1: %2").arg(program, m_process->errorString()), ErrorKind::Unavailable);
    const QDeadlineTimer deadline(timeoutMs);
    while (!QFileInfo::exists(socket)) {
        if (m_process->state() != QProcess::Running || deadline.hasExpired()) {
            m_process->waitForFinished(100);
            QFile log(m_dir.filePath(QStringLiteral("stunnel.log")));
            const QString said = log.open(QIODevice::ReadOnly)
                ? QString::fromLocal8Bit(log.readAll()).trimmed().section(QLatin1Char('\n'), -2)
                : QString();
            return R::failure(QStringLiteral("The TLS tunnel to the Redis at %1 did not start: %2")
                                  .arg(remote.describe(), said.isEmpty() ? QStringLiteral("no answer") : said),
                ErrorKind::Unavailable);
        }
        QThread::msleep(20);
    }
    qCInfo(lcRedis) << "TLS tunnel to" << remote.describe() << "started";
    RedisEndpoint local = remote;
    local.host.clear();
    local.socketPath = socket;
    local.tls = false; // the tunnel speaks TLS; the client talks to the tunnel
    return local;
}

QString RedisTunnel::problem() const
{
    if (!m_process)
        return {};
    QThread::msleep(100); // what stunnel says about the connection that just failed
    QFile file(m_dir.filePath(QStringLiteral("stunnel.log")));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QString log = QString::fromLocal8Bit(file.readAll().right(16384));
    static const QRegularExpression certificate(
        QStringLiteral("(?:CERT: (?:Pre-verification error: )?|Rejected by CERT|"
                       "certificate verify failed)([^\\n]*)"));
    QStringList reasons;
    for (auto it = certificate.globalMatch(log); it.hasNext();) {
        const QString line = it.next().captured(0).trimmed();
        if (!reasons.contains(line))
            reasons << line;
    }
    if (!reasons.isEmpty())
        return QStringLiteral("the TLS certificate of the Redis at %1 was refused (%2); is it signed by the CA of "
                              "redis/ca_file, and made for that host name?")
            .arg(m_remote.describe(), reasons.join(QLatin1String("; ")));
    static const QRegularExpression failure(QStringLiteral("LOG3\\[[^\\]]*\\]: ([^\\n]*)"));
    if (const auto m = failure.match(log); m.hasMatch())
        return QStringLiteral("the TLS connection to the Redis at %1 failed: %2")
            .arg(m_remote.describe(), m.captured(1));
    return {};
}

} // namespace LearnPulse
