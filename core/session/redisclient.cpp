#include "redisclient.h"

#include "logging.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QHash>
#include <QMutex>
#include <QUrl>
#include <QUrlQuery>

#include <hiredis/hiredis.h>

#include <csignal>
#include <mutex>
#include <sys/time.h>

namespace LearnPulse {

namespace {

struct ContextDeleter
{
    void operator()(redisContext *c) const { redisFree(c); }
};
struct ReplyDeleter
{
    void operator()(redisReply *r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

RedisReply copyReply(const redisReply *r)
{
    RedisReply out;
    switch (r->type) {
    case REDIS_REPLY_STRING:
        out.type = RedisReply::Type::String;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_STATUS:
        out.type = RedisReply::Type::Status;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::Integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisReply::Type::Error;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::Array;
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.append(copyReply(r->element[i]));
        break;
    default:
        out.type = RedisReply::Type::Nil;
        break;
    }
    return out;
}

void appendArgv(redisContext *c, const QList<QByteArray> &args)
{
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    argv.reserve(size_t(args.size()));
    lengths.reserve(size_t(args.size()));
    for (const QByteArray &a : args) {
        argv.push_back(a.constData());
        lengths.push_back(size_t(a.size()));
    }
    redisAppendCommandArgv(c, int(args.size()), argv.data(), lengths.data());
}

} // namespace

struct RedisClient::Private
{
    std::unique_ptr<redisContext, ContextDeleter> context;
    QDeadlineTimer nextReconnect { 0 };
    int failedReconnects = 0;

