#pragma once

#include "redisclient.h"
#include "result.h"

#include <QString>
#include <QTemporaryDir>

#include <memory>

class QProcess;

namespace LearnPulse {

// A private TLS client tunnel to a Redis reached by a rediss:// URL (Debian 12's hiredis has no TLS): Debian's
// stunnel, started by the console, verifies the server's certificate (against the system's CA store or a CA
// file of the settings, and the host name) and listens on a unix socket in a folder of this user's alone, so
// that neither the password nor a conversation crosses the network in clear text and no other local user can
// use the tunnel (issue 26). It stops with this object.
class RedisTunnel final
{
public:
    RedisTunnel();
    ~RedisTunnel();
    RedisTunnel(const RedisTunnel &) = delete;
    RedisTunnel &operator=(const RedisTunnel &) = delete;

    // The stunnel program: stunnel4 or stunnel from the system's folders; empty when it is not installed.
    static QString executable();
    // Starts the tunnel to `remote` (a rediss:// endpoint) and returns the endpoint to connect to: the tunnel's
    // socket, with the remote's password, user and database.
    Result<RedisEndpoint> start(const RedisEndpoint &remote, const QString &caFile, int timeoutMs = 10000);
    // What stunnel reported about the server's certificate or the TLS handshake since it started, in a sentence
    // (empty: nothing went wrong that it said).
    QString problem() const;
    bool isRunning() const;

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    RedisEndpoint m_remote;
};

} // namespace LearnPulse
