#include "redisconnector.h"

#include "config.h"
#include "logging.h"
#include "redistrust.h"

#include <QStandardPaths>

namespace LearnPulse {

Result<RedisConnection> connectRedis(const Config &config)
{
    using R = Result<RedisConnection>;
    RedisConnection connection;
    auto endpoint = RedisEndpoint::parse(config.redisUrl);
    if (!endpoint)
        return R::failure(endpoint.error(), ErrorKind::BadInput);
    if (endpoint.value().tls) {
        // TLS through a private tunnel: the password and the conversations never cross the network in clear.
        connection.tunnel = std::make_unique<RedisTunnel>();
        auto local = connection.tunnel->start(endpoint.value(), config.redisCaFile);
        if (!local)
            return R::failure(local.error(), local.kind());
        auto client = RedisClient::connect(local.value(), 5000);
        // The tunnel takes the connection before the handshake: a refused certificate shows at the first reply.
        Result<RedisReply> pong
            = client ? client.value()->command({ "PING" }) : Result<RedisReply>::failure(client.error(), client.kind());
        if (!pong) {
            const QString why = connection.tunnel->problem();
            return R::failure(why.isEmpty() ? pong.error() : QStringLiteral("Cannot reach Redis: ") + why,
                why.isEmpty() ? pong.kind() : ErrorKind::Forbidden);
        }
        connection.client = std::move(client).value();
        return R(std::move(connection));
    }
    // A server on this machine without a password that another user runs would receive the conversations.
    const QString distrust = RedisTrust::whyNotTrusted(endpoint.value());
    QString why;
    if (!distrust.isEmpty()) {
        if (config.redisUrlExplicit)
            return R::failure(distrust
                    + QStringLiteral(": it is not used. Give it a password (requirepass) and put it in the URL "
                                     "(redis://:PASSWORD@host:port/0), or leave redis/url unset and the console "
                                     "starts a private server of its own."),
                ErrorKind::Forbidden);
        why = distrust;
        // Short, for a status bar; the log says the whole of it.
        const RedisEndpoint &e = endpoint.value();
        connection.notice
            = QStringLiteral("The Redis at %1 is another user's and has no password: not used; a private "
                             "one runs instead.")
                  .arg(e.socketPath.isEmpty() ? QStringLiteral("%1:%2").arg(e.host).arg(e.port) : e.socketPath);
        qCWarning(lcRedis).noquote() << distrust + QStringLiteral(": not used; a private server is started");
    } else {
        auto direct = RedisClient::connect(endpoint.value(), 2000);
        if (direct) {
            connection.client = std::move(direct).value();
            return R(std::move(connection));
        }
        if (config.redisUrlExplicit)
            return R::failure(direct.error(), direct.kind());
        why = direct.error();
    }

    const QString executable = QStandardPaths::findExecutable(QStringLiteral("redis-server"),
        { QStringLiteral("/usr/bin"), QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/bin") });
    if (executable.isEmpty())
        return R::failure(why
                + QStringLiteral(" (and redis-server is not installed, so no private server "
                                 "could be started; set REDIS_URL)"),
            ErrorKind::Unavailable);
    if (auto dir = config.ensureDataDir(); !dir)
        return R::failure(dir.error(), ErrorKind::Storage);

    RedisServerProcess::Options options;
    options.directory = config.dataDir + QStringLiteral("/redis");
    options.executable = executable;
    // A unix socket path has a small size limit: a deep data directory puts the socket in a short folder of this
    // user's alone; when there is none, a loopback port with a random password (never an open port).
    if ((options.directory + QStringLiteral("/redis.sock")).toLocal8Bit().size() >= 100) {
        options.socketDirectory = RedisTrust::privateSocketFolder(config.dataDir);
        if (options.socketDirectory.isEmpty()) {
            options.unixSocket = false;
            options.port = RedisServerProcess::freePort();
            options.password = RedisTrust::randomPassword();
        }
    }
    connection.privateServer = std::make_unique<RedisServerProcess>();
    if (auto started = connection.privateServer->start(options); !started)
        return R::failure(why + QStringLiteral("; starting a private redis-server failed too: ") + started.error(),
            ErrorKind::Unavailable);
    auto client = RedisClient::connect(connection.privateServer->url());
    if (!client)
        return R::failure(client.error(), client.kind());
    connection.client = std::move(client).value();
    qCInfo(lcRedis) << "using a private redis-server in" << options.directory;
    return R(std::move(connection));
}

} // namespace LearnPulse
