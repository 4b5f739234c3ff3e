#include "redissubscriber.h"

#include "logging.h"

#include <QSocketNotifier>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

namespace LearnPulse {

struct RedisSubscriber::Private
{
    RedisSubscriber *q = nullptr;
    redisAsyncContext *context = nullptr;
    std::unique_ptr<QSocketNotifier> read;
    std::unique_ptr<QSocketNotifier> write;

    static Private *of(void *data) { return static_cast<Private *>(data); }

    static void addRead(void *data)
    {
        Private *p = of(data);
        if (p->read)
            return;
        p->read = std::make_unique<QSocketNotifier>(p->context->c.fd, QSocketNotifier::Read);
        QObject::connect(p->read.get(), &QSocketNotifier::activated, p->q, [p] { redisAsyncHandleRead(p->context); });
    }
    // A notifier may be dropped from inside its own activated() (hiredis calls back while it reads): it is
    // disabled at once and deleted later.
    static void drop(std::unique_ptr<QSocketNotifier> &notifier)
    {
        if (notifier) {
            notifier->setEnabled(false);
            notifier.release()->deleteLater();
        }
    }
    static void delRead(void *data) { drop(of(data)->read); }
    static void addWrite(void *data)
    {
        Private *p = of(data);
        if (p->write)
            return;
        p->write = std::make_unique<QSocketNotifier>(p->context->c.fd, QSocketNotifier::Write);
        QObject::connect(p->write.get(), &QSocketNotifier::activated, p->q, [p] { redisAsyncHandleWrite(p->context); });
    }
    static void delWrite(void *data) { drop(of(data)->write); }
    static void cleanup(void *data)
    {
        Private *p = of(data);
        drop(p->read);
        drop(p->write);
    }
    // hiredis frees the context right after this callback: forget it now, not when the queued notice
    // arrives (a destructor in between would free it a second time).
    static void disconnected(const redisAsyncContext *context, int)
    {
        Private *p = of(context->ev.data);
        p->context = nullptr;
        drop(p->read);
        drop(p->write);
        if (auto *subscriber = static_cast<RedisSubscriber *>(context->data))
            QMetaObject::invokeMethod(subscriber, "subscribedChanged", Qt::QueuedConnection, Q_ARG(bool, false));
    }
    // A connection that fails (the server is down) is freed by hiredis without the disconnect callback.
    static void connected(const redisAsyncContext *context, int status)
    {
        if (status != REDIS_OK)
            disconnected(context, status);
    }
};

namespace {

void onMessage(redisAsyncContext *context, void *reply, void *)
{
    auto *r = static_cast<redisReply *>(reply);
    auto *subscriber = static_cast<RedisSubscriber *>(context->data);
    if (!r || !subscriber || r->type != REDIS_REPLY_ARRAY || r->elements < 3)
        return;
    const QByteArray kind(r->element[0]->str, qsizetype(r->element[0]->len));
    if (kind == "message" && r->element[2]->type == REDIS_REPLY_STRING)
        QMetaObject::invokeMethod(subscriber, "message", Qt::DirectConnection,
            Q_ARG(QByteArray, QByteArray(r->element[2]->str, qsizetype(r->element[2]->len))));
    else if (kind == "subscribe")
        QMetaObject::invokeMethod(subscriber, "subscribedChanged", Qt::DirectConnection, Q_ARG(bool, true));
}

} // namespace

RedisSubscriber::RedisSubscriber(RedisEndpoint endpoint, QByteArray channel, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
    , m_channel(std::move(channel))
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(2000);
    connect(&m_retry, &QTimer::timeout, this, &RedisSubscriber::connectNow);
    connect(this, &RedisSubscriber::subscribedChanged, this, [this](bool on) {
        m_subscribed = on;
        if (!on)
            handleDisconnect();
    });
}

RedisSubscriber::~RedisSubscriber()
{
    if (d && d->context) {
        d->context->data = nullptr;
        redisAsyncFree(d->context);
    }
}

void RedisSubscriber::start()
{
    connectNow();
}

void RedisSubscriber::handleDisconnect()
{
    // The context is gone already (Private::disconnected).
    if (!m_retry.isActive())
        m_retry.start();
}

void RedisSubscriber::connectNow()
{
    RedisClient::ignoreBrokenPipes();
    d = std::make_unique<Private>();
    d->q = this;
    redisAsyncContext *c = m_endpoint.socketPath.isEmpty()
        ? redisAsyncConnect(m_endpoint.host.toUtf8().constData(), m_endpoint.port)
        : redisAsyncConnectUnix(m_endpoint.socketPath.toLocal8Bit().constData());
    if (!c || c->err) {
        qCWarning(lcRedis).noquote() << QStringLiteral("Cannot subscribe to Redis at ") + m_endpoint.describe();
        if (c)
            redisAsyncFree(c); // no callbacks set yet
        d.reset();
        m_retry.start();
        return;
    }
    d->context = c;
    c->data = this;
    c->ev.data = d.get();
    c->ev.addRead = Private::addRead;
    c->ev.delRead = Private::delRead;
    c->ev.addWrite = Private::addWrite;
    c->ev.delWrite = Private::delWrite;
    c->ev.cleanup = Private::cleanup;
    redisAsyncSetConnectCallback(c, Private::connected);
    redisAsyncSetDisconnectCallback(c, Private::disconnected);
    if (!m_endpoint.password.isEmpty()) {
        const QByteArray password = m_endpoint.password.toUtf8();
        const QByteArray user = m_endpoint.username.toUtf8();
        if (user.isEmpty())
            redisAsyncCommand(c, nullptr, nullptr, "AUTH %b", password.constData(), size_t(password.size()));
        else
            redisAsyncCommand(c, nullptr, nullptr, "AUTH %b %b", user.constData(), size_t(user.size()),
                password.constData(), size_t(password.size()));
    }
    redisAsyncCommand(c, onMessage, nullptr, "SUBSCRIBE %b", m_channel.constData(), size_t(m_channel.size()));
}

} // namespace LearnPulse
