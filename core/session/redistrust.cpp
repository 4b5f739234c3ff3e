#include "redistrust.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QRandomGenerator>

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace LearnPulse::RedisTrust {

namespace {

// A socket path must fit sockaddr_un (108 bytes with the terminating zero); leave a margin.
constexpr qsizetype maxSocketPath = 100;

// The local address of a /proc/net/tcp{,6} row, in the kernel's hex: loopback or unspecified?
bool receivesLoopback(QByteArrayView hexAddress)
{
    if (hexAddress.size() == 8) // IPv4, bytes in the host's (little-endian) order: 127.x.x.x ends in 7F
        return hexAddress == "00000000" || hexAddress.endsWith("7F");
    if (hexAddress.size() == 32) // IPv6: ::, ::1, or ::ffff:127.x.x.x
        return hexAddress == "00000000000000000000000000000000" || hexAddress == "00000000000000000000000001000000"
            || (hexAddress.startsWith("0000000000000000FFFF0000") && hexAddress.endsWith("7F"));
    return false;
}

bool isLoopbackHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

// The folder `path` exists (or is made now) as this user's alone.
bool ownFolder(const QString &path)
{
    const QByteArray local = QFile::encodeName(path);
    if (::mkdir(local.constData(), 0700) != 0 && errno != EEXIST)
        return false;
    struct stat st
    {
    };
    if (::lstat(local.constData(), &st) != 0)
        return false;
    // Somebody else's, a link, or open to others (made before us, to watch or to swap the socket): not used.
    return S_ISDIR(st.st_mode) && st.st_uid == ::getuid() && (st.st_mode & 077) == 0;
}

} // namespace

QList<uint> listenerUids(const QByteArray &procNetTcp, int port)
{
    QList<uint> uids;
    if (port <= 0 || port > 65535)
        return uids;
    const QByteArray portHex = QByteArray::number(port, 16).toUpper().rightJustified(4, '0');
    const QList<QByteArray> lines = procNetTcp.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) { // the first line names the columns
        const QList<QByteArray> fields = lines.at(i).simplified().split(' ');
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid ...
        if (fields.size() < 8 || fields.at(3) != "0A") // 0A: LISTEN
            continue;
        const QByteArray &local = fields.at(1);
        const qsizetype colon = local.indexOf(':');
        if (colon < 0 || local.mid(colon + 1).toUpper() != portHex || !receivesLoopback(local.left(colon).toUpper()))
            continue;
        bool ok = false;
        const uint uid = fields.at(7).toUInt(&ok);
        if (ok && !uids.contains(uid))
            uids.append(uid);
    }
    return uids;
}

QList<uint> loopbackListenerUids(int port)
{
    QList<uint> uids;
    for (const char *table : { "/proc/net/tcp", "/proc/net/tcp6" }) {
        QFile file(QString::fromLatin1(table));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        for (uint uid : listenerUids(file.readAll(), port))
            if (!uids.contains(uid))
                uids.append(uid);
    }
    return uids;
}

QString whyNotTrusted(const RedisEndpoint &endpoint)
{
    if (!endpoint.password.isEmpty())
        return {};
    const uint me = ::getuid();
    if (!endpoint.socketPath.isEmpty()) {
        struct stat st
        {
        };
        if (::stat(QFile::encodeName(endpoint.socketPath).constData(), &st) != 0 || st.st_uid == me)
            return {};
        return QStringLiteral("The Redis at %1 has no password and belongs to another user of this machine (uid %2)")
            .arg(endpoint.describe())
            .arg(st.st_uid);
    }
    if (!isLoopbackHost(endpoint.host))
        return {};
    for (uint uid : loopbackListenerUids(endpoint.port)) {
        if (uid != me)
            return QStringLiteral("The Redis at %1 has no password and is run by another user of this machine (uid %2)")
                .arg(endpoint.describe())
                .arg(uid);
    }
    return {};
}

QString privateSocketFolder(const QString &dataDir)
{
    const QByteArray tag
        = QCryptographicHash::hash(QFile::encodeName(QDir::cleanPath(dataDir)), QCryptographicHash::Sha256)
              .toHex()
              .left(12);
    const QString name = QStringLiteral("learnpulse-%1-%2").arg(::getuid()).arg(QString::fromLatin1(tag));
    for (const QString &base : { qEnvironmentVariable("XDG_RUNTIME_DIR"), QDir::tempPath() }) {
        if (base.isEmpty() || !QDir::isAbsolutePath(base))
            continue;
        const QString folder = QDir::cleanPath(base) + QLatin1Char('/') + name;
        if (QFile::encodeName(folder + QLatin1String("/redis.sock")).size() >= maxSocketPath)
            continue;
        if (ownFolder(folder))
            return folder;
    }
    return {};
}

QString randomPassword()
{
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex());
}

} // namespace LearnPulse::RedisTrust