    QString ioError() const
    {
        return QStringLiteral("Redis connection failed: %1").arg(QString::fromLocal8Bit(context->errstr));
    }
};

Result<RedisEndpoint> RedisEndpoint::parse(const QString &url)
{
    const QUrl u(url, QUrl::StrictMode);
    if (!u.isValid())
        return Result<RedisEndpoint>::failure(
            QStringLiteral("Invalid Redis URL (expected redis://host:port/db or unix:///path)"));
    RedisEndpoint e;
    const QUrlQuery query(u);
    if (u.scheme() == QLatin1String("redis") || u.scheme() == QLatin1String("rediss")) {
        e.tls = u.scheme() == QLatin1String("rediss");
        e.host = u.host();
        if (e.host.isEmpty())
            return Result<RedisEndpoint>::failure(QStringLiteral("Invalid Redis URL: no host"));
        e.port = u.port(6379);
        const QString path = u.path().mid(1);
        if (!path.isEmpty()) {
            bool ok = false;
            e.db = path.toInt(&ok);
            if (!ok || e.db < 0)
                return Result<RedisEndpoint>::failure(
                    QStringLiteral("Invalid Redis URL: the database must be a number"));
        }
        e.password = u.password();
        e.username = u.userName();
    } else if (u.scheme() == QLatin1String("unix")) {
        e.socketPath = u.path();
        if (e.socketPath.isEmpty())
            return Result<RedisEndpoint>::failure(QStringLiteral("Invalid Redis URL: no socket path"));
        if (query.hasQueryItem(QStringLiteral("db")))
            e.db = query.queryItemValue(QStringLiteral("db")).toInt();
        e.password = query.queryItemValue(QStringLiteral("password"));
        e.username = query.queryItemValue(QStringLiteral("user"));
    } else {
        return Result<RedisEndpoint>::failure(
            QStringLiteral("Invalid Redis URL: the scheme must be redis://, rediss:// or unix://"));
    }
    return e;
}

QString RedisEndpoint::describe() const
{
    if (!socketPath.isEmpty())
        return QStringLiteral("unix:%1 db %2").arg(socketPath).arg(db);
    return QStringLiteral("%1%2:%3 db %4").arg(tls ? QStringLiteral("rediss:") : QString(), host).arg(port).arg(db);
}

RedisClient::RedisClient(std::unique_ptr<Private> dd, RedisEndpoint endpoint)
    : d(std::move(dd))
    , m_endpoint(std::move(endpoint))
{ }

RedisClient::~RedisClient() = default;

Result<std::unique_ptr<RedisClient>> RedisClient::connect(const QString &url, int timeoutMs)
{
    auto endpoint = RedisEndpoint::parse(url);
    if (!endpoint)
        return Result<std::unique_ptr<RedisClient>>::failure(endpoint.error());
    return connect(endpoint.value(), timeoutMs);
}

void RedisClient::ignoreBrokenPipes()
{
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction ignore = {};
        ignore.sa_handler = SIG_IGN;
        sigemptyset(&ignore.sa_mask);
        sigaction(SIGPIPE, &ignore, nullptr);
    });
}

Result<std::unique_ptr<RedisClient>> RedisClient::connect(const RedisEndpoint &endpoint, int timeoutMs)
{
    using R = Result<std::unique_ptr<RedisClient>>;
    ignoreBrokenPipes();
    if (endpoint.tls) // never in clear text: connectRedis() puts a TLS tunnel in between
        return R::failure(
            QStringLiteral("The Redis at %1 is reached over TLS only, through its tunnel.").arg(endpoint.describe()),
            ErrorKind::BadInput);
    timeval timeout { timeoutMs / 1000, (timeoutMs % 1000) * 1000 };
    redisContext *raw = endpoint.socketPath.isEmpty()
        ? redisConnectWithTimeout(endpoint.host.toUtf8().constData(), endpoint.port, timeout)
        : redisConnectUnixWithTimeout(endpoint.socketPath.toLocal8Bit().constData(), timeout);
    if (!raw)
        return R::failure(QStringLiteral("Cannot reach Redis at %1: out of memory").arg(endpoint.describe()));
    auto d = std::make_unique<Private>();
    d->context.reset(raw);
    if (raw->err)
        return R::failure(QStringLiteral("Cannot reach Redis at %1: %2")
                              .arg(endpoint.describe(), QString::fromLocal8Bit(raw->errstr)),
            ErrorKind::Unavailable);
    redisSetTimeout(raw, timeout);

    std::unique_ptr<RedisClient> client(new RedisClient(std::move(d), endpoint));
    client->m_timeoutMs = timeoutMs;
    if (!endpoint.password.isEmpty()) {
        const QList<QByteArray> auth = endpoint.username.isEmpty()
            ? QList<QByteArray> { "AUTH", endpoint.password.toUtf8() }
            : QList<QByteArray> { "AUTH", endpoint.username.toUtf8(), endpoint.password.toUtf8() };
        if (auto r = client->command(auth); !r)
            return R::failure(
                QStringLiteral("Redis at %1 refused the password: %2").arg(endpoint.describe(), r.error()),
                ErrorKind::Forbidden);
    }
    if (endpoint.db != 0) {
        if (auto r = client->command({ "SELECT", QByteArray::number(endpoint.db) }); !r)
            return R::failure(QStringLiteral("Redis at %1: %2").arg(endpoint.describe(), r.error()));
    }
    qCDebug(lcRedis) << "connected to" << endpoint.describe();
    return R(std::move(client));
}

Result<RedisReply> RedisClient::command(const QList<QByteArray> &args)
{
    auto replies = pipeline({ args });
    if (!replies)
        return failureOf<RedisReply>(replies);
    return replies.value().constFirst();
}

bool RedisClient::isConnected() const
{
    return d->context && !d->context->err;
}

bool RedisClient::reconnect()
{
    // Backoff between attempts: 250 ms doubling up to 2 s, so that a dead server costs little and a server
    // that is back is seen within a few seconds (the console probes every two seconds).
    if (!d->nextReconnect.hasExpired())
        return false;
    auto fresh = connect(m_endpoint, m_timeoutMs);
    if (!fresh) {
        ++d->failedReconnects;
        d->nextReconnect.setRemainingTime(std::min(2000, 250 << std::min(d->failedReconnects, 3)));
        return false;
    }
    d->context = std::move(fresh.value()->d->context);
    d->failedReconnects = 0;
    qCInfo(lcRedis) << "reconnected to" << m_endpoint.describe();
    return true;
}

Result<QList<RedisReply>> RedisClient::exchange(const QList<QList<QByteArray>> &commands)
{
    using R = Result<QList<RedisReply>>;
    if (d->context->err && !reconnect())
        return R::failure(d->ioError(), ErrorKind::Unavailable);
    redisContext *c = d->context.get();
    ++m_roundTrips;
    for (const auto &args : commands)
        appendArgv(c, args);
    QList<RedisReply> out;
    out.reserve(commands.size());
    for (qsizetype i = 0; i < commands.size(); ++i) {
        void *raw = nullptr;
        if (redisGetReply(c, &raw) != REDIS_OK || !raw)
            return R::failure(d->ioError(), ErrorKind::Unavailable);
        ReplyPtr reply(static_cast<redisReply *>(raw));
        out.append(copyReply(reply.get()));
    }
    return out;
}

namespace {

// The first error anywhere in a reply (EXEC and scripts nest them), or null.
const RedisReply *errorIn(const RedisReply &r)
{
    if (r.isError())
        return &r;
    for (const RedisReply &e : r.elements)
        if (const RedisReply *error = errorIn(e))
            return error;
    return nullptr;
}

// Scripts are constants: their SHA1 is computed once per script, not per call.
QByteArray shaOf(const QByteArray &script)
{
    static QMutex mutex;
    static QHash<QByteArray, QByteArray> known;
    QMutexLocker lock(&mutex);
    auto it = known.constFind(script);
    if (it == known.constEnd())
        it = known.insert(script, QCryptographicHash::hash(script, QCryptographicHash::Sha1).toHex());
    return it.value();
}

QList<QByteArray> scriptTail(const QList<QByteArray> &keys, const QList<QByteArray> &args)
{
    QList<QByteArray> tail;
    tail.reserve(1 + keys.size() + args.size());
    tail << QByteArray::number(keys.size()) << keys << args;
    return tail;
}

} // namespace

Result<QList<RedisReply>> RedisClient::pipeline(const QList<QList<QByteArray>> &commands)
{
    using R = Result<QList<RedisReply>>;
    auto replies = exchange(commands);
    if (!replies)
        return replies;
    for (const RedisReply &r : replies.value())
        if (const RedisReply *e = errorIn(r))
            return R::failure(QStringLiteral("Redis error: %1").arg(QString::fromUtf8(e->string)), errorKind(*e));
    return replies;
}

QList<QByteArray> RedisClient::evalShaCommand(
    const QByteArray &script, const QList<QByteArray> &keys, const QList<QByteArray> &args)
{
    return QList<QByteArray> { "EVALSHA", shaOf(script) } + scriptTail(keys, args);
}

ErrorKind RedisClient::errorKind(const RedisReply &reply)
{
    if (!reply.isError())
        return ErrorKind::None;
    // The error code is the reply's first word (the protocol's convention; our scripts follow it).
    const QByteArray code = reply.string.left(reply.string.indexOf(' '));
    if (code == "NOSCRIPT")
        return ErrorKind::NoScript;
    if (code == "LP_NO_SESSION")
        return ErrorKind::NoSession;
    if (code == "LP_FORBIDDEN" || code == "NOAUTH" || code == "WRONGPASS" || code == "NOPERM")
        return ErrorKind::Forbidden;
    if (code == "LP_NOT_FOUND")
        return ErrorKind::NotFound;
    if (code == "LP_BAD_INPUT" || code == "LP_ESCALATED")
        return ErrorKind::BadInput;
    return ErrorKind::Failed;
}

bool RedisClient::isNoScript(const RedisReply &reply)
{
    return errorKind(reply) == ErrorKind::NoScript;
}

Result<RedisReply> RedisClient::eval(
    const QByteArray &script, const QList<QByteArray> &keys, const QList<QByteArray> &args)
{
    auto r = command(evalShaCommand(script, keys, args));
    if (!r && r.kind() == ErrorKind::NoScript)
        r = evalSource(script, keys, args);
    return r;
}

Result<RedisReply> RedisClient::evalSource(
    const QByteArray &script, const QList<QByteArray> &keys, const QList<QByteArray> &args)
{
    return command(QList<QByteArray> { "EVAL", script } + scriptTail(keys, args));
}

} // namespace LearnPulse
