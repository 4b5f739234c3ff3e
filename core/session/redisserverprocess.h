#pragma once

#include "result.h"

#include <QString>

#include <memory>

class QProcess;

namespace LearnPulse {

// A private redis-server child process: data and (optionally) a unix socket in a directory of ours,
// append-only file on. The console starts one when nothing answers at REDIS_URL; tests start one
// per test on a free loopback port.
class RedisServerProcess final
{
public:
    struct Options
    {
        QString directory; // data directory of the server (created if needed)
        int port = 0; // TCP port on 127.0.0.1; 0 = no TCP, unix socket only
        bool unixSocket = true; // listen on <socketDirectory>/redis.sock
        QString socketDirectory; // where the socket is; empty: `directory` (a socket path must be short)
        QString password; // requirepass, from a file of the owner's alone (never on the command line)
        bool appendOnly = true;
        QString executable = QStringLiteral("redis-server");
    };

    RedisServerProcess();
    ~RedisServerProcess(); // stops the server
    RedisServerProcess(const RedisServerProcess &) = delete;
    RedisServerProcess &operator=(const RedisServerProcess &) = delete;

    // Starts the server and waits until it answers PING (at most `timeoutMs`).
    const Options &options() const { return m_options; }
    Status start(const Options &options, int timeoutMs = 10000);
    void stop();
    // Starts again with the same options (same port, same data): the append-only file brings the data back.
    Status restart(int timeoutMs = 10000) { return start(Options(m_options), timeoutMs); }
    bool isRunning() const;
    qint64 processId() const; // 0 when not running

    // redis://[:password@]127.0.0.1:<port>/0 when TCP is on, otherwise unix://<socket>.
    QString url() const;
    QString socketPath() const;
    int port() const { return m_options.port; }

    // A TCP port on 127.0.0.1 that nothing listens on right now.
    static int freePort();

private:
    Options m_options;
    std::unique_ptr<QProcess> m_process;
};

} // namespace LearnPulse
