#include "redisconnector.h"

#include "config.h"
#include "logging.h"

#include <QStandardPaths>

namespace LearnPulse {

Result<RedisConnection> connectRedis(const Config &config)
{
    using R = Result<RedisConnection>;
    RedisConnection connection;
    auto direct = RedisClient::connect(config.redisUrl, 2000);
    if (direct) {
        connection.client = std::move(direct).value();
        return R(std::move(connection));
    }
    if (config.redisUrlExplicit)
        return R::failure(direct.error());

    const QString executable = QStandardPaths::findExecutable(QStringLiteral("redis-server"),
        { QStringLiteral("/usr/bin"), QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/bin") });
    if (executable.isEmpty())
        return R::failure(direct.error()
            + QStringLiteral(" (and redis-server is not installed, so no private server "
                             "could be started; set REDIS_URL)"));
    if (auto dir = config.ensureDataDir(); !dir)
        return R::failure(dir.error());

    RedisServerProcess::Options options;
    options.directory = config.dataDir + QStringLiteral("/redis");
    options.executable = executable;
    // A unix socket path has a small size limit; a deep data directory uses a loopback port instead.
    if ((options.directory + QStringLiteral("/redis.sock")).toLocal8Bit().size() >= 100) {
        options.unixSocket = false;
        options.port = RedisServerProcess::freePort();
    }
    connection.privateServer = std::make_unique<RedisServerProcess>();
    if (auto started = connection.privateServer->start(options); !started)
        return R::failure(
            direct.error() + QStringLiteral("; starting a private redis-server failed too: ") + started.error());
    auto client = RedisClient::connect(connection.privateServer->url());
    if (!client)
        return R::failure(client.error());
    connection.client = std::move(client).value();
    qCInfo(lcRedis) << "using a private redis-server in" << options.directory;
    return R(std::move(connection));
}

} // namespace LearnPulse
