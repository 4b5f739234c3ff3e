#pragma once

#include "result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>

namespace LearnPulse {

// One reply of a Redis command, copied out of hiredis so that no hiredis type leaks into headers.
struct RedisReply
{
    enum class Type
    {
        Nil,
        String,
        Integer,
        Array,
        Status,
        Error, // only from exchange(): `string` holds the server's message
    };
    Type type = Type::Nil;
    QByteArray string;
    long long integer = 0;
    QList<RedisReply> elements;

    bool isNil() const { return type == Type::Nil; }
    bool isError() const { return type == Type::Error; }
};

// Where a Redis server is: parsed from `redis[s]://[:password@]host[:port][/db]` or
// `unix:///path/to/socket[?db=N]` (password as `?password=` there).
struct RedisEndpoint
{
    QString host;
    int port = 6379;
    QString socketPath; // set for unix:// URLs
    int db = 0;
    QString password;
    QString username; // an ACL user (redis://user:password@host); empty: the default user
    bool tls = false; // rediss://: reached through a TLS tunnel (RedisTunnel), never directly

    static Result<RedisEndpoint> parse(const QString &url);
    // For logs and error messages: never includes the password.
    QString describe() const;
};

// A blocking connection to one Redis server through hiredis. Used from worker threads and the
// command-line tool; one connection per thread. A server error reply ("-ERR ...") is a failure.
class RedisClient final
{
public:
    ~RedisClient();
    RedisClient(const RedisClient &) = delete;
    RedisClient &operator=(const RedisClient &) = delete;

    // hiredis (0.14) writes to its sockets with write(): a connection the server (or a TLS tunnel) has closed raises
    // SIGPIPE, which ends the process (or, under QTest, is reported as a crash). Called before every connection:
    // SIGPIPE is ignored from then on, so such a write fails with EPIPE, an error like any other. Every part of the
    // console (Qt's sockets, libcurl) already treats a closed connection as an error.
    static void ignoreBrokenPipes();
    static Result<std::unique_ptr<RedisClient>> connect(const RedisEndpoint &endpoint, int timeoutMs = 3000);
    static Result<std::unique_ptr<RedisClient>> connect(const QString &url, int timeoutMs = 3000);

    Result<RedisReply> command(const QList<QByteArray> &args);
    // Sends all commands at once and reads all replies: one round trip.
    Result<QList<RedisReply>> pipeline(const QList<QList<QByteArray>> &commands);
    // Like pipeline(), but an error reply of one command is that command's reply (Type::Error) instead
    // of failing the whole exchange; fails only when the connection does.
    Result<QList<RedisReply>> exchange(const QList<QList<QByteArray>> &commands);
    // EVALSHA with the script's SHA1, falling back to EVAL when the server does not have it yet.
    Result<RedisReply> eval(const QByteArray &script, const QList<QByteArray> &keys, const QList<QByteArray> &args);
    // The EVALSHA command for a script, to send in a pipeline; pair it with isNoScript() and eval().
    static QList<QByteArray> evalShaCommand(
        const QByteArray &script, const QList<QByteArray> &keys, const QList<QByteArray> &args);
    static bool isNoScript(const RedisReply &reply);
    // What an error reply means, from its code (first word): NoScript, NoSession, Forbidden or Failed.
    static ErrorKind errorKind(const RedisReply &reply);
    // EVAL with the script's text (which also caches it on the server): after a NOSCRIPT reply.
    Result<RedisReply> evalSource(
        const QByteArray &script, const QList<QByteArray> &keys, const QList<QByteArray> &args);

    const RedisEndpoint &endpoint() const { return m_endpoint; }
    // False after a connection failure, until a later command reconnects (with backoff).
    bool isConnected() const;
    // Round trips made so far (a pipeline is one): for benchmarks and tests of the turn's cost.
    qint64 roundTrips() const { return m_roundTrips; }

private:
    struct Private;
    explicit RedisClient(std::unique_ptr<Private> d, RedisEndpoint endpoint);
    bool reconnect();

    std::unique_ptr<Private> d;
    RedisEndpoint m_endpoint;
    int m_timeoutMs = 3000;
    qint64 m_roundTrips = 0;
};

} // namespace LearnPulse
